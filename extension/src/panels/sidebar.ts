import { Widget } from '@lumino/widgets';
import type { ControllerApi, ControllerResult } from './api.js';
import { el, fittedTable, numberCell, text } from './render.js';

interface TopicInfo {
  topic: string;
  partitions: number;
  replicationFactor?: number;
  endOffsets?: Record<string, string | number> | (string | number)[];
  /** Records held (end minus start offsets, summed over partitions; a decimal string). */
  records?: string | number;
  groups?: { groupId: string; lag?: number | string }[];
  ratePerSecond?: number;
}

export interface StageInfo {
  id: string;
  status?: string;
  version?: number;
  replicas?: number;
  liveWorkers?: number;
  ratePerSecond?: number;
  recordsIn?: number;
  deadLetters?: number;
  errors?: number;
  outputTopics?: Record<string, string>;
  /** Per output: its topic, alerts written and alerts per second (last ~10 s). */
  outputs?: { name: string; topic: string; alertsOut?: number; ratePerSecond?: number }[];
}

function sumOffsets(o: TopicInfo['endOffsets']): string {
  if (!o) {
    return '–';
  }
  const values = Array.isArray(o) ? o : Object.values(o);
  return values.reduce<bigint>((s, v) => s + BigInt(v), 0n).toString();
}

/** Left sidebar: buffer topics and deployed stages, refreshed on a timer. */
export class AlertlabSidebar extends Widget {
  private timer: number | undefined;
  private readonly status = el('div', { class: 'alertlab-status' });
  private readonly topics = el('div', { class: 'alertlab-topics' });
  private readonly topicFilter = el('input', {
    class: 'jp-mod-styled alertlab-topic-filter',
    type: 'search',
    placeholder: 'Filter topics (record counts for ≤ 25)',
    title: 'Show the topics whose name contains this text'
  });
  private readonly stages = el('div', { class: 'alertlab-stages' });

  constructor(private readonly api: ControllerApi) {
    super();
    this.id = 'alertlab-sidebar';
    this.addClass('alertlab-sidebar');
    this.title.caption = 'alertlab: topics and stages';
    const refresh = el(
      'button',
      { class: 'jp-mod-styled alertlab-refresh', title: 'Refresh now' },
      'Refresh'
    );
    refresh.addEventListener('click', () => void this.refresh());
    this.topicFilter.addEventListener('change', () => void this.refresh());
    this.node.append(
      el('header', {}, el('h2', {}, 'alertlab'), refresh),
      this.status,
      el('h3', {}, 'Buffer topics'),
      this.topicFilter,
      this.topics,
      el('h3', {}, 'Stages'),
      this.stages
    );
  }

  /** Refreshes every `intervalMs` (0: only on demand). */
  setRefreshInterval(intervalMs: number): void {
    window.clearInterval(this.timer);
    this.timer =
      intervalMs > 0 ? window.setInterval(() => void this.refresh(), intervalMs) : undefined;
  }

  async refresh(): Promise<void> {
    const [topics, stages] = await Promise.all([
      this.api.request<{ topics: TopicInfo[]; recordsOmitted?: string }>(
        `buffers/topics?match=${encodeURIComponent(this.topicFilter.value.trim())}`
      ),
      this.api.request<{ stages: StageInfo[] }>('stages')
    ]);
    this.showStatus(topics.ok ? stages : topics);
    if (topics.ok) {
      this.renderTopics(topics.value.topics ?? [], topics.value.recordsOmitted);
    }
    if (stages.ok) {
      this.renderStages(stages.value.stages ?? []);
    }
  }

  private showStatus(result: ControllerResult<unknown>): void {
    this.status.replaceChildren();
    this.node.dataset.state = result.ok ? 'connected' : result.error;
    if (!result.ok) {
      const title =
        result.error === 'controller-not-running' ? 'Controller not running' : 'Controller error';
      this.status.append(
        el('div', { class: 'alertlab-error' }, el('strong', {}, title), el('p', {}, result.message))
      );
      this.topics.replaceChildren();
      this.stages.replaceChildren();
    }
  }

