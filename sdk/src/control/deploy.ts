/**
 * Turns a deploy request into a stage manifest ready for `alertlab stage run`: the stage id, stable
 * output topics (`<id>.<output>`, or the ones fixed by an earlier version), a dead-letter topic, the
 * controller's brokers, and TypeScript/Python source written into the version directory so the
 * workers (and the gate) load exactly the promoted text.
 */
import { createHash } from 'node:crypto';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveOutputs } from '../filter/outputs.js';
import type { FilterKind } from '../filter/types.js';
import { safeParseStageManifest } from '../stage/manifest.js';
import type { StageManifest } from '../stage/manifest-types.js';
import type { KafkaSecurity } from '../buffer/security.js';
import { HttpError } from './http.js';
import type { StageRecord } from './types.js';

const SDK_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Default topic of an output: `<stage id>.<output>`. */
export function defaultOutputTopic(stageId: string, output: string): string {
  return `${stageId}.${output}`;
}

/**
 * Makes `@alertlab/sdk` importable from promoted TypeScript filters stored under `stateDir`
 * (`<stateDir>/node_modules/@alertlab/sdk` → this checkout's sdk), as ES modules.
 */
export async function linkSdk(stateDir: string): Promise<void> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  await writeFile(join(stateDir, 'package.json'), '{ "private": true, "type": "module" }\n');
  const dir = join(stateDir, 'node_modules', '@alertlab');
  await mkdir(dir, { recursive: true });
  await symlink(SDK_DIR, join(dir, 'sdk'), 'dir').catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') {
      throw err;
    }
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What {@link prepareManifest} produced. */
export interface PreparedManifest {
  manifest: StageManifest;
  /** The raw manifest as written to manifest.json. */
  raw: Record<string, unknown>;
  sourceHash: string;
  outputTopics: Record<string, string>;
}

/** Fills in a request's manifest and writes the filter source files into `versionDir`. */
export async function prepareManifest(
  rawIn: Record<string, unknown>,
  id: string,
  existing: StageRecord | undefined,
  versionDir: string,
  bootstrapServers: string,
  storePath?: string,
  security?: KafkaSecurity
): Promise<PreparedManifest> {
  const raw = structuredClone(rawIn);
  raw.id = id;
  // workers cross-match against the catalogs the controller serves (and gates with)
  if (
    storePath !== undefined &&
    isRecord(raw.crossmatch) &&
    raw.crossmatch.storePath === undefined
  ) {
    raw.crossmatch.storePath = storePath;
  }
  const input = isRecord(raw.input) ? raw.input : undefined;
  if (input && input.bootstrapServers === undefined) {
    input.bootstrapServers = bootstrapServers;
    // the controller's own settings (no secret in them: names of variables and files)
    if (input.security === undefined && security !== undefined) {
      input.security = structuredClone(security);
    }
  }
  const filter = isRecord(raw.filter) ? raw.filter : undefined;
  let hashed = JSON.stringify(raw);
  const outputTopics: Record<string, string> = { ...(existing?.outputTopics ?? {}) };
  if (filter) {
    const language = filter.language;
    const source = filter.source;
    if (
      typeof source !== 'string' &&
      (language === 'typescript' || language === 'python' || filter.path !== undefined)
    ) {
      throw new HttpError(
        400,
        'manifest.filter.source is required: send the filter text (the controller does not read paths on your machine).'
      );
    }
    if (typeof source === 'string') {
      hashed = source;
    }
    await mkdir(versionDir, { recursive: true });
    if (language === 'typescript' && typeof source === 'string') {
      const file = join(versionDir, 'filter.ts');
      await writeFile(file, source, { mode: 0o600 });
      delete filter.source;
      filter.path = file;
    } else if (language === 'python' && typeof source === 'string') {
      if (typeof filter.entry !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(filter.entry)) {
        throw new HttpError(
          400,
          'manifest.filter.entry is required for Python: the name of the @alertlab.filter function.'
        );
      }
      const file = join(versionDir, 'filter.py');
      await writeFile(file, source, { mode: 0o600 });
      delete filter.source;
      filter.path = `${file}:${filter.entry}`;
      delete filter.entry;
    }
    let names: readonly string[];
    try {
      names = resolveOutputs({
        id,
        kind: filter.kind as FilterKind,
        outputs: Array.isArray(filter.outputs) ? (filter.outputs as string[]) : undefined,
        defaultOutput: typeof filter.defaultOutput === 'string' ? filter.defaultOutput : undefined
      }).outputs;
    } catch (err) {
      throw new HttpError(400, err instanceof Error ? err.message : String(err));
    }
    const asked = isRecord(raw.outputs) ? raw.outputs : {};
    const outputs: Record<string, string> = {};
    for (const name of names) {
      const fixed = existing?.outputTopics[name];
      const wanted = asked[name];
      if (fixed !== undefined && wanted !== undefined && wanted !== fixed) {
        throw new HttpError(
          409,
          `Output "${name}" of stage "${id}" writes to topic "${fixed}" since an earlier version; output topics stay stable across versions. Leave outputs.${name} out or set it to "${fixed}".`
        );
      }
      outputs[name] = fixed ?? (typeof wanted === 'string' ? wanted : defaultOutputTopic(id, name));
      outputTopics[name] = outputs[name];
    }
    raw.outputs = outputs;
  }
  if (raw.deadLetterTopic === undefined) {
    raw.deadLetterTopic =
      existing?.outputTopics['dead-letter'] ?? defaultOutputTopic(id, 'dead-letter');
  }
  if (typeof raw.deadLetterTopic === 'string') {
    outputTopics['dead-letter'] = raw.deadLetterTopic;
  }
  const parsed = safeParseStageManifest(raw);
  if (!parsed.ok) {
    throw new HttpError(
      400,
      `Invalid stage manifest: ${parsed.issues.map(i => `${i.path || '(top level)'}: ${i.message}`).join('; ')}.`,
      {
        issues: parsed.issues
      }
    );
  }
  return {
    manifest: parsed.value,
    raw,
    sourceHash: createHash('sha256').update(hashed).digest('hex'),
    outputTopics
  };
}
