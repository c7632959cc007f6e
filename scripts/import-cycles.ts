/**
 * Import graph check for the TypeScript packages: every `import`/`export … from`/`import type`
 * and literal dynamic `import('…')` of sdk/src, kernel-bridge/src and extension/src (TypeScript's
 * own pre-processor reads them), resolved to files; reports
 *   - import cycles (strongly connected components with more than one file, or a self-import),
 *   - SDK files that import the kernel bridge (the engine depends on the SDK, never the reverse),
 *   - dynamic imports whose specifier is not a string literal (the type checker cannot see them).
 *
 *     node --import tsx scripts/import-cycles.ts [--json]     exit 1 when anything is found
 */
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** The checkout to check. @default this script's repository */
const ROOT = resolve(process.env.ALERTLAB_IMPORTS_ROOT ?? join(import.meta.dirname, '..'));
const PACKAGES = ['sdk/src', 'kernel-bridge/src', 'extension/src'];
const WORKSPACE: Record<string, string> = {
  '@alertlab/sdk': 'sdk/src/index.ts',
  '@alertlab/kernel-bridge': 'kernel-bridge/src/index.ts'
};

/** Files that load user code by a path known only at run time (not a project import). */
const USER_CODE_LOADERS: Record<string, string> = {
  'sdk/src/filter/ts-worker-entry.ts': "imports the user's TypeScript filter module by its path"
};

export interface ImportReport {
  files: number;
  edges: number;
  cycles: string[][];
  sdkToBridge: string[];
  hiddenImports: string[];
}

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) {
    return [];
  }
  return readdirSync(dir).flatMap(name => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      return name === 'node_modules' || name === 'lib' ? [] : sourceFiles(path);
    }
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function resolveImport(from: string, spec: string): string | undefined {
  if (WORKSPACE[spec]) {
    return join(ROOT, WORKSPACE[spec]);
  }
  if (!spec.startsWith('.')) {
    return undefined; // a package from node_modules
  }
  const base = resolve(dirname(from), spec);
  const candidates = [
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.js$/, '.tsx'),
    base,
    `${base}.ts`,
    join(base, 'index.ts')
  ];
  return candidates.find(c => existsSync(c) && statSync(c).isFile());
}

/** Tarjan's strongly connected components, iteratively. */
function cyclesOf(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  for (const start of graph.keys()) {
    if (idx.has(start)) {
      continue;
    }
    const work: [string, number][] = [[start, 0]];
    while (work.length > 0) {
      const top = work[work.length - 1];
      const [v, i] = top;
      if (i === 0) {
        idx.set(v, index);
        low.set(v, index);
        index++;
        stack.push(v);
        onStack.add(v);
      }
      const next = graph.get(v) ?? [];
      if (i < next.length) {
        top[1]++;
        const w = next[i];
        if (!idx.has(w)) {
          work.push([w, 0]);
        } else if (onStack.has(w)) {
          low.set(v, Math.min(low.get(v) as number, idx.get(w) as number));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1][0];
        low.set(parent, Math.min(low.get(parent) as number, low.get(v) as number));
      }
      if (low.get(v) === idx.get(v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop() as string;
          onStack.delete(w);
          component.push(w);
        } while (w !== v);
        if (component.length > 1 || next.includes(v)) {
          out.push(component.sort());
        }
      }
    }
  }
  return out;
}

export function checkImports(): ImportReport {
  const files = PACKAGES.flatMap(p => sourceFiles(join(ROOT, p)));
  const graph = new Map<string, string[]>();
  const sdkToBridge: string[] = [];
  const hiddenImports: string[] = [];
  let edges = 0;
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const info = ts.preProcessFile(text, true, true);
    const rel = relative(ROOT, file);
    const targets: string[] = [];
    for (const ref of info.importedFiles) {
      const target = resolveImport(file, ref.fileName);
      if (target === undefined) {
        continue;
      }
      const relTarget = relative(ROOT, target);
      if (rel.startsWith('sdk/') && relTarget.startsWith('kernel-bridge/')) {
        sdkToBridge.push(`${rel} -> ${ref.fileName}`);
      }
      targets.push(relTarget);
      edges++;
    }
    graph.set(rel, [...new Set(targets)]);
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
    const visit = (node: ts.Node): void => {
      if (
        ts.isCallExpression(node) &&
        node.expression.kind === ts.SyntaxKind.ImportKeyword &&
        !(node.arguments.length > 0 && ts.isStringLiteralLike(node.arguments[0])) &&
        USER_CODE_LOADERS[rel] === undefined
      ) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
        hiddenImports.push(`${rel}:${line + 1}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { files: files.length, edges, cycles: cyclesOf(graph), sdkToBridge, hiddenImports };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const report = checkImports();
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    console.log(`${report.files} files, ${report.edges} imports`);
    for (const c of report.cycles) {
      console.log(`cycle: ${c.join(' <-> ')}`);
    }
    for (const s of report.sdkToBridge) {
      console.log(`sdk imports the bridge: ${s}`);
    }
    for (const h of report.hiddenImports) {
      console.log(`dynamic import with a computed specifier: ${h}`);
    }
  }
  const bad = report.cycles.length + report.sdkToBridge.length + report.hiddenImports.length;
  process.exit(bad > 0 ? 1 : 0);
}
