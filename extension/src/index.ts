import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { promotePlugin } from './commands/promote.js';
import { panelsPlugin } from './panels/plugin.js';
import { widgetsPlugin } from './widgets/plugin.js';

/** Every plugin of the extension; JupyterLab loads this module (package.json `jupyterlab.extension`). */
const plugins: JupyterFrontEndPlugin<unknown>[] = [widgetsPlugin, panelsPlugin, promotePlugin];

export default plugins;
