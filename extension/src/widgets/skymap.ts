import { DOMWidgetView } from '@jupyter-widgets/base';
import Plotly, { type SelectionEvent } from 'plotly.js-dist-min';
import { ArrowTableModel, type CommandMessage } from './arrow-model.js';
import { decodeArrow, idString, type BinaryLike } from './columns.js';
import { overlaysFromTable, skyPointsFromTable } from './skymap-points.js';
import { frameScheduler, PLOT_CONFIG } from './plotly-config.js';
import { projectionExtent, type ProjectionName } from './projection.js';
import { buildSkyMapFigure, selectedPoints, selectedRows, zoomRanges } from './skymap-figure.js';

/**
 * State: `_table` (Arrow IPC: ra, dec, alertId, objectId and a `colour` column), `colour_by`,
 * `_overlays` (Arrow IPC: catalog, ra, dec), `projection`, `selected` (row indices), `height`,
 * `marker_size`. Commands: `zoom_to {raDeg, decDeg, radiusDeg}`, `reset_zoom`.
 */
export class SkyMapModel extends ArrowTableModel {
  override defaults(): Record<string, unknown> {
    return {
      ...super.defaults(),
      _model_name: 'SkyMapModel',
      _view_name: 'SkyMapView',
      _overlays: null,
      colour_by: '',
      projection: 'aitoff',
      selected: [],
      height: 480,
      marker_size: 4
    };
  }
}

/** WebGL all-sky map; box/lasso selection writes row indices to the `selected` trait. */
export class SkyMapView extends DOMWidgetView {
  private readonly plot = document.createElement('div');
  private readonly tip = document.createElement('div');
  private readonly schedule = frameScheduler(() => void this.draw());
  private traceRows: (Int32Array | null)[] = [];
  private drawn = false;
  private selecting = false;

  override render(): void {
    this.el.classList.add('alertlab-skymap');
    this.plot.className = 'alertlab-plot';
    this.tip.className = 'alertlab-tooltip';
    this.tip.hidden = true;
    this.el.append(this.plot, this.tip);
    this.listenTo(
      this.model,
      'data change:_overlays change:projection change:colour_by change:height change:marker_size',
      this.schedule
    );
    this.listenTo(this.model, 'change:selected', () => this.highlight());
    this.listenTo(this.model, 'command', (msg: CommandMessage) => void this.command(msg));
    void this.displayed.then(() => {
      this.schedule();
      this.send({ event: 'ready' });
    });
  }

  private projection(): ProjectionName {
    return this.model.get('projection') === 'mollweide' ? 'mollweide' : 'aitoff';
  }

  private async draw(): Promise<void> {
    const started = performance.now();
    const model = this.model as SkyMapModel;
    const points = skyPointsFromTable(model.table(), String(model.get('colour_by') ?? ''));
    const overlays = overlaysFromTable(decodeArrow(model.get('_overlays') as BinaryLike | null));
    const fig = buildSkyMapFigure(points, overlays, {
      projection: this.projection(),
      heightPx: Number(model.get('height') ?? 480),
      markerSizePx: Number(model.get('marker_size') ?? 4)
    });
    this.traceRows = fig.traceRows;
    const gd = await (this.drawn ? Plotly.react : Plotly.newPlot)(
      this.plot,
      fig.data,
      fig.layout,
      PLOT_CONFIG
    );
    if (!this.drawn) {
      gd.on('plotly_selected', ev => this.onSelected(ev));
      gd.on('plotly_deselect', () => this.onSelected(undefined));
      gd.on('plotly_hover', ev => this.onHover(ev));
      gd.on('plotly_unhover', () => (this.tip.hidden = true));
    }
    this.drawn = true;
    this.plot.dataset.points = String(fig.points);
    this.plot.dataset.renderMs = (performance.now() - started).toFixed(1);
    this.highlight();
  }

  private onSelected(ev: SelectionEvent | undefined): void {
    const rows = selectedRows(ev, this.traceRows);
    this.selecting = true;
    this.model.set('selected', rows);
    this.model.save_changes();
    this.selecting = false;
    this.plot.dataset.selected = String(rows.length);
  }

  private highlight(): void {
    if (this.selecting || !this.drawn) {
      return;
    }
    const rows = (this.model.get('selected') as number[] | null) ?? [];
    const per = selectedPoints(rows, this.traceRows);
    const traces = per.map((_, i) => i).filter(i => this.traceRows[i] !== null);
    if (traces.length > 0) {
      void Plotly.restyle(this.plot, { selectedpoints: traces.map(i => per[i]) }, traces);
    }
    this.plot.dataset.selected = String(rows.length);
  }

  private onHover(ev: SelectionEvent): void {
    const p = ev.points[0];
    const map = p ? this.traceRows[p.curveNumber] : null;
    const table = (this.model as SkyMapModel).table();
    if (!p || !map || !table) {
      this.tip.hidden = true;
      return;
    }
    const row = map[p.pointIndex ?? p.pointNumber];
    const ra = table.getChild('ra')?.get(row) as number;
    const dec = table.getChild('dec')?.get(row) as number;
    const objectId = (table.getChild('objectId')?.get(row) as string | null) ?? '';
    this.tip.textContent = `${objectId}  alert ${idString(table, 'alertId', row)}  RA ${ra.toFixed(5)}°  Dec ${dec.toFixed(5)}°`;
    this.tip.hidden = false;
  }

  private async command(msg: CommandMessage): Promise<void> {
    const a = msg.args ?? {};
    if (msg.method === 'zoom_to') {
      await Plotly.relayout(
        this.plot,
        zoomRanges(this.projection(), Number(a.raDeg), Number(a.decDeg), Number(a.radiusDeg))
      );
    } else if (msg.method === 'reset_zoom') {
      const [hx, hy] = projectionExtent(this.projection());
      await Plotly.relayout(this.plot, {
        'xaxis.range': [-hx * 1.02, hx * 1.02],
        'yaxis.range': [-hy * 1.02, hy * 1.02]
      });
    }
  }

  override remove(): void {
    Plotly.purge(this.plot);
    super.remove();
  }
}
