/**
 * The notebook loop, whole, in a real JupyterLab + Chromium, from notebooks/06-the-loop.ipynb:
 * attach to a topic of the real Rubin sample alerts, cross-match them with Hipparcos, the sky map,
 * select an alert on it with the mouse, that object's whole lightcurve (alertlab.lightcurve,
 * Lightcurve.from_object), a Python filter calling a helper from another cell, its backtest on the
 * held batch, promotion to the REAL controller (in-process, the integration Kafka), and its outputs
 * filling in the stages panel until they equal the backtest. Screenshots go to test-artifacts/.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { missingData, skipWithoutData } from '../../sdk/src/alerts/testing/samples.js';
import { produceFile } from '../../sdk/src/buffer/index.js';
import { CatalogStore, loadBuiltinCatalog } from '../../sdk/src/catalog/index.js';
import { RUBIN_FILE } from '../buffer-helpers.js';
import { randomName } from '../stage-helpers.js';
import { withChromium } from './chromium.js';
import { bootstrapServers, withController } from './controller.js';
import { ROOT, withJupyterLab } from './jupyterlab.js';
import { cellIndex, openNotebook, openSidebar, plotSummary, runCell } from './lab-page.js';
import { boxAroundFirstPoint, lightcurveLooks, sidebarOverflow } from './plot-looks.js';

const ARTIFACTS = join(ROOT, 'test-artifacts');
const NOTEBOOK = join(ROOT, 'notebooks', '06-the-loop.ipynb');
const MISSING = missingData([RUBIN_FILE]);
if (MISSING) {
  console.warn(`loop browser test: ${MISSING}`);
}

/** Counts per output of the stage, read from its rows in the stages panel. */
async function panelCounts(page: Page, stageId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const row of await page.locator(`.alertlab-output-row[data-stage="${stageId}"]`).all()) {
    const name = (await row.getAttribute('data-output')) ?? '';
    const cells = await row.locator('td').allInnerTexts();
    if (name !== 'dead-letter') {
      out[name] = Number(/^\d+$/.exec(cells[1])?.[0]);
    }
  }
  return out;
}

/** A JSON object the notebook printed after `label`. */
function printed(text: string, label: string): Record<string, number> {
  const m = new RegExp(`${label} (\\{[^\\n]*\\})`).exec(text);
  expect(m, `"${label}" in: ${text.slice(0, 2000)}`).not.toBeNull();
  return JSON.parse(m?.[1] ?? '{}') as Record<string, number>;
}

/** The last lightcurve plot on the page (the object's own, below the linked one). */
async function lastLightcurve(page: Page): Promise<{ objects: string; points: number }> {
  return page.evaluate(() => {
    const plots = document.querySelectorAll<HTMLElement>('.alertlab-lightcurve .alertlab-plot');
    const last = plots[plots.length - 1];
    return { objects: last?.dataset.objects ?? '', points: Number(last?.dataset.points ?? -1) };
  });
}

