import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withChromium } from './chromium.js';
import { freePort, ROOT, withJupyterLab } from './jupyterlab.js';
import { openNotebook, openSidebar } from './lab-page.js';
import { withStubController } from './stub-controller.js';

const ARTIFACTS = join(ROOT, 'test-artifacts');
const NOTEBOOK = join(ROOT, 'test', 'browser', 'fixtures', 'promote.ipynb');

describe('alertlab panels and the controller proxy', () => {
  it('shows "controller not running", then topics, stages and a promoted filter through the proxy', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const home = mkdtempSync(join(tmpdir(), 'alertlab-home-'));
    const token = 'stub-token-' + Date.now();
    writeFileSync(join(home, 'controller.token'), token);
    const deadUrl = `http://127.0.0.1:${await freePort()}`;
    try {
      await withStubController(token, controller =>
        withJupyterLab(
          {
            files: [NOTEBOOK],
            env: {
              ALERTLAB_CONTROLLER_URL: deadUrl,
              ALERTLAB_CONTROLLER_TOKEN_FILE: join(home, 'controller.token')
            }
          },
          async lab => {
            const auth = { Authorization: `token ${lab.token}` };
            // Jupyter's auth applies, and an absent controller is a clear 503.
            expect((await fetch(`${lab.url}/alertlab/api/stages`)).status).toBe(403);
            const dead = await fetch(`${lab.url}/alertlab/api/stages`, { headers: auth });
            expect(dead.status).toBe(503);
            const deadBody = (await dead.json()) as { error: string; message: string };
            expect(deadBody.error).toBe('controller-not-running');
            expect(deadBody.message).toContain('bin/alertlab controller');

            await withChromium(async browser => {
              const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
              const consoleErrors: string[] = [];
              page.on('console', m => {
                if (m.type() === 'error') {
                  consoleErrors.push(m.text());
                }
              });
              try {
                await openNotebook(page, lab, 'promote.ipynb');
                await openSidebar(page, 'alertlab-sidebar');
                await page.waitForSelector(
                  '#alertlab-sidebar[data-state="controller-not-running"]',
                  { timeout: 30_000 }
                );
                expect(
                  await page.locator('#alertlab-sidebar .alertlab-error').innerText()
                ).toContain('bin/alertlab controller');

                // Point the settings at the (loopback) stub controller; the server adds the token.
                const put = await fetch(`${lab.url}/lab/api/settings/@alertlab/extension:panels`, {
                  method: 'PUT',
                  headers: { ...auth, 'Content-Type': 'application/json' },
                  body: JSON.stringify({
                    raw: JSON.stringify({ controllerUrl: controller.url, refreshIntervalMs: 1000 })
                  })
                });
                expect(put.status).toBe(204);
                await page.reload();
                await openNotebook(page, lab, 'promote.ipynb');
                await openSidebar(page, 'alertlab-sidebar');
                await page.waitForSelector(
                  '#alertlab-sidebar[data-state="connected"] .alertlab-topic-table',
                  { timeout: 30_000 }
                );
                expect(await page.locator('.alertlab-topic-table').innerText()).toContain(
                  'alerts.ztf'
                );
                expect(await page.locator('.alertlab-topic-table').innerText()).toContain('42');

                // Promote the filter cell from its context menu.
                const cell = page.locator('.jp-Notebook .jp-CodeCell').first();
                await cell.locator('.jp-InputArea-editor').click();
                await cell.locator('.jp-InputArea-editor').click({ button: 'right' });
                await page.locator('.lm-Menu-item', { hasText: 'Promote filter' }).click();
                await page.waitForSelector('.jp-Dialog .alertlab-backtest-table', {
                  timeout: 30_000
                });
                expect(await page.locator('.jp-Dialog').innerText()).toContain('stage-1');
                await page.screenshot({ path: join(ARTIFACTS, 'promote.png') });
                await page.locator('.jp-Dialog .jp-mod-accept').click();
                await page.waitForSelector('.alertlab-stage-table', { timeout: 30_000 });
                expect(await page.locator('.alertlab-stage-table').innerText()).toContain(
                  'stage-1'
                );
                await page.screenshot({ path: join(ARTIFACTS, 'panels.png') });
              } catch (err) {
                await page
                  .screenshot({ path: join(ARTIFACTS, 'panels-failure.png') })
                  .catch(() => undefined);
                throw new Error(
                  `${String(err)}\n--- browser console errors ---\n${consoleErrors.join('\n')}`,
                  { cause: err }
                );
              } finally {
                await page.close();
              }
            });
            const posted = controller.requests.find(
              r => r.method === 'POST' && r.path === '/stages'
            );
            expect(posted?.authorised).toBe(true);
            expect(JSON.stringify(posted?.body)).toContain('alertlab.filter');
            expect(controller.requests.every(r => r.authorised)).toBe(true);
          }
        )
      );
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 300_000);
});