  private renderTopics(topics: TopicInfo[], recordsOmitted?: string): void {
    const rows = topics.map(t => {
      const groups = t.groups?.map(g => `${g.groupId} (lag ${text(g.lag)})`).join(', ');
      return el(
        'tr',
        {},
        el(
          'td',
          { title: groups ? `${t.topic}\nconsumer groups: ${groups}` : t.topic },
          t.topic,
          ...(groups ? [el('div', { class: 'alertlab-sub' }, groups)] : [])
        ),
        numberCell(text(t.partitions)),
        numberCell(t.records === undefined ? sumOffsets(t.endOffsets) : text(t.records)),
        numberCell(text(t.ratePerSecond))
      );
    });
    this.topics.replaceChildren(
      rows.length
        ? fittedTable(['topic', 'part.', 'records', 'rate/s'], rows, 'alertlab-topic-table')
        : el('p', {}, 'No topics.'),
      ...(recordsOmitted ? [el('p', { class: 'alertlab-note' }, recordsOmitted)] : [])
    );
  }

  /**
   * Per stage: its name, version, status and workers on a full-width row, then what comes in
   * (records, rate), one row per output (alerts written, rate), and its actions. Names get the
   * width; numbers stay narrow.
   */
  private renderStages(stages: StageInfo[]): void {
    const rows = stages.flatMap(s => {
      const problems = s.deadLetters ?? s.errors ?? 0;
      return [
        el(
          'tr',
          { class: 'alertlab-stage-row', 'data-stage': s.id },
          el(
            'td',
            { colspan: '3', title: `${s.id} version ${text(s.version)}: ${text(s.status)}` },
            `${s.id} `,
            el(
              'span',
              { class: 'alertlab-sub' },
              `v${text(s.version)} · ${text(s.status)} · ${text(s.liveWorkers)}/${text(s.replicas)} workers`
            )
          )
        ),
        el(
          'tr',
          { class: 'alertlab-input-row', 'data-stage': s.id },
          el('td', { class: 'alertlab-output', title: 'records read from the input topic' }, 'in'),
          numberCell(text(s.recordsIn ?? 0)),
          numberCell(text(s.ratePerSecond ?? 0))
        ),
        ...(s.outputs ?? []).map(o =>
          el(
            'tr',
            { class: 'alertlab-output-row', 'data-stage': s.id, 'data-output': o.name },
            el(
              'td',
              { class: 'alertlab-output', title: `output ${o.name} → topic ${o.topic}` },
              `→ ${o.name}`
            ),
            numberCell(text(o.alertsOut ?? 0)),
            numberCell(text(o.ratePerSecond ?? 0))
          )
        ),
        el(
          'tr',
          { class: 'alertlab-actions-row', 'data-stage': s.id },
          el(
            'td',
            { colspan: '3' },
            this.stageButtons(s),
            ...(problems
              ? [el('span', { class: 'alertlab-sub' }, ` dead letters / errors: ${text(problems)}`)]
              : [])
          )
        )
      ];
    });
    this.stages.replaceChildren(
      rows.length
        ? fittedTable(['', 'alerts', 'rate/s'], rows, 'alertlab-stage-table')
        : el(
            'p',
            {},
            'No stages yet. Promote a filter from a notebook cell (right-click → Promote filter).'
          )
    );
  }

  private stageButtons(s: StageInfo): HTMLElement {
    const button = (
      label: string,
      title: string,
      action: () => Promise<unknown>
    ): HTMLButtonElement => {
      const b = el('button', { class: 'jp-mod-styled jp-mod-minimal', title }, label);
      b.addEventListener('click', () => void action().then(() => this.refresh()));
      return b;
    };
    const id = encodeURIComponent(s.id);
    const replicas = s.replicas ?? 1;
    return el(
      'span',
      { class: 'alertlab-stage-actions' },
      button('+', 'Scale up one worker', () =>
        this.act(`stages/${id}/scale`, { replicas: replicas + 1 })
      ),
      button('−', 'Scale down one worker', () =>
        this.act(`stages/${id}/scale`, { replicas: Math.max(replicas - 1, 0) })
      ),
      s.status === 'stopped'
        ? button('start', 'Start the workers', () => this.act(`stages/${id}/start`, {}))
        : button('stop', 'Stop the workers', () => this.act(`stages/${id}/stop`, {})),
      button('rollback', 'Restore the previous version', () =>
        this.act(`stages/${id}/rollback`, {})
      )
    );
  }

  private async act(path: string, body: unknown): Promise<void> {
    const r = await this.api.request(path, { method: 'POST', body });
    if (!r.ok) {
      this.showStatus(r);
    }
  }

  override dispose(): void {
    window.clearInterval(this.timer);
    super.dispose();
  }
}