describe.skipIf(skipWithoutData(MISSING))('the notebook loop in a real browser', () => {
  it('attach, cross-match, sky map, select, lightcurve, filter, backtest, promote, watch it run', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const home = mkdtempSync(join(tmpdir(), 'alertlab-loop-home-'));
    const topic = randomName('loop-in');
    const stageId = `loop-${randomName('s').slice(2)}`;
    const shot = (page: Page, name: string): Promise<Buffer> =>
      page.screenshot({ path: join(ARTIFACTS, `loop-${name}.png`) });
    try {
      // The engine the notebook starts reads this catalog store (Hipparcos, from d3-celestial).
      const storePath = join(home, 'catalogs.duckdb');
      const store = await CatalogStore.open(storePath);
      try {
        await loadBuiltinCatalog(store, 'hipparcos');
      } finally {
        await store.close();
      }
      await withController(
        async ctl => {
          await ctl.controller.buffer.createTopics([
            { topic, partitions: 2, replicationFactor: 1 }
          ]);
          const produced = await produceFile(topic, RUBIN_FILE, {
            bootstrapServers: ctl.controller.buffer.bootstrapServers.join(',')
          });
          try {
            await withJupyterLab(
              {
                files: [NOTEBOOK],
                env: {
                  ALERTLAB_ROOT: ROOT,
                  ALERTLAB_REPO: ROOT,
                  ALERTLAB_HOME: home,
                  ALERTLAB_BOOTSTRAP_SERVERS: bootstrapServers() ?? '',
                  ALERTLAB_DATA_DIR: dirname(dirname(RUBIN_FILE)),
                  ALERTLAB_LOOP_TOPIC: topic,
                  ALERTLAB_LOOP_STAGE: stageId,
                  ALERTLAB_CONTROLLER_URL: ctl.url,
                  ALERTLAB_CONTROLLER_TOKEN_FILE: ctl.tokenFile,
                  ALERTLAB_KEEP_STAGES: '1'
                }
              },
              lab =>
                withChromium(async browser => {
                  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
                  try {
                    await walkTheLoop(
                      page,
                      lab.url,
                      lab.token,
                      topic,
                      stageId,
                      produced.records,
                      shot
                    );
                  } catch (err) {
                    await shot(page, 'failure').catch(() => undefined);
                    throw new Error(`${String(err)}\n--- jupyter log ---\n${lab.log()}`, {
                      cause: err
                    });
                  } finally {
                    await page.close();
                  }
                })
            );
          } finally {
            await ctl.controller.buffer.deleteTopics([topic]).catch(() => undefined);
          }
        },
        { storePath }
      );
    } finally {
      stopEngine(home);
      rmSync(home, { recursive: true, force: true });
    }
  }, 480_000);
});

