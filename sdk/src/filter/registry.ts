import { FilterDefinitionError } from '../errors.js';
import { resolveOutputs } from './outputs.js';
import { SqlFilter } from './sql-filter.js';
import { WorkerTypeScriptFilter } from './ts-worker.js';
import type { Filter, FilterLanguage, FilterRuntime, FilterSpec } from './types.js';

const runtimes = new Map<FilterLanguage, FilterRuntime>();

/** Registers (or replaces) the runtime for a language; the kernel bridge registers 'python'. */
export function registerFilterRuntime(runtime: FilterRuntime): void {
  runtimes.set(runtime.language, runtime);
}

export function getFilterRuntime(language: FilterLanguage): FilterRuntime | undefined {
  return runtimes.get(language);
}

/** Builds a filter from a spec with the runtime of its language. */
export async function createFilter(spec: FilterSpec): Promise<Filter> {
  const runtime = runtimes.get(spec.language);
  if (runtime === undefined) {
    const known = [...runtimes.keys()].join(', ');
    throw new FilterDefinitionError(
      `Filter "${spec.id}": no runtime for language "${spec.language}" (registered: ${known}). ${spec.language === 'python' ? 'Start the kernel bridge, which registers the Python runtime.' : 'Use sql or typescript.'}`,
      { context: { filterId: spec.id, language: spec.language } }
    );
  }
  return runtime.create(spec);
}

/** SQL runtime: `spec.source` is the SQL text. */
export const sqlFilterRuntime: FilterRuntime = {
  language: 'sql',
  create: spec => SqlFilter.create(spec)
};

/**
 * TypeScript runtime: `spec.source` is a module path exporting a definition (default export); it
 * runs in a worker with `spec.timeoutMs`. A kind or outputs given in the spec must match the module's.
 */
export const typeScriptFilterRuntime: FilterRuntime = {
  language: 'typescript',
  async create(spec) {
    const filter = await WorkerTypeScriptFilter.load(spec.source, {
      id: spec.id,
      timeoutMs: spec.timeoutMs,
      memoryLimitMb: spec.memoryLimitMb
    });
    const expected = spec.outputs ? resolveOutputs(spec).outputs : undefined;
    if (
      filter.kind !== spec.kind ||
      (expected && expected.join(',') !== filter.outputs.join(','))
    ) {
      await filter.close();
      throw new FilterDefinitionError(
        `Filter "${spec.id}": the spec says ${spec.kind} [${expected?.join(', ') ?? 'default outputs'}] but ${spec.source} defines ${filter.kind} [${filter.outputs.join(', ')}]. Make them agree.`,
        { context: { filterId: spec.id } }
      );
    }
    return filter;
  }
};

registerFilterRuntime(sqlFilterRuntime);
registerFilterRuntime(typeScriptFilterRuntime);
