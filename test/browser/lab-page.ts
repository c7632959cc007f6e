/// <reference lib="dom" />
// (code passed to page.evaluate runs in the browser)
import type { Page } from 'playwright-core';
import type { JupyterLab } from './jupyterlab.js';

/** What a plotly graph inside `rootSelector` draws (read from the page, not from our code). */
export interface PlotSummary {
  traces: { name: string; type: string; points: number }[];
  datasetPoints: number;
  objects: string[];
}

interface LabWindow {
  jupyterapp?: {
    commands: { execute(id: string, args?: unknown): Promise<unknown> };
    shell: {
      activateById(id: string): void;
      currentWidget: {
        sessionContext?: { session?: { kernel?: { status: string } | null } | null };
      } | null;
    };
  };
}

/** Opens a notebook of the served folder and waits for its kernel to be idle. */
export async function openNotebook(page: Page, lab: JupyterLab, name: string): Promise<void> {
  await page.goto(`${lab.url}/lab/tree/${name}?token=${lab.token}`);
  await page.waitForFunction(() => (window as LabWindow).jupyterapp !== undefined, undefined, {
    timeout: 60_000
  });
  await page.waitForSelector('.jp-Notebook .jp-Cell', { timeout: 60_000 });
  await page.waitForFunction(
    () =>
      (window as LabWindow).jupyterapp?.shell.currentWidget?.sessionContext?.session?.kernel
        ?.status === 'idle',
    undefined,
    { timeout: 90_000 }
  );
}

export async function runAllCells(page: Page): Promise<void> {
  await page.evaluate(() =>
    (window as LabWindow).jupyterapp?.commands.execute('notebook:run-all-cells')
  );
}

/** Text output of the `index`-th code cell (0-based), once it has run. */
export async function cellOutput(page: Page, index: number): Promise<string> {
  const cell = page.locator('.jp-Notebook .jp-CodeCell').nth(index);
  await cell.locator('.jp-OutputArea-output').first().waitFor({ timeout: 90_000 });
  return (await cell.locator('.jp-OutputArea').innerText()).trim();
}

/** Runs the `index`-th code cell again and returns its new output. */
export async function rerunCell(page: Page, index: number): Promise<string> {
  const cell = page.locator('.jp-Notebook .jp-CodeCell').nth(index);
  const prompt = cell.locator('.jp-InputPrompt');
  const before = await prompt.innerText();
  await cell.locator('.jp-InputArea-editor').click();
  await page.evaluate(() =>
    (window as LabWindow).jupyterapp?.commands.execute('notebook:run-cell')
  );
  await page.waitForFunction(
    ({ i, b }) => {
      const p =
        document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')[i]?.textContent ??
        '';
      return p !== b && !p.includes('*');
    },
    { i: index, b: before },
    { timeout: 60_000 }
  );
  return (await cell.locator('.jp-OutputArea').innerText()).trim();
}

export async function plotSummary(page: Page, rootSelector: string): Promise<PlotSummary> {
  return page.evaluate(sel => {
    interface Gd extends HTMLElement {
      data: { name?: string; type?: string; x?: ArrayLike<unknown> }[];
    }
    const holder = document.querySelector<HTMLElement>(`${sel} .alertlab-plot`);
    const gd = document.querySelector(`${sel} .js-plotly-plot`) as Gd | null;
    if (!holder || !gd) {
      throw new Error(`no plot under ${sel}`);
    }
    return {
      traces: gd.data.map(t => ({
        name: t.name ?? '',
        type: t.type ?? 'scatter',
        points: t.x?.length ?? 0
      })),
      datasetPoints: Number(holder.dataset.points ?? -1),
      objects: (holder.dataset.objects ?? '').split(',').filter(s => s.length > 0)
    };
  }, rootSelector);
}

/** Opens a sidebar panel by its widget id (what clicking its tab does). */
export async function openSidebar(page: Page, id: string): Promise<void> {
  await page.evaluate(
    widgetId => (window as LabWindow).jupyterapp?.shell.activateById(widgetId),
    id
  );
  await page.waitForSelector(`#${id}:not(.lm-mod-hidden)`, { timeout: 30_000 });
}

interface NotebookPanelLike {
  content: {
    activeCellIndex: number;
    widgets: {
      model: {
        type: string;
        outputs?: { toJSON(): { output_type: string; ename?: string; evalue?: string }[] };
      };
    }[];
  };
}

/**
 * Runs the `index`-th cell (0-based, markdown cells included) of the current notebook and waits
 * for it to finish; throws with the Python error when the cell raised. Returns the cell's text.
 */
export async function runCell(page: Page, index: number): Promise<string> {
  const error = await page.evaluate(async i => {
    const app = (window as LabWindow).jupyterapp;
    const panel = app?.shell.currentWidget as unknown as NotebookPanelLike | null;
    if (!app || !panel) {
      throw new Error('no notebook open');
    }
    panel.content.activeCellIndex = i;
    await app.commands.execute('notebook:run-cell');
    const outputs = panel.content.widgets[i].model.outputs?.toJSON() ?? [];
    const err = outputs.find(o => o.output_type === 'error');
    return err ? `${err.ename ?? 'Error'}: ${err.evalue ?? ''}` : '';
  }, index);
  const cell = page.locator('.jp-Notebook .jp-Cell').nth(index);
  const text = (
    await cell
      .locator('.jp-OutputArea')
      .innerText()
      .catch(() => '')
  ).trim();
  if (error) {
    throw new Error(`cell ${index} raised ${error}\n${text.slice(-3000)}`);
  }
  return text;
}

/** Index (0-based, markdown included) of the first cell of the open notebook whose source holds `marker`. */
export async function cellIndex(page: Page, marker: string): Promise<number> {
  const index = await page.evaluate(m => {
    const panel = (window as LabWindow).jupyterapp?.shell.currentWidget as unknown as {
      content: { widgets: { model: { sharedModel: { getSource(): string } } }[] };
    } | null;
    return panel?.content.widgets.findIndex(w => w.model.sharedModel.getSource().includes(m)) ?? -1;
  }, marker);
  if (index < 0) {
    throw new Error(`no cell of the notebook contains ${JSON.stringify(marker)}`);
  }
  return index;
}
