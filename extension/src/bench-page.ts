/**
 * Browser entry of bench/render.ts: the views' own figure code and plotly, timed from Arrow IPC
 * bytes in hand (what a widget model receives) to the first drawn frame.
 */
import Plotly from 'plotly.js-dist-min';
import { decodeArrow } from './widgets/columns.js';
import { buildLightcurveFigure, lightcurvePointsFromTable } from './widgets/lightcurve-figure.js';
import { PLOT_CONFIG } from './widgets/plotly-config.js';
import { buildSkyMapFigure } from './widgets/skymap-figure.js';
import { skyPointsFromTable } from './widgets/skymap-points.js';

export interface RenderTiming {
  totalMs: number;
  decodeMs: number;
  figureMs: number;
  plotMs: number;
  points: number;
}

function nextFrame(): Promise<void> {
  return new Promise(r => requestAnimationFrame(() => r()));
}

async function timed(
  url: string,
  draw: (
    bytes: Uint8Array,
    div: HTMLElement
  ) => Promise<{ decodeMs: number; figureMs: number; points: number }>
): Promise<RenderTiming> {
  const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
  const div = document.createElement('div');
  div.style.width = '1200px';
  document.body.replaceChildren(div);
  const t0 = performance.now();
  const r = await draw(bytes, div);
  const t1 = performance.now();
  await nextFrame();
  const t2 = performance.now();
  return {
    totalMs: t2 - t0,
    decodeMs: r.decodeMs,
    figureMs: r.figureMs,
    plotMs: t2 - t1 + (t1 - t0 - r.decodeMs - r.figureMs),
    points: r.points
  };
}

async function renderSky(url: string): Promise<RenderTiming> {
  return timed(url, async (bytes, div) => {
    const t0 = performance.now();
    const table = decodeArrow(bytes);
    const points = skyPointsFromTable(table, 'mag');
    const t1 = performance.now();
    const fig = buildSkyMapFigure(points, [], {
      projection: 'aitoff',
      heightPx: 600,
      markerSizePx: 3
    });
    const t2 = performance.now();
    await Plotly.newPlot(div, fig.data, fig.layout, PLOT_CONFIG);
    return { decodeMs: t1 - t0, figureMs: t2 - t1, points: fig.points };
  });
}

async function renderLightcurve(url: string): Promise<RenderTiming> {
  return timed(url, async (bytes, div) => {
    const t0 = performance.now();
    const table = decodeArrow(bytes);
    const points = table ? lightcurvePointsFromTable(table) : null;
    const t1 = performance.now();
    if (!points) {
      throw new Error('empty lightcurve table');
    }
    const fig = buildLightcurveFigure(points, {
      y: 'mag',
      objects: [],
      maxPanels: 6,
      heightPx: 420,
      time: 'mjd'
    });
    const t2 = performance.now();
    await Plotly.newPlot(div, fig.data, fig.layout, PLOT_CONFIG);
    return { decodeMs: t1 - t0, figureMs: t2 - t1, points: fig.points };
  });
}

Object.assign(window, { alertlabBench: { renderSky, renderLightcurve } });
