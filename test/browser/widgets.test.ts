/// <reference lib="dom" />
// (code passed to page.evaluate runs in the browser)
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { missingData, skipWithoutData } from '../../sdk/src/alerts/testing/samples.js';
import { withChromium } from './chromium.js';
import { ROOT, withJupyterLab } from './jupyterlab.js';
import { openNotebook, plotSummary, runAllCells, rerunCell, cellOutput } from './lab-page.js';
import { boxAroundFirstPoint, lightcurveLooks } from './plot-looks.js';

const DATA_DIR = resolve(ROOT, '..', 'shared', 'data');
const HAS_DATA = existsSync(join(DATA_DIR, 'alerts'));
const FIXTURES = join(ROOT, 'test', 'browser', 'fixtures');
const ARTIFACTS = join(ROOT, 'test-artifacts');

if (!HAS_DATA) {
  console.warn(`[browser] skipping the widget test: ${join(DATA_DIR, 'alerts')} is missing`);
}

describe('JupyterLab widgets in a real browser', () => {
  it.skipIf(skipWithoutData(missingData([join(DATA_DIR, 'alerts')])))(
    'renders the sky map and lightcurves of real alerts, and a selection drives the linked lightcurve',
    async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      await withJupyterLab(
        {
          files: [join(FIXTURES, 'widgets.ipynb'), join(FIXTURES, 'sample_alerts.py')],
          env: { ALERTLAB_DATA: DATA_DIR }
        },
        lab =>
          withChromium(async browser => {
            const page = await browser.newPage({ viewport: { width: 1400, height: 1300 } });
            try {
              await openNotebook(page, lab, 'widgets.ipynb');
              await runAllCells(page);
              await page.waitForSelector('.alertlab-skymap .alertlab-plot[data-points]', {
                timeout: 120_000
              });
              await page.waitForSelector('.alertlab-lightcurve .alertlab-plot[data-points]', {
                timeout: 60_000
              });

              const printed = await cellOutput(page, 0);
              const m = /(\d+) alerts, (\d+) objects/.exec(printed);
              expect(m, `first cell printed: ${printed}`).not.toBeNull();
              const alertCount = Number(m?.[1]);

              const sky = await plotSummary(page, '.alertlab-skymap');
              expect(sky.datasetPoints).toBe(alertCount);
              const alertTraces = sky.traces.filter(
                t => t.type === 'scattergl' && t.name.startsWith('survey=')
              );
              expect(alertTraces.map(t => t.name).sort()).toEqual(['survey=rubin', 'survey=ztf']);
              expect(alertTraces.reduce((s, t) => s + t.points, 0)).toBe(alertCount);
              expect(sky.traces.some(t => t.name === 'sample fields' && t.points === 2)).toBe(true);

              const lc = await plotSummary(page, '.alertlab-lightcurve');
              expect(lc.traces.length).toBeGreaterThan(0);
              expect(lc.traces.every(t => t.type === 'scattergl')).toBe(true);
              expect(lc.datasetPoints).toBe(lc.traces.reduce((s, t) => s + t.points, 0));
              const objectsBefore = lc.objects;
              expect(objectsBefore.length).toBe(4);

              // As a person sees it: plain MJD ticks (61105.5, never "61.1k"); one colour per
              // band; detections, forced photometry and upper limits with their own markers.
              const looks = await lightcurveLooks(page, '.alertlab-lightcurve');
              expect(looks.xTicks.length).toBeGreaterThan(0);
              for (const tick of looks.xTicks) {
                expect(tick).toMatch(/^\d{5}(\.\d+)?$/);
              }
              const colourOf = new Map(looks.traces.map(t => [t.band, t.colour]));
              expect(new Set(colourOf.values()).size).toBe(colourOf.size);
              for (const t of looks.traces) {
                expect(t.colour).toBe(colourOf.get(t.band));
              }
              const symbolOf = new Map(looks.traces.map(t => [t.kind, t.symbol]));
              expect(Object.fromEntries(symbolOf)).toMatchObject({
                detection: 'circle',
                forced: 'diamond-open'
              });
              expect(new Set(symbolOf.values()).size).toBe(symbolOf.size);
              expect(looks.traces.some(t => t.name.endsWith(' forced'))).toBe(true);
              await page.screenshot({ path: join(ARTIFACTS, 'widgets.png'), fullPage: true });

              // Cutout stamps: three zscaled FITS images of a real ZTF alert.
              await page.waitForSelector('.alertlab-cutouts canvas', { timeout: 60_000 });
              const stamps = await page.evaluate(() =>
                Array.from(
                  document.querySelectorAll<HTMLCanvasElement>('.alertlab-cutouts canvas')
                ).map(c => {
                  const px =
                    c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ??
                    new Uint8ClampedArray();
                  const greys = new Set<number>();
                  for (let i = 0; i < px.length; i += 4) {
                    greys.add(px[i]);
                  }
                  return { width: c.width, height: c.height, levels: greys.size };
                })
              );
              expect(stamps).toHaveLength(3);
              // No library warning printed under the stamps (astropy's FITS VerifyWarning).
              expect(await cellOutput(page, 2)).not.toMatch(/warning/i);
              for (const s of stamps) {
                expect(s.width).toBeGreaterThan(10);
                expect(s.levels).toBeGreaterThan(16); // a real image, not a blank canvas
              }

              await boxAroundFirstPoint(page, 'survey=rubin', 12);
              await page.waitForFunction(
                () =>
                  Number(
                    document.querySelector<HTMLElement>('.alertlab-skymap .alertlab-plot')?.dataset
                      .selected ?? 0
                  ) > 0,
                undefined,
                { timeout: 30_000 }
              );
              await page.waitForFunction(
                before =>
                  document.querySelector<HTMLElement>('.alertlab-lightcurve .alertlab-plot')
                    ?.dataset.objects !== before,
                objectsBefore.join(','),
                { timeout: 30_000 }
              );
              const after = await plotSummary(page, '.alertlab-lightcurve');
              expect(after.objects.length).toBeGreaterThan(0);
              expect(after.objects).not.toEqual(objectsBefore);

              // The kernel saw the selection: the Python traits agree with what the views show.
              const python = await rerunCell(page, 3);
              const ids = /selected alert ids: \[([^\]]*)\]/.exec(python)?.[1] ?? '';
              expect(ids.split(',').filter(s => s.trim()).length).toBeGreaterThan(0);
              for (const objectId of after.objects) {
                expect(python).toContain(`'${objectId}'`);
              }
              await page.screenshot({ path: join(ARTIFACTS, 'widgets-selected-page.png') });

              // Calendar dates on request: a date axis, ticks that name months or years.
              const dates = await lightcurveLooks(page, '.alertlab-lightcurve.lc-dates');
              expect(dates.xType).toBe('date');
              expect(dates.xTicks.join(' ')).toMatch(
                /20\d\d|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec/
              );
              expect(dates.xTicks.some(t => /^\d{5}(\.\d+)?$/.test(t))).toBe(false);
              // The widgets themselves (sky map with the selection, linked lightcurves) for the README.
              const shot = join(ARTIFACTS, 'widgets-selected.png');
              await page
                .locator('.jp-Notebook .jp-CodeCell')
                .nth(1)
                .locator('.jp-OutputArea')
                .screenshot({ path: shot });
              // docs/screenshot.png is refreshed by hand from this artifact (a test never rewrites
              // a tracked file)
            } catch (err) {
              await page
                .screenshot({ path: join(ARTIFACTS, 'widgets-failure.png'), fullPage: true })
                .catch(() => undefined);
              throw new Error(`${String(err)}\n--- jupyter lab log ---\n${lab.log()}`, {
                cause: err
              });
            } finally {
              await page.close();
            }
          })
      );
    },
    300_000
  );
});
