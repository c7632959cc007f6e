import { DOMWidgetView } from '@jupyter-widgets/base';
import Plotly from 'plotly.js-dist-min';
import { ArrowTableModel } from './arrow-model.js';
import {
  buildLightcurveFigure,
  lightcurvePointsFromTable,
  type LightcurvePoints
} from './lightcurve-figure.js';
import { frameScheduler, PLOT_CONFIG } from './plotly-config.js';

/**
 * State: `_table` (Arrow IPC of lightcurve points), `y`, `time`, `objects`, `max_panels`,
 * `height`.
 */
export class LightcurveModel extends ArrowTableModel {
  override defaults(): Record<string, unknown> {
    return {
      ...super.defaults(),
      _model_name: 'LightcurveModel',
      _view_name: 'LightcurveView',
      y: 'mag',
      time: 'mjd',
      objects: [],
      max_panels: 6
    };
  }

  /** Points decoded from the table, cached until the data changes. */
  points(): LightcurvePoints | null {
    if (this.cached === undefined) {
      const t = this.table();
      this.cached = t ? lightcurvePointsFromTable(t) : null;
    }
    return this.cached;
  }

  override initialize(...args: Parameters<ArrowTableModel['initialize']>): void {
    super.initialize(...args);
    this.on('data', () => (this.cached = undefined), this);
  }

  declare private cached: LightcurvePoints | null | undefined;
}

/**
 * Plotly lightcurve: one panel per object, one colour per band; detections, forced photometry
 * and upper limits drawn with different markers.
 */
export class LightcurveView extends DOMWidgetView {
  private readonly plot = document.createElement('div');
  private readonly schedule = frameScheduler(() => void this.draw());
  private drawn = false;

  override render(): void {
    this.el.classList.add('alertlab-lightcurve');
    this.plot.className = 'alertlab-plot';
    this.el.appendChild(this.plot);
    this.listenTo(
      this.model,
      'data change:y change:time change:objects change:max_panels change:height',
      this.schedule
    );
    void this.displayed.then(() => {
      this.schedule();
      this.send({ event: 'ready' });
    });
  }

  private async draw(): Promise<void> {
    const model = this.model as LightcurveModel;
    const points = model.points();
    const started = performance.now();
    const fig = buildLightcurveFigure(points ?? lightcurvePointsFromEmpty(), {
      y: model.get('y') === 'flux' ? 'flux' : 'mag',
      time: model.get('time') === 'date' ? 'date' : 'mjd',
      objects: (model.get('objects') as string[] | null) ?? [],
      maxPanels: Number(model.get('max_panels') ?? 6),
      heightPx: Number(model.get('height') ?? 420)
    });
    await (this.drawn ? Plotly.react : Plotly.newPlot)(
      this.plot,
      fig.data,
      fig.layout,
      PLOT_CONFIG
    );
    this.drawn = true;
    this.plot.dataset.points = String(fig.points);
    this.plot.dataset.objects = fig.objects.join(',');
    this.plot.dataset.renderMs = (performance.now() - started).toFixed(1);
  }

  override remove(): void {
    Plotly.purge(this.plot);
    super.remove();
  }
}

function lightcurvePointsFromEmpty(): LightcurvePoints {
  const f = new Float64Array(0);
  return {
    objectId: [],
    alertId: [],
    mjd: f,
    band: [],
    mag: f,
    magErr: f,
    upperLimitMag: f,
    flux: f,
    fluxErr: f,
    isDetection: new Uint8Array(0),
    forced: new Uint8Array(0)
  };
}
