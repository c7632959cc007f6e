import type { Layout, PlotData, SelectionEvent } from 'plotly.js-dist-min';
import { graticule, project, projectionExtent, type ProjectionName } from './projection.js';

/** Alerts on the sky: positions plus the column that colours them. */
export interface SkyPoints {
  raDeg: Float64Array;
  decDeg: Float64Array;
  /** Numeric values (colour scale) or categories (one trace each); null: one colour. */
  colour: Float64Array | string[] | null;
  colourName: string;
}

/** A catalog drawn over the alerts. */
export interface SkyOverlay {
  name: string;
  raDeg: Float64Array;
  decDeg: Float64Array;
  colour: string;
}

export interface SkyMapOptions {
  /** @default 'aitoff' */
  projection: ProjectionName;
  /** Plot height in pixels. @default 480 */
  heightPx: number;
  /** Marker size in pixels. @default 4 */
  markerSizePx: number;
}

export interface SkyFigure {
  data: PlotData[];
  layout: Layout;
  /** Per trace, the row of the alert table behind each point (null for non-alert traces). */
  traceRows: (Int32Array | null)[];
  points: number;
}

const CATEGORY_COLOURS = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#9467bd',
  '#ff7f0e',
  '#17becf',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22'
];
const MAX_CATEGORIES = 20;

function subset(values: Float32Array, rows: Int32Array): Float32Array {
  const out = new Float32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    out[i] = values[rows[i]];
  }
  return out;
}

function categoryRows(categories: string[]): Map<string, Int32Array> | null {
  const lists = new Map<string, number[]>();
  for (let row = 0; row < categories.length; row++) {
    const c = categories[row];
    let l = lists.get(c);
    if (!l) {
      if (lists.size >= MAX_CATEGORIES) {
        return null;
      }
      l = [];
      lists.set(c, l);
    }
    l.push(row);
  }
  const sorted = [...lists.keys()].sort();
  return new Map(sorted.map(c => [c, Int32Array.from(lists.get(c) ?? [])]));
}

function alertTraces(
  points: SkyPoints,
  opts: SkyMapOptions
): { data: PlotData[]; rows: Int32Array[] } {
  const xy = project(opts.projection, points.raDeg, points.decDeg);
  const base = { type: 'scattergl' as const, mode: 'markers', hoverinfo: 'none' };
  const selected = { marker: { opacity: 1 } };
  const unselected = { marker: { opacity: 0.15 } };
  const groups = Array.isArray(points.colour) ? categoryRows(points.colour) : null;
  if (groups) {
    const data: PlotData[] = [];
    const rows: Int32Array[] = [];
    [...groups.entries()].forEach(([category, r], k) => {
      data.push({
        ...base,
        name: `${points.colourName}=${category}`,
        x: subset(xy.x, r),
        y: subset(xy.y, r),
        marker: { size: opts.markerSizePx, color: CATEGORY_COLOURS[k % CATEGORY_COLOURS.length] },
        selected,
        unselected
      });
      rows.push(r);
    });
    return { data, rows };
  }
  const all = Int32Array.from({ length: xy.x.length }, (_, i) => i);
  const numeric = points.colour instanceof Float64Array ? points.colour : null;
  const marker: Record<string, unknown> = { size: opts.markerSizePx, color: '#1f77b4' };
  if (numeric) {
    Object.assign(marker, {
      color: numeric,
      colorscale: 'Viridis',
      showscale: true,
      colorbar: { title: { text: points.colourName }, thickness: 12 }
    });
  }
  return {
    data: [{ ...base, name: 'alerts', x: xy.x, y: xy.y, marker, selected, unselected }],
    rows: [all]
  };
}

function overlayTrace(o: SkyOverlay, opts: SkyMapOptions): PlotData {
  const xy = project(opts.projection, o.raDeg, o.decDeg);
  return {
    type: 'scattergl',
    mode: 'markers',
    name: o.name,
    x: xy.x,
    y: xy.y,
    hoverinfo: 'none',
    marker: { size: opts.markerSizePx + 3, color: o.colour, symbol: 'circle-open', opacity: 0.8 },
    unselected: { marker: { opacity: 0.8 } }
  };
}

