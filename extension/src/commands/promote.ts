import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Dialog, ICommandPalette, showDialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';
import { controllerApi } from '../panels/plugin.js';
import { el, table, text } from '../panels/render.js';
import { CommandIDs, PLUGIN_PREFIX } from '../version.js';

/** The parts of a notebook panel the command reads (structural: no @jupyterlab/notebook import). */
interface NotebookPanelLike {
  context: { path: string };
  content: {
    activeCellIndex: number;
    activeCell: { model: { type: string; sharedModel: { getSource(): string } } } | null;
  };
}

function activeCell(app: JupyterFrontEnd): { source: string; path: string; index: number } | null {
  const w = app.shell.currentWidget as unknown as Partial<NotebookPanelLike> | null;
  const cell = w?.content?.activeCell;
  if (!w?.context || !cell || cell.model.type !== 'code') {
    return null;
  }
  return {
    source: cell.model.sharedModel.getSource(),
    path: w.context.path,
    index: w.content?.activeCellIndex ?? 0
  };
}

interface Evidence {
  sampledAlerts?: number;
  result?: {
    outputs?: { name: string; count: number; fraction: number; estimatedPerNight: number }[];
  };
}
interface DeployReply {
  id: string;
  version: number;
  outputTopics?: Record<string, string>;
  evidence?: Evidence;
}

function summary(reply: DeployReply): HTMLElement {
  const outputs = reply.evidence?.result?.outputs ?? [];
  return el(
    'div',
    { class: 'alertlab-promote-summary' },
    el(
      'p',
      {},
      `Stage ${reply.id} version ${reply.version} deployed; backtest on ${text(reply.evidence?.sampledAlerts)} buffered alerts:`
    ),
    table(
      ['output', 'alerts', 'fraction', 'per night (est.)', 'topic'],
      outputs.map(o => [
        o.name,
        text(o.count),
        `${(o.fraction * 100).toFixed(1)} %`,
        text(o.estimatedPerNight),
        reply.outputTopics?.[o.name] ?? '–'
      ]),
      'alertlab-backtest-table'
    )
  );
}

async function promote(app: JupyterFrontEnd): Promise<void> {
  const cell = activeCell(app);
  if (!cell) {
    await showDialog({
      title: 'Promote filter',
      body: 'Select the notebook code cell that defines the filter, then run Promote filter again.',
      buttons: [Dialog.okButton()]
    });
    return;
  }
  const result = await controllerApi.request<DeployReply>('stages', {
    method: 'POST',
    body: {
      manifest: { language: 'python', source: cell.source },
      lineage: { notebook: cell.path, cell: cell.index }
    }
  });
  if (!result.ok) {
    await showDialog({
      title:
        result.error === 'controller-not-running' ? 'Controller not running' : 'Promote failed',
      body: new Widget({ node: el('div', { class: 'alertlab-error' }, result.message) }),
      buttons: [Dialog.okButton()]
    });
    return;
  }
  await showDialog({
    title: 'Filter promoted',
    body: new Widget({ node: summary(result.value) }),
    buttons: [Dialog.okButton()]
  });
  await app.commands.execute(CommandIDs.refreshPanels);
}

/** "Promote filter" in the command palette and the code cell context menu. */
export const promotePlugin: JupyterFrontEndPlugin<void> = {
  id: `${PLUGIN_PREFIX}:promote`,
  description: 'Promote the filter defined in a notebook cell to a deployed stage.',
  autoStart: true,
  optional: [ICommandPalette],
  activate: (app: JupyterFrontEnd, palette: ICommandPalette | null): void => {
    app.commands.addCommand(CommandIDs.promoteFilter, {
      label: 'Promote filter',
      caption: "Backtest the cell's filter on buffered alerts and deploy it as a stage",
      execute: () => promote(app)
    });
    app.contextMenu.addItem({
      command: CommandIDs.promoteFilter,
      selector: '.jp-CodeCell',
      rank: 20
    });
    palette?.addItem({ command: CommandIDs.promoteFilter, category: 'alertlab' });
  }
};