/** Stops the engine the notebook's alertlab.connect() started (by the pid it recorded). */
function stopEngine(home: string): void {
  const file = join(home, 'bridge.json');
  if (!existsSync(file)) {
    return;
  }
  const pid = Number((JSON.parse(readFileSync(file, 'utf8')) as { pid?: number }).pid);
  if (pid > 0) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

async function walkTheLoop(
  page: Page,
  url: string,
  token: string,
  topic: string,
  stageId: string,
  alerts: number,
  shot: (page: Page, name: string) => Promise<Buffer>
): Promise<void> {
  await openNotebook(page, { url, token, rootDir: '', log: () => '' }, '06-the-loop.ipynb');
  await runCell(page, await cellIndex(page, 'alertlab.connect()'));

  // 1. attach: every alert of the topic held as one table
  const attached = await runCell(page, await cellIndex(page, 'alertlab.attach(TOPIC'));
  expect(attached).toContain(`${topic}: ${alerts} alerts of`);

  // 2. cross-match with Hipparcos
  const xmatch = await runCell(page, await cellIndex(page, 'alertlab.crossmatch('));
  const xm = /(\d+) alert-star pairs; (\d+) of (\d+) alerts/.exec(xmatch);
  expect(Number(xm?.[1])).toBeGreaterThan(0);
  const nearStar = Number(xm?.[2]);

  // 3. the sky map (alerts and the matched stars), linked to a lightcurve
  await runCell(page, await cellIndex(page, 'SkyMap(batch'));
  await page.waitForSelector('.alertlab-skymap .alertlab-plot[data-points]', { timeout: 60_000 });
  await page.waitForSelector('.alertlab-lightcurve .alertlab-plot[data-points]', {
    timeout: 60_000
  });
  const sky = await plotSummary(page, '.alertlab-skymap');
  expect(sky.datasetPoints).toBe(alerts);
  expect(sky.traces.find(t => t.name === 'near a Hipparcos star')?.points).toBe(nearStar);
  const linkedBefore = (await plotSummary(page, '.alertlab-lightcurve')).objects;
  // (the notebook scrolls virtually: bring the map on screen before looking or dragging)
  await page.locator('.alertlab-skymap').scrollIntoViewIfNeeded();
  await page.waitForTimeout(500);
  await shot(page, '1-skymap');

  // select an alert with the mouse: the linked lightcurve follows
  await boxAroundFirstPoint(page, '', 12);
  await page.waitForFunction(
    before =>
      document.querySelector<HTMLElement>('.alertlab-lightcurve .alertlab-plot')?.dataset
        .objects !== before,
    linkedBefore.join(','),
    { timeout: 30_000 }
  );
  const selected = (await plotSummary(page, '.alertlab-lightcurve')).objects;
  expect(selected.length).toBeGreaterThan(0);

  // 4. that object's whole lightcurve from the buffers
  const lcText = await runCell(page, await cellIndex(page, 'alertlab.lightcurve(object_id'));
  const m = /object (\S+): (\d+) points \{'detections': (\d+), 'forced': (\d+)\}/.exec(lcText);
  expect(m, lcText).not.toBeNull();
  const [objectId, points, forced] = [m?.[1] ?? '', Number(m?.[2]), Number(m?.[4])];
  expect(selected).toContain(objectId);
  expect(points).toBeGreaterThan(1);
  await expect
    .poll(() => lastLightcurve(page), { timeout: 60_000 })
    .toMatchObject({
      objects: objectId
    });
  const own = await lastLightcurve(page);
  expect(own.points).toBeGreaterThan(0);
  expect(own.points).toBeLessThanOrEqual(points);
  const looks = await lightcurveLooks(page, '.alertlab-lightcurve', true);
  for (const tick of looks.xTicks) {
    expect(tick).toMatch(/^\d{5}(\.\d+)?$/); // plain MJD
  }
  expect(looks.traces.some(t => t.kind === 'detection')).toBe(true);
  if (forced > 0) {
    expect(looks.traces.some(t => t.kind === 'forced' || t.kind === 'limit')).toBe(true);
  }
  await page.locator('.alertlab-lightcurve').last().scrollIntoViewIfNeeded();
  await page.waitForTimeout(500);
  await shot(page, '2-lightcurve');

  // 5. a filter that calls a helper defined in another cell
  await runCell(page, await cellIndex(page, 'def brightness('));
  const local = await runCell(page, await cellIndex(page, 'def by_brightness('));
  expect(local).toMatch(/'bright': \d+/);

  // 6. its backtest on the held batch
  const backtest = printed(
    await runCell(page, await cellIndex(page, 'alertlab.backtest(by_brightness, batch)')),
    'backtest counts:'
  );
  expect(Object.values(backtest).reduce((a, b) => a + b, 0)).toBe(alerts);
  await shot(page, '3-backtest');

  // 7. promote, and watch its outputs fill in the stages panel
  const promoted = await runCell(page, await cellIndex(page, 'alertlab.promote(by_brightness'));
  expect(promoted).toContain(`${stageId} v1`);
  await openSidebar(page, 'alertlab-sidebar');
  // only our topic in the topics list (the integration Kafka holds many), so the stage shows
  await page.locator('.alertlab-topic-filter').fill(topic);
  await page.locator('.alertlab-topic-filter').press('Enter');
  const stageRow = page.locator('.alertlab-stage-table tr', { hasText: stageId });
  await stageRow.waitFor({ timeout: 30_000 });
  await expect
    .poll(async () => Object.values(await panelCounts(page, stageId)).reduce((a, b) => a + b, 0), {
      timeout: 120_000,
      interval: 1000
    })
    .toBe(alerts);
  expect(await panelCounts(page, stageId)).toEqual(backtest);
  expect(await sidebarOverflow(page)).toEqual([]);
  await stageRow.scrollIntoViewIfNeeded();
  await shot(page, '4-stages');

  // the notebook sees the same outputs from the controller
  const watched = printed(
    await runCell(page, await cellIndex(page, 'def stage(')),
    'stage outputs:'
  );
  expect(watched).toEqual(backtest);
}
