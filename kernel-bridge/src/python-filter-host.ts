/**
 * The Python filter host lives in the SDK (`sdk/src/filter/python-host.ts`): stages and the gate
 * use it without the bridge. The bridge re-exports it for notebook-side Node code.
 */
export {
  PythonFilterHost,
  selectColumns,
  withPythonFilterHost,
  type PythonFilterHostOptions,
  type PythonRouting,
  type WorkerFilterSpec
} from '../../sdk/src/filter/python-host.js';
