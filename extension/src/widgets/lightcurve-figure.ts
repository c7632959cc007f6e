import type { Table } from 'apache-arrow';
import type { Layout, PlotData } from 'plotly.js-dist-min';
import { boolColumn, floatColumn, idString, stringColumn } from './columns.js';

/** Lightcurve points, one row per measurement (the Python side flattens alerts to this). */
export interface LightcurvePoints {
  objectId: string[];
  /** Decimal strings of the 64-bit alert ids (exact). */
  alertId: string[];
  mjd: Float64Array;
  band: string[];
  mag: Float64Array;
  magErr: Float64Array;
  /** AB upper limit of a non-detection (NaN for detections). */
  upperLimitMag: Float64Array;
  flux: Float64Array;
  fluxErr: Float64Array;
  isDetection: Uint8Array;
}

export interface LightcurveOptions {
  /** What the y axis shows. @default 'mag' */
  y: 'mag' | 'flux';
  /** Objects to show, in order; empty shows the first `maxPanels` objects. @default [] */
  objects: string[];
  /** Most panels side by side. @default 6 */
  maxPanels: number;
  /** Plot height in pixels. @default 420 */
  heightPx: number;
}

export interface Figure {
  data: PlotData[];
  layout: Layout;
  /** Points drawn and objects shown (the browser test reads them). */
  points: number;
  objects: string[];
}

/** Band colours (Rubin's recommended palette; ZTF uses the same names). */
export const BAND_COLOURS: Record<string, string> = {
  u: '#1600ea',
  g: '#31de1f',
  r: '#b52626',
  i: '#370201',
  z: '#ba52ff',
  y: '#61a2b3'
};
const BAND_ORDER = ['u', 'g', 'r', 'i', 'z', 'y'];

export function lightcurvePointsFromTable(table: Table): LightcurvePoints {
  const alertId = new Array<string>(table.numRows);
  for (let i = 0; i < alertId.length; i++) {
    alertId[i] = idString(table, 'alertId', i);
  }
  return {
    objectId: stringColumn(table, 'objectId'),
    alertId,
    mjd: floatColumn(table, 'mjd'),
    band: stringColumn(table, 'band', '?'),
    mag: floatColumn(table, 'mag'),
    magErr: floatColumn(table, 'magErr'),
    upperLimitMag: floatColumn(table, 'upperLimitMag'),
    flux: floatColumn(table, 'flux'),
    fluxErr: floatColumn(table, 'fluxErr'),
    isDetection: boolColumn(table, 'isDetection', true)
  };
}

/** ISO date (UTC, seconds) of a Modified Julian Date. */
export function mjdToIso(mjd: number): string {
  return new Date((mjd - 40587) * 86_400_000).toISOString().slice(0, 19).replace('T', ' ');
}

function objectsToShow(points: LightcurvePoints, opts: LightcurveOptions): string[] {
  const present = new Set(points.objectId);
  const wanted = opts.objects.length > 0 ? opts.objects.filter(o => present.has(o)) : [...present];
  return wanted.slice(0, opts.maxPanels);
}

function axisSuffix(panel: number): string {
  return panel === 0 ? '' : String(panel + 1);
}

interface Group {
  panel: number;
  band: string;
  rows: number[];
}

/** Rows per (panel, band): detections and upper limits share a trace (fewer WebGL draws). */
function groupRows(points: LightcurvePoints, shown: string[], y: 'mag' | 'flux'): Group[] {
  const panelOf = new Map(shown.map((o, i) => [o, i]));
  const groups = new Map<string, Group>();
  for (let row = 0; row < points.mjd.length; row++) {
    const panel = panelOf.get(points.objectId[row]);
    if (panel === undefined) {
      continue;
    }
    if (!Number.isFinite(pointValue(points, row, y)) || !Number.isFinite(points.mjd[row])) {
      continue;
    }
    const band = points.band[row];
    const key = `${panel}/${band}`;
    let g = groups.get(key);
    if (!g) {
      g = { panel, band, rows: [] };
      groups.set(key, g);
    }
    g.rows.push(row);
  }
  const rank = (b: string): number => {
    const i = BAND_ORDER.indexOf(b);
    return i < 0 ? BAND_ORDER.length : i;
  };
  return [...groups.values()].sort((a, b) => a.panel - b.panel || rank(a.band) - rank(b.band));
}

function pointValue(points: LightcurvePoints, row: number, y: 'mag' | 'flux'): number {
  if (y === 'flux') {
    return points.flux[row];
  }
  return points.isDetection[row] === 1 ? points.mag[row] : points.upperLimitMag[row];
}

