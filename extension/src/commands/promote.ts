import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Dialog, ICommandPalette, InputDialog, showDialog } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { Widget } from '@lumino/widgets';
import type { ControllerResult } from '../panels/api.js';
import { controllerApi, panelsPlugin } from '../panels/plugin.js';
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
  skipped?: string;
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

/** Input topic the dialog suggests when the settings say nothing. */
const DEFAULT_INPUT_TOPIC = 'alerts-rubin';

function summary(reply: DeployReply): HTMLElement {
  const outputs = reply.evidence?.result?.outputs ?? [];
  const topics = Object.entries(reply.outputTopics ?? {});
  return el(
    'div',
    { class: 'alertlab-promote-summary' },
    el(
      'p',
      {},
      `Stage ${reply.id} version ${reply.version} deployed; backtest on ${text(reply.evidence?.sampledAlerts)} buffered alerts` +
        (reply.evidence?.skipped ? ` (gate skipped: ${reply.evidence.skipped})` : '') +
        ':'
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
    ),
    el(
      'p',
      { class: 'alertlab-output-topics' },
      `Output topics: ${topics.map(([name, topic]) => `${name} → ${topic}`).join(', ') || '–'}`
    )
  );
}

/** The refusal as the controller worded it, with the gate's reason (422) when there is one. */
function refusal(result: Extract<ControllerResult<unknown>, { ok: false }>): HTMLElement {
  const reason = result.details?.reason;
  return el(
    'div',
    { class: 'alertlab-error', 'data-status': String(result.status) },
    el('p', {}, result.message),
    ...(typeof reason === 'string'
      ? [el('p', {}, `Backtest gate: ${reason} (HTTP ${result.status}).`)]
      : [])
  );
}

async function suggestedInput(registry: ISettingRegistry | null): Promise<string> {
  try {
    const settings = await registry?.load(panelsPlugin.id);
    const topic = settings?.get('promoteInputTopic').composite;
    return typeof topic === 'string' && topic !== '' ? topic : DEFAULT_INPUT_TOPIC;
  } catch {
    return DEFAULT_INPUT_TOPIC;
  }
}

async function promote(app: JupyterFrontEnd, registry: ISettingRegistry | null): Promise<void> {
  const cell = activeCell(app);
  if (!cell) {
    await showDialog({
      title: 'Promote filter',
      body: 'Select the notebook code cell that defines the filter, then run Promote filter again.',
      buttons: [Dialog.okButton()]
    });
    return;
  }
  const asked = await InputDialog.getText({
    title: 'Promote filter: input topic',
    label: 'Buffer topic the stage reads (the backtest samples its last alerts):',
    text: await suggestedInput(registry),
    okLabel: 'Backtest and deploy'
  });
  const input = asked.value?.trim() ?? '';
  if (!asked.button.accept || input === '') {
    return;
  }
  const result = await controllerApi.request<DeployReply>('stages/promote', {
    method: 'POST',
    body: {
      source: cell.source,
      input,
      author: 'jupyterlab',
      lineage: { notebook: cell.path, cell: cell.index }
    }
  });
  if (!result.ok) {
    await showDialog({
      title:
        result.error === 'controller-not-running' ? 'Controller not running' : 'Promote refused',
      body: new Widget({ node: refusal(result) }),
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
  optional: [ICommandPalette, ISettingRegistry],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    registry: ISettingRegistry | null
  ): void => {
    app.commands.addCommand(CommandIDs.promoteFilter, {
      label: 'Promote filter',
      caption: "Backtest the cell's filter on buffered alerts and deploy it as a stage",
      execute: () => promote(app, registry)
    });
    app.contextMenu.addItem({
      command: CommandIDs.promoteFilter,
      selector: '.jp-CodeCell',
      rank: 20
    });
    palette?.addItem({ command: CommandIDs.promoteFilter, category: 'alertlab' });
  }
};
