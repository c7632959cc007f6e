/** npm name of the widget module, as the Python side names it in `_model_module`. */
export const MODULE_NAME = '@alertlab/extension';

/**
 * Wire-spec version of the widget models (`_model_module_version`), kept apart from the npm
 * version: bump it when the state or message format changes, not on every release.
 */
export const MODULE_VERSION = '0.1.0';

/** Prefix of every plugin id in this package. */
export const PLUGIN_PREFIX = '@alertlab/extension';

/** Command ids of the extension. */
export const CommandIDs = {
  promoteFilter: 'alertlab:promote-filter',
  refreshPanels: 'alertlab:refresh-panels'
} as const;
