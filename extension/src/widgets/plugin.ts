import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IJupyterWidgetRegistry } from '@jupyter-widgets/base';
import { CutoutsModel, CutoutsView } from './cutouts.js';
import { LightcurveModel, LightcurveView } from './lightcurve.js';
import { SkyMapModel, SkyMapView } from './skymap.js';
import { MODULE_NAME, MODULE_VERSION, PLUGIN_PREFIX } from '../version.js';

/** Registers the ipywidgets 8 models and views (`alertlab.widgets.Lightcurve`, `SkyMap`). */
export const widgetsPlugin: JupyterFrontEndPlugin<void> = {
  id: `${PLUGIN_PREFIX}:widgets`,
  description: 'alertlab lightcurve and sky map widgets.',
  autoStart: true,
  requires: [IJupyterWidgetRegistry],
  activate: (_app: JupyterFrontEnd, registry: IJupyterWidgetRegistry): void => {
    registry.registerWidget({
      name: MODULE_NAME,
      version: MODULE_VERSION,
      exports: {
        CutoutsModel,
        CutoutsView,
        LightcurveModel,
        LightcurveView,
        SkyMapModel,
        SkyMapView
      }
    });
  }
};