function traceFor(
  points: LightcurvePoints,
  g: Group,
  y: 'mag' | 'flux',
  legend: boolean
): PlotData {
  const n = g.rows.length;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  const errs = new Float64Array(n);
  const symbols = new Array<string>(n);
  const custom = new Array<[string, string, string]>(n);
  const forFlux = y === 'flux';
  const limitLabel = forFlux ? ' (forced)' : ' (upper limit)';
  g.rows.forEach((row, k) => {
    const detection = points.isDetection[row] === 1;
    xs[k] = points.mjd[row];
    ys[k] = pointValue(points, row, y);
    errs[k] = forFlux ? points.fluxErr[row] : detection ? points.magErr[row] : 0;
    symbols[k] = detection ? 'circle' : 'triangle-down-open';
    custom[k] = [points.alertId[row], mjdToIso(points.mjd[row]), detection ? '' : limitLabel];
  });
  const suffix = axisSuffix(g.panel);
  const colour = BAND_COLOURS[g.band] ?? '#777777';
  const unit = forFlux ? 'nJy' : 'mag';
  return {
    type: 'scattergl',
    mode: 'markers',
    name: g.band,
    legendgroup: g.band,
    showlegend: legend,
    x: xs,
    y: ys,
    xaxis: `x${suffix}`,
    yaxis: `y${suffix}`,
    customdata: custom,
    hovertemplate:
      `<b>${g.band}</b>%{customdata[2]}<br>alert %{customdata[0]}<br>%{customdata[1]} UTC` +
      `<br>MJD %{x:.5f}<br>%{y:.3f} ${unit}<extra></extra>`,
    marker: { color: colour, size: 6, symbol: symbols },
    error_y: { type: 'data', array: errs, visible: true, color: colour, thickness: 1, width: 0 },
    meta: { panel: g.panel, band: g.band }
  };
}

function valueRanges(data: PlotData[], panels: number): [number, number][] {
  const ranges: [number, number][] = Array.from({ length: panels }, () => [Infinity, -Infinity]);
  for (const t of data) {
    const r = ranges[Number((t.meta as { panel: number }).panel)];
    for (const v of t.y as Float64Array) {
      r[0] = Math.min(r[0], v);
      r[1] = Math.max(r[1], v);
    }
  }
  return ranges;
}

/** Builds the plotly figure of a lightcurve: one panel per object, one colour per band. */
export function buildLightcurveFigure(points: LightcurvePoints, opts: LightcurveOptions): Figure {
  const shown = objectsToShow(points, opts);
  const groups = groupRows(points, shown, opts.y);
  const seen = new Set<string>();
  const data = groups.map(g => {
    const legend = !seen.has(g.band);
    seen.add(g.band);
    return traceFor(points, g, opts.y, legend);
  });
  const panels = Math.max(shown.length, 1);
  const columns = Math.min(panels, 3);
  const rows = Math.ceil(panels / columns);
  const layout: Layout = {
    height: Math.max(opts.heightPx, rows * 260),
    margin: { l: 56, r: 16, t: 36, b: 44 },
    grid: { rows, columns, pattern: 'independent', xgap: 0.12, ygap: 0.28 },
    legend: { orientation: 'h', y: -0.12, title: { text: 'band ' } },
    hovermode: 'closest',
    annotations: shown.map((objectId, panel) => ({
      text: `<b>${objectId}</b>`,
      showarrow: false,
      xref: `x${axisSuffix(panel)} domain`,
      yref: `y${axisSuffix(panel)} domain`,
      x: 0,
      y: 1.02,
      xanchor: 'left',
      yanchor: 'bottom'
    }))
  };
  const ranges = valueRanges(data, panels);
  for (let panel = 0; panel < panels; panel++) {
    const suffix = axisSuffix(panel);
    const [lo, hi] = ranges[panel];
    const pad = Math.max((hi - lo) * 0.08, opts.y === 'flux' ? 1 : 0.1);
    layout[`xaxis${suffix}`] = { title: { text: 'MJD' }, zeroline: false };
    layout[`yaxis${suffix}`] = {
      title: { text: opts.y === 'flux' ? 'flux (nJy)' : 'AB mag' },
      // The values set the range (huge error bars of faint points would squash the rest).
      ...(Number.isFinite(lo)
        ? { range: opts.y === 'flux' ? [lo - pad, hi + pad] : [hi + pad, lo - pad] }
        : {}),
      zeroline: opts.y === 'flux'
    };
  }
  if (shown.length === 0) {
    layout.annotations = [
      { text: 'no points', showarrow: false, xref: 'paper', yref: 'paper', x: 0.5, y: 0.5 }
    ];
  }
  const pointsDrawn = groups.reduce((s, g) => s + g.rows.length, 0);
  return { data, layout, points: pointsDrawn, objects: shown };
}