function gridTraces(opts: SkyMapOptions): PlotData[] {
  const g = graticule(opts.projection, 30);
  const labels = [0, 60, 120, 180, 240, 300];
  const lab = project(
    opts.projection,
    labels.map(r => (r === 180 ? 179.9 : r)),
    labels.map(() => 0)
  );
  return [
    {
      type: 'scatter',
      mode: 'lines',
      name: 'grid',
      x: g.x,
      y: g.y,
      hoverinfo: 'skip',
      showlegend: false,
      line: { color: '#c8c8c8', width: 0.6 }
    },
    {
      type: 'scatter',
      mode: 'text',
      name: 'RA',
      x: lab.x,
      y: lab.y,
      text: labels.map(r => `${r / 15}h`),
      hoverinfo: 'skip',
      showlegend: false,
      textfont: { color: '#888888' },
      // Selections dim unselected points of every trace; labels stay as they are.
      unselected: { textfont: { color: '#888888' } }
    }
  ];
}

/** Builds the sky map: graticule, alerts (WebGL), catalog overlays. */
export function buildSkyMapFigure(
  points: SkyPoints,
  overlays: SkyOverlay[],
  opts: SkyMapOptions
): SkyFigure {
  const grid = gridTraces(opts);
  const alerts = alertTraces(points, opts);
  const data = [...grid, ...alerts.data, ...overlays.map(o => overlayTrace(o, opts))];
  const traceRows: (Int32Array | null)[] = [
    ...grid.map(() => null),
    ...alerts.rows,
    ...overlays.map(() => null)
  ];
  const [hx, hy] = projectionExtent(opts.projection);
  const axis = { visible: false, zeroline: false, showgrid: false };
  const layout: Layout = {
    height: opts.heightPx,
    margin: { l: 8, r: 8, t: 8, b: 8 },
    dragmode: 'select',
    hovermode: 'closest',
    legend: { orientation: 'h', y: 0 },
    xaxis: { ...axis, range: [-hx * 1.02, hx * 1.02], constrain: 'domain' },
    yaxis: { ...axis, range: [-hy * 1.02, hy * 1.02], scaleanchor: 'x', scaleratio: 1 }
  };
  return { data, layout, traceRows, points: points.raDeg.length };
}

/** Rows of the alert table behind a plotly selection, sorted and unique. */
export function selectedRows(
  ev: SelectionEvent | undefined,
  traceRows: (Int32Array | null)[]
): number[] {
  if (!ev) {
    return [];
  }
  const rows = new Set<number>();
  for (const p of ev.points) {
    const map = traceRows[p.curveNumber];
    const index = p.pointIndex ?? p.pointNumber;
    if (map && index < map.length) {
      rows.add(map[index]);
    }
  }
  return [...rows].sort((a, b) => a - b);
}

/** Per alert trace, the point indices to highlight for the given rows (null: no selection). */
export function selectedPoints(
  rows: number[] | null,
  traceRows: (Int32Array | null)[]
): (number[] | null)[] {
  const wanted = rows && rows.length > 0 ? new Set(rows) : null;
  return traceRows.map(map => {
    if (!map || !wanted) {
      return null;
    }
    const out: number[] = [];
    map.forEach((row, i) => {
      if (wanted.has(row)) {
        out.push(i);
      }
    });
    return out;
  });
}

/** Axis ranges that frame a circle of `radiusDeg` around (raDeg, decDeg). */
export function zoomRanges(
  projection: ProjectionName,
  raDeg: number,
  decDeg: number,
  radiusDeg: number
): Layout {
  const c = project(projection, [raDeg], [decDeg]);
  const r = Math.max(radiusDeg, 0.01) * (Math.PI / 180) * 1.2;
  return {
    'xaxis.range': [c.x[0] - r, c.x[0] + r],
    'yaxis.range': [c.y[0] - r, c.y[0] + r]
  };
}
