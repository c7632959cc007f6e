/**
 * The stage registry: durable stage records and immutable versions in a state directory, every
 * file written atomically (temp + fsync + rename), so a restarted controller finds its stages.
 *
 *     <stateDir>/stages/<id>/stage.json          the StageRecord (desired state, replicas, version)
 *     <stateDir>/stages/<id>/v<N>/version.json   a StageVersion (hash, author, evidence, lineage)
 *     <stateDir>/stages/<id>/v<N>/manifest.json  the manifest `alertlab stage run` reads
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonFile, writeJsonAtomic } from './atomic.js';
import { HttpError } from './http.js';
import type { StageRecord, StageVersion } from './types.js';

/** Stage ids: letters, digits, `.`, `_`, `-` (they name consumer groups and topics). */
export const STAGE_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Throws a 400 unless `id` is a valid stage id. */
export function checkStageId(id: unknown): string {
  if (typeof id !== 'string' || !STAGE_ID_RE.test(id)) {
    throw new HttpError(
      400,
      `Stage id ${JSON.stringify(id)} is not valid: use 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit.`
    );
  }
  return id;
}

/** Stage records and versions under one state directory. */
export class StageRegistry {
  private readonly stages = new Map<string, StageRecord>();
  private readonly versions = new Map<string, Map<number, StageVersion>>();

  private constructor(readonly stateDir: string) {}

  /** Opens the registry at `stateDir`, reading every stage back. */
  static async open(stateDir: string): Promise<StageRegistry> {
    const reg = new StageRegistry(stateDir);
    const root = join(stateDir, 'stages');
    await mkdir(root, { recursive: true, mode: 0o700 });
    for (const id of await readdir(root)) {
      if (!STAGE_ID_RE.test(id)) {
        continue;
      }
      const rec = await readJsonFile<StageRecord>(join(root, id, 'stage.json'));
      if (!rec) {
        continue;
      }
      const vs = new Map<number, StageVersion>();
      for (const n of rec.versions) {
        const v = await readJsonFile<StageVersion>(reg.versionFile(id, n));
        if (v) {
          vs.set(n, v);
        }
      }
      reg.stages.set(id, rec);
      reg.versions.set(id, vs);
    }
    return reg;
  }

  /** Directory of one version (manifest, filter files). */
  versionDir(id: string, version: number): string {
    return join(this.stateDir, 'stages', id, `v${version}`);
  }

  private versionFile(id: string, version: number): string {
    return join(this.versionDir(id, version), 'version.json');
  }

  private stageFile(id: string): string {
    return join(this.stateDir, 'stages', id, 'stage.json');
  }

  list(): StageRecord[] {
    return [...this.stages.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  find(id: string): StageRecord | undefined {
    return this.stages.get(id);
  }

  /** The record of `id`, or a 404 naming the known stages. */
  get(id: string): StageRecord {
    const rec = this.stages.get(id);
    if (!rec) {
      const known = [...this.stages.keys()].join(', ') || 'none';
      throw new HttpError(
        404,
        `No stage "${id}" (stages: ${known}). Deploy one with POST /stages.`,
        { stage: id }
      );
    }
    return rec;
  }

  /** One version, or a 404 listing the versions there are. */
  version(id: string, version: number): StageVersion {
    const v = this.versions.get(id)?.get(version);
    if (!v) {
      throw new HttpError(
        404,
        `Stage "${id}" has no version ${version} (versions: ${this.get(id).versions.join(', ')}).`
      );
    }
    return v;
  }

  /** All versions of a stage, oldest first. */
  allVersions(id: string): StageVersion[] {
    return [...(this.versions.get(id)?.values() ?? [])].sort((a, b) => a.version - b.version);
  }

  /** The next version number of `id` (1 for a new stage). */
  nextVersion(id: string): number {
    const rec = this.stages.get(id);
    return rec ? Math.max(0, ...rec.versions) + 1 : 1;
  }

  /** Stores a new version (its files first, then the record that points at it). */
  async addVersion(rec: StageRecord, v: StageVersion): Promise<void> {
    await writeJsonAtomic(this.versionFile(rec.id, v.version), v);
    const vs = this.versions.get(rec.id) ?? new Map<number, StageVersion>();
    vs.set(v.version, v);
    this.versions.set(rec.id, vs);
    await this.save({ ...rec, versions: [...new Set([...rec.versions, v.version])] });
  }

  /** Writes a stage record. */
  async save(rec: StageRecord): Promise<StageRecord> {
    const next = { ...rec, updatedAt: new Date().toISOString() };
    await writeJsonAtomic(this.stageFile(rec.id), next);
    this.stages.set(rec.id, next);
    return next;
  }

  /** Removes a stage and its versions. */
  async remove(id: string): Promise<void> {
    this.get(id);
    await rm(join(this.stateDir, 'stages', id), { recursive: true, force: true });
    this.stages.delete(id);
    this.versions.delete(id);
  }
}
