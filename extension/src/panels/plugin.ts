import {
  ILayoutRestorer,
  type JupyterFrontEnd,
  type JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ControllerApi } from './api.js';
import { AlertlabSidebar } from './sidebar.js';
import { CommandIDs, PLUGIN_PREFIX } from '../version.js';

/** Token-free handle other plugins (the promote command) share. */
export const controllerApi = new ControllerApi();

/** Left sidebar with buffer topics and stages; settings: controller URL, refresh rate. */
export const panelsPlugin: JupyterFrontEndPlugin<void> = {
  id: `${PLUGIN_PREFIX}:panels`,
  description: 'alertlab topics and stages sidebar.',
  autoStart: true,
  optional: [ISettingRegistry, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    registry: ISettingRegistry | null,
    restorer: ILayoutRestorer | null
  ): void => {
    const sidebar = new AlertlabSidebar(controllerApi);
    sidebar.title.label = 'alertlab';
    app.shell.add(sidebar, 'left', { rank: 900 });
    restorer?.add(sidebar, sidebar.id);
    app.commands.addCommand(CommandIDs.refreshPanels, {
      label: 'Refresh alertlab panels',
      execute: () => sidebar.refresh()
    });
    const apply = (settings: ISettingRegistry.ISettings | null): void => {
      controllerApi.controllerUrl = String(settings?.get('controllerUrl').composite ?? '');
      sidebar.setRefreshInterval(Number(settings?.get('refreshIntervalMs').composite ?? 5000));
      void sidebar.refresh();
    };
    if (registry) {
      void registry.load(panelsPlugin.id).then(
        settings => {
          settings.changed.connect(() => apply(settings));
          apply(settings);
        },
        () => apply(null)
      );
    } else {
      apply(null);
    }
  }
};
