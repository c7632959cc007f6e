/**
 * Source for `new Worker(source, { eval: true })` that loads a worker entry module next to the
 * caller: under tsx (running .ts sources) it registers tsx in the worker first, so the .ts entry
 * loads; from compiled JS it imports the entry directly.
 */
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * @param callerUrl `import.meta.url` of the module starting the worker
 * @param entryName the entry module's file name without extension, in the caller's folder
 * @param onError JavaScript for a function given an import failure (e.g. to report it to the parent)
 */
export function workerBootstrap(callerUrl: string, entryName: string, onError?: string): string {
  const here = fileURLToPath(callerUrl);
  const ext = extname(here);
  const entry = pathToFileURL(join(dirname(here), `${entryName}${ext}`)).href;
  const caught = onError ? `.catch(${onError})` : '';
  if (ext !== '.ts') {
    return `import(${JSON.stringify(entry)})${caught};`;
  }
  const require = createRequire(callerUrl);
  const pkgPath = require.resolve('tsx/package.json');
  const pkg = require(pkgPath) as { exports: Record<string, { import: { default: string } }> };
  const api = pathToFileURL(join(dirname(pkgPath), pkg.exports['./esm/api'].import.default)).href;
  return `import(${JSON.stringify(api)}).then(a => { a.register(); return import(${JSON.stringify(entry)}); })${caught};`;
}
