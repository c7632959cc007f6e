/**
 * First-render benchmark of the widget views in headless Chromium (Debian's, via playwright-core):
 * the sky map with 100,000 alerts (WebGL, Aitoff) and a 10,000-point lightcurve, from Arrow IPC
 * bytes in hand to the first drawn frame, using the views' own figure code bundled with esbuild
 * into a static page. Goals: <= 1500 ms and <= 500 ms.
 * Run: `node --import tsx bench/render.ts [--runs 3]`. Writes bench/results/render.json.
 */
/// <reference lib="dom" />
// (code passed to page.evaluate runs in the browser)
import { build } from 'esbuild';
import { tableToIPC, tableFromArrays, vectorFromArray, Utf8, Table } from 'apache-arrow';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { launchChromium, CHROMIUM_PATH } from '../test/browser/chromium.js';

const ROOT = resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const RUNS = Number(args.runs);
const SKY_POINTS = 100_000;
const LC_POINTS = 10_000;
const GOALS_MS = { skymap: 1500, lightcurve: 500 };

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

function skyTable(n: number): Table {
  const rnd = random(1);
  const ra = new Float64Array(n);
  const dec = new Float64Array(n);
  const colour = new Float64Array(n);
  const alertId = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    ra[i] = rnd() * 360;
    dec[i] = (Math.asin(2 * rnd() - 1) * 180) / Math.PI;
    colour[i] = 15 + rnd() * 7;
    alertId[i] = 3_000_000_000_000_000_000n + BigInt(i);
  }
  return tableFromArrays({ ra, dec, alertId, colour });
}

function lightcurveTable(n: number): Table {
  const rnd = random(2);
  const bands = ['u', 'g', 'r', 'i', 'z', 'y'];
  const objects = 1;
  const mjd = new Float64Array(n);
  const mag = new Float64Array(n);
  const magErr = new Float64Array(n);
  const upperLimitMag = new Float64Array(n).fill(NaN);
  const isDetection: boolean[] = [];
  const band: string[] = [];
  const objectId: string[] = [];
  const alertId = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    mjd[i] = 61000 + rnd() * 400;
    const det = rnd() > 0.2;
    mag[i] = det ? 18 + 2 * Math.sin(mjd[i] / 20) + rnd() * 0.2 : NaN;
    magErr[i] = det ? 0.02 + rnd() * 0.1 : NaN;
    if (!det) {
      upperLimitMag[i] = 21 + rnd();
    }
    isDetection.push(det);
    band.push(bands[i % bands.length]);
    objectId.push(`obj${i % objects}`);
    alertId[i] = 170_000_000_000_000_000n + BigInt(i);
  }
  return new Table({
    objectId: vectorFromArray(objectId, new Utf8()),
    alertId: vectorFromArray(alertId),
    mjd: vectorFromArray(mjd),
    band: vectorFromArray(band, new Utf8()),
    mag: vectorFromArray(mag),
    magErr: vectorFromArray(magErr),
    upperLimitMag: vectorFromArray(upperLimitMag),
    isDetection: vectorFromArray(isDetection)
  });
}

interface Timing {
  totalMs: number;
  decodeMs: number;
  figureMs: number;
  plotMs: number;
  points: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const bundleStarted = performance.now();
  const bundle = await build({
    entryPoints: [join(ROOT, 'extension/src/bench-page.ts')],
    bundle: true,
    format: 'iife',
    minify: true,
    write: false,
    tsconfig: join(ROOT, 'extension/tsconfig.json'),
    logLevel: 'error'
  });
  const bundleMs = performance.now() - bundleStarted;
  const files: Record<string, [string, Uint8Array | string]> = {
    '/': [
      'text/html',
      '<!doctype html><html><head><meta charset="utf-8"></head><body><script src="/page.js"></script></body></html>'
    ],
    '/page.js': ['text/javascript', bundle.outputFiles[0].contents],
    '/sky.arrow': ['application/octet-stream', tableToIPC(skyTable(SKY_POINTS), 'stream')],
    '/lc.arrow': ['application/octet-stream', tableToIPC(lightcurveTable(LC_POINTS), 'stream')]
  };
  const server = createServer((req, res) => {
    const f = files[req.url ?? '/'];
    res.writeHead(f ? 200 : 404, { 'Content-Type': f?.[0] ?? 'text/plain' });
    res.end(f?.[1] ?? 'not found');
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await launchChromium();
  const runs: { skymap: Timing; lightcurve: Timing; pageLoadMs: number }[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
      const loadStarted = performance.now();
      await page.goto(url);
      await page.waitForFunction(() => 'alertlabBench' in window);
      const pageLoadMs = performance.now() - loadStarted;
      interface BenchWindow {
        alertlabBench: {
          renderSky(u: string): Promise<Timing>;
          renderLightcurve(u: string): Promise<Timing>;
        };
      }
      const skymap = await page.evaluate(() =>
        (window as unknown as BenchWindow).alertlabBench.renderSky('/sky.arrow')
      );
      const lightcurve = await page.evaluate(() =>
        (window as unknown as BenchWindow).alertlabBench.renderLightcurve('/lc.arrow')
      );
      if (i === 0) {
        mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
        await page.screenshot({ path: join(ROOT, 'test-artifacts', 'bench-lightcurve.png') });
      }
      runs.push({ skymap, lightcurve, pageLoadMs });
      await page.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
  const sky = runs.map(r => r.skymap.totalMs);
  const lc = runs.map(r => r.lightcurve.totalMs);
  const result = {
    bench: 'render',
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      loadavg1: loadavg()[0],
      chromium: CHROMIUM_PATH,
      webgl: 'SwiftShader (--disable-gpu)'
    },
    bundleMs: Math.round(bundleMs),
    skymap: {
      points: SKY_POINTS,
      firstRunMs: sky[0],
      medianMs: median(sky),
      goalMs: GOALS_MS.skymap,
      meetsGoal: median(sky) <= GOALS_MS.skymap,
      runs: runs.map(r => r.skymap)
    },
    lightcurve: {
      points: LC_POINTS,
      firstRunMs: lc[0],
      medianMs: median(lc),
      goalMs: GOALS_MS.lightcurve,
      meetsGoal: median(lc) <= GOALS_MS.lightcurve,
      runs: runs.map(r => r.lightcurve)
    },
    pageLoadMs: runs.map(r => Math.round(r.pageLoadMs))
  };
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/render.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(
    `sky map ${SKY_POINTS} points: median ${median(sky).toFixed(0)} ms (first ${sky[0].toFixed(0)} ms, goal ${GOALS_MS.skymap} ms)`
  );
  console.log(
    `lightcurve ${LC_POINTS} points: median ${median(lc).toFixed(0)} ms (first ${lc[0].toFixed(0)} ms, goal ${GOALS_MS.lightcurve} ms)`
  );
  console.log(
    `page load (plotly parse) ${result.pageLoadMs.join(', ')} ms; wrote bench/results/render.json`
  );
}

await main();
