import type { Table } from 'apache-arrow';
import type { Layout, PlotData } from 'plotly.js-dist-min';
import { boolColumn, floatColumn, idString, stringColumn } from './columns.js';
import {
  BAND_COLOURS,
  BAND_ORDER,
  FORCED_MIN_SNR,
  KIND_LABELS,
  KIND_ORDER,
  KIND_SYMBOLS,
  type PointKind
} from './lightcurve-style.js';

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
  /** Forced photometry (Rubin `prvDiaForcedSources`): 1, else 0. */
  forced: Uint8Array;
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
  /** Time axis: plain MJD numbers, or calendar dates (UTC). @default 'mjd' */
  time: 'mjd' | 'date';
}

export interface Figure {
  data: PlotData[];
  layout: Layout;
  /** Points drawn and objects shown (the browser test reads them). */
  points: number;
  objects: string[];
}

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
    isDetection: boolColumn(table, 'isDetection', true),
    forced: boolColumn(table, 'forced', false)
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
  kind: PointKind;
  rows: number[];
}

/** Detection, forced measurement or upper limit, and its y value (NaN: not drawn). */
function classify(
  points: LightcurvePoints,
  row: number,
  y: 'mag' | 'flux'
): { kind: PointKind; value: number } {
  if (points.isDetection[row] === 1) {
    return { kind: 'detection', value: y === 'flux' ? points.flux[row] : points.mag[row] };
  }
  if (y === 'flux') {
    return { kind: points.forced[row] === 1 ? 'forced' : 'limit', value: points.flux[row] };
  }
  const snr = points.flux[row] / points.fluxErr[row];
  if (points.forced[row] === 1 && Number.isFinite(points.mag[row]) && snr >= FORCED_MIN_SNR) {
    return { kind: 'forced', value: points.mag[row] };
  }
  return { kind: 'limit', value: points.upperLimitMag[row] };
}

function bandRank(band: string): number {
  const i = BAND_ORDER.indexOf(band);
  return i < 0 ? BAND_ORDER.length : i;
}

/** Rows per (panel, band, kind), in panel, band and kind order. */
function groupRows(points: LightcurvePoints, shown: string[], y: 'mag' | 'flux'): Group[] {
  const panelOf = new Map(shown.map((o, i) => [o, i]));
  const groups = new Map<string, Group>();
  for (let row = 0; row < points.mjd.length; row++) {
    const panel = panelOf.get(points.objectId[row]);
    if (panel === undefined || !Number.isFinite(points.mjd[row])) {
      continue;
    }
    const { kind, value } = classify(points, row, y);
    if (!Number.isFinite(value)) {
      continue;
    }
    const band = points.band[row];
    const key = `${panel}/${band}/${kind}`;
    let g = groups.get(key);
    if (!g) {
      g = { panel, band, kind, rows: [] };
      groups.set(key, g);
    }
    g.rows.push(row);
  }
  return [...groups.values()].sort(
    (a, b) =>
      a.panel - b.panel ||
      bandRank(a.band) - bandRank(b.band) ||
      a.band.localeCompare(b.band) ||
      KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind)
  );
}

const MS_PER_DAY = 86_400_000;
const MJD_UNIX_EPOCH = 40587;

function traceFor(
  points: LightcurvePoints,
  g: Group,
  opts: LightcurveOptions,
  legend: boolean
): PlotData {
  const n = g.rows.length;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  const errs = new Float64Array(n);
  const custom = new Array<[string, string, string]>(n);
  const forFlux = opts.y === 'flux';
  const dates = opts.time === 'date';
  g.rows.forEach((row, k) => {
    const mjd = points.mjd[row];
    // A date axis takes milliseconds since 1970 (plotly's convention for numbers on dates).
    xs[k] = dates ? (mjd - MJD_UNIX_EPOCH) * MS_PER_DAY : mjd;
    ys[k] = classify(points, row, opts.y).value;
    errs[k] =
      g.kind === 'limit' && !forFlux ? 0 : forFlux ? points.fluxErr[row] : points.magErr[row];
    custom[k] = [points.alertId[row], mjdToIso(mjd), mjd.toFixed(5)];
  });
  const suffix = axisSuffix(g.panel);
  const colour = BAND_COLOURS[g.band] ?? '#777777';
  const unit = forFlux ? 'nJy' : 'mag';
  const label = `${g.band}${KIND_LABELS[g.kind]}`;
  return {
    type: 'scattergl',
    mode: 'markers',
    name: label,
    legendgroup: label,
    showlegend: legend,
    // The legend reads band by band (u g r i z y), each band's kinds together.
    legendrank: 100 * bandRank(g.band) + KIND_ORDER.indexOf(g.kind),
    x: xs,
    y: ys,
    xaxis: `x${suffix}`,
    yaxis: `y${suffix}`,
    customdata: custom,
    hovertemplate:
      `<b>${label}</b><br>alert %{customdata[0]}<br>%{customdata[1]} UTC` +
      `<br>MJD %{customdata[2]}<br>%{y:.3f} ${unit}<extra></extra>`,
    marker: {
      color: colour,
      size: g.kind === 'detection' ? 6 : 8,
      symbol: KIND_SYMBOLS[g.kind],
      line: { color: colour, width: 1.5 }
    },
    error_y: {
      type: 'data',
      array: errs,
      visible: g.kind !== 'limit' || forFlux,
      color: colour,
      thickness: 1,
      width: 0
    },
    meta: { panel: g.panel, band: g.band, kind: g.kind }
  } as PlotData;
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
    const key = `${g.band}/${g.kind}`;
    const legend = !seen.has(key);
    seen.add(key);
    return traceFor(points, g, opts, legend);
  });
  const panels = Math.max(shown.length, 1);
  const columns = Math.min(panels, 3);
  const rows = Math.ceil(panels / columns);
  const height = Math.max(opts.heightPx, rows * 300);
  const legendGapPx = opts.time === 'date' ? 78 : 58; // tick labels and the axis title
  const layout: Layout = {
    height,
    margin: { l: 56, r: 16, t: 36, b: legendGapPx + 36 },
    grid: { rows, columns, pattern: 'independent', xgap: 0.12, ygap: 0.34 },
    // Below the lowest x axis title, whatever the height (paper units are the plot area's).
    legend: {
      orientation: 'h',
      y: -legendGapPx / Math.max(height - legendGapPx - 72, 1),
      yanchor: 'top',
      title: { text: 'band ' }
    },
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
    layout[`xaxis${suffix}`] =
      opts.time === 'date'
        ? { type: 'date', title: { text: 'date (UTC)' }, zeroline: false }
        : // Plain numbers: 61090.5, never "61.09k" (no SI suffix, no thousands separator).
          { title: { text: 'MJD' }, tickformat: '.5~f', exponentformat: 'none', zeroline: false };
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
