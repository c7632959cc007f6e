/**
 * Builds a stage's {@link Filter} from its manifest: SQL (inline or a file), TypeScript (a module
 * run in a worker with the time limit) or Python (a `python -m alertlab.worker` process through the
 * SDK's `PythonFilterHost`, filter/python-host.ts). Inline TypeScript/Python sources are written under
 * `$ALERTLAB_HOME/stage-filters/` so their imports resolve from the repository.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecordBatch } from 'apache-arrow';
import { alertlabHome } from '../catalog/paths.js';
import { FilterColumnError, FilterDefinitionError, StageManifestError } from '../errors.js';
import { withLightcurveFeatures } from '../filter/features.js';
import { resolveOutputs } from '../filter/outputs.js';
import { createFilter } from '../filter/registry.js';
import { sqlFilter } from '../filter/factories.js';
import { PythonFilterHost } from '../filter/python-host.js';
import type { Filter, FilterContext, FilterKind, Routing } from '../filter/types.js';
import type { StageFilter } from './manifest-types.js';

/** Options for {@link pythonFilter}. */
export interface PythonFilterOptions {
  /** Filter id. */
  id: string;
  /** `path/file.py:function` or `package.module:function`. */
  filter: string;
  /** Per-batch time limit; past it the worker is killed and restarted. @default 2000 */
  timeoutMs?: number;
  /** Memory limit of the sandboxed worker process (MiB). @default 2048 */
  memoryLimitMb?: number;
}

/** A Python `@alertlab.filter` as a {@link Filter} (same object in a backtest and a stage). */
export class PythonStageFilter implements Filter {
  readonly language = 'python' as const;
  private constructor(
    readonly id: string,
    private readonly host: PythonFilterHost
  ) {}

  static async create(options: PythonFilterOptions): Promise<PythonStageFilter> {
    const host = await PythonFilterHost.create({
      filter: options.filter,
      batchTimeoutMs: options.timeoutMs ?? 2000,
      memoryLimitMb: options.memoryLimitMb
    });
    return new PythonStageFilter(options.id, host);
  }

  get kind(): FilterKind {
    return this.host.kind as FilterKind;
  }
  get outputs(): readonly string[] {
    return this.host.outputs;
  }
  get requiredColumns(): readonly string[] {
    return this.host.requiredColumns;
  }
  /** Declared columns are all the Python side receives (see evaluate). */
  get readsOnly(): readonly string[] | undefined {
    return this.requiredColumns.length > 0 ? this.requiredColumns : undefined;
  }
  get source(): string {
    return this.host.source;
  }

  async evaluate(batch: RecordBatch, _ctx: FilterContext = {}): Promise<Routing> {
    if (batch.numRows === 0) {
      return { outputs: this.outputs, index: new Int32Array(0) };
    }
    const enriched = withLightcurveFeatures(batch);
    const names = enriched.schema.fields.map(f => f.name);
    const wanted = this.requiredColumns;
    const missing = wanted.filter(c => !names.includes(c));
    if (missing.length > 0) {
      throw new FilterColumnError(
        `Python filter "${this.id}" needs column(s) ${missing.join(', ')} that the batch does not have. Columns that exist: ${names.join(', ')}.`,
        { context: { filterId: this.id, missing, existing: names } }
      );
    }
    // narrowed here with selectAt: apache-arrow 21's RecordBatch.select leaves holes in the
    // children when the columns are not the first ones, which the bridge's select would hit
    const sent =
      wanted.length > 0 ? enriched.selectAt(wanted.map(c => names.indexOf(c))) : enriched;
    const routing = await this.host.evaluate(sent);
    return { outputs: routing.outputs, index: routing.index };
  }

  close(): Promise<void> {
    return this.host.close();
  }
}

/** A Python filter from a `file.py:function` or `module:function` reference. */
export function pythonFilter(options: PythonFilterOptions): Promise<PythonStageFilter> {
  return PythonStageFilter.create(options);
}

async function writeInline(id: string, source: string, ext: string): Promise<string> {
  const dir = join(alertlabHome(), 'stage-filters');
  await mkdir(dir, { recursive: true });
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 12);
  const path = join(dir, `${id}-${hash}.${ext}`);
  await writeFile(path, source);
  return path;
}

function checkShape(filter: Filter, spec: StageFilter, stageId: string): void {
  const expected = resolveOutputs({ id: stageId, ...spec }).outputs;
  if (filter.kind !== spec.kind || expected.join(',') !== filter.outputs.join(',')) {
    throw new FilterDefinitionError(
      `Stage "${stageId}": the manifest says ${spec.kind} [${expected.join(', ')}] but the filter defines ${filter.kind} [${filter.outputs.join(', ')}]. Make them agree.`,
      { context: { filterId: stageId } }
    );
  }
}

/** Builds the filter a manifest describes (its id is the stage id). */
export async function createStageFilter(spec: StageFilter, stageId: string): Promise<Filter> {
  let filter: Filter;
  if (spec.language === 'sql') {
    const text = spec.source ?? (await readFile(spec.path as string, 'utf8'));
    filter = await sqlFilter(text, {
      id: stageId,
      kind: spec.kind,
      outputs: spec.outputs,
      defaultOutput: spec.defaultOutput,
      columns: spec.columns,
      timeoutMs: spec.timeoutMs,
      memoryLimitMb: spec.memoryLimitMb,
      threads: spec.threads
    });
  } else if (spec.language === 'typescript') {
    const path = spec.path ?? (await writeInline(stageId, spec.source as string, 'ts'));
    filter = await createFilter({
      id: stageId,
      language: 'typescript',
      kind: spec.kind,
      outputs: spec.outputs,
      defaultOutput: spec.defaultOutput,
      source: path,
      timeoutMs: spec.timeoutMs,
      memoryLimitMb: spec.memoryLimitMb
    });
  } else if (spec.language === 'python') {
    const ref =
      spec.path ?? `${await writeInline(stageId, spec.source as string, 'py')}:${spec.entry}`;
    filter = await pythonFilter({
      id: stageId,
      filter: ref,
      timeoutMs: spec.timeoutMs,
      memoryLimitMb: spec.memoryLimitMb
    });
  } else {
    throw new StageManifestError(`Stage "${stageId}": unknown filter language.`);
  }
  try {
    checkShape(filter, spec, stageId);
  } catch (error) {
    await filter.close();
    throw error;
  }
  return filter;
}
