/**
 * The controller: deploys versions of stages (after the backtest gate), keeps them in the
 * registry, and has the supervisor run their workers; scale, stop, start, rollback and delete.
 * Changes are serialized, so two requests never race on one stage.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BufferClient } from '../buffer/client.js';
import { TopicNotFoundError } from '../errors.js';
import type { CatalogService } from './catalogs.js';
import { writeJsonAtomic } from './atomic.js';
import { prepareManifest } from './deploy.js';
import { runGate, type GateInput } from './gate.js';
import { gateWithTopics } from './gate-topics.js';
import { HttpError } from './http.js';
import { actor, checkAccess } from './ownership.js';
import type { Principal } from './users.js';
import { StageRegistry, checkStageId } from './registry.js';
import type { Supervisor } from './supervisor.js';
import type {
  DeployRequest,
  GateEvidence,
  GateOptions,
  StageRecord,
  StageVersion
} from './types.js';

/** Largest replica count accepted. */
export const MAX_REPLICAS = 64;

/** Checks a replica count (1..64). */
export function checkReplicas(n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_REPLICAS) {
    throw new HttpError(
      400,
      `replicas must be an integer from 1 to ${MAX_REPLICAS}, got ${JSON.stringify(n)}.`
    );
  }
  return n;
}

/** Checks gate options: 0 ≤ sampleAlerts ≤ 100000, 100 ≤ budgetMs ≤ 600000. */
export function checkGate(gate: GateOptions | undefined): GateOptions {
  const g = gate ?? {};
  const int = (v: unknown, lo: number, hi: number, name: string): number | undefined => {
    if (v === undefined) {
      return undefined;
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
      throw new HttpError(
        400,
        `gate.${name} must be an integer from ${lo} to ${hi}, got ${JSON.stringify(v)}.`
      );
    }
    return v;
  };
  return {
    sampleAlerts: int(g.sampleAlerts, 0, 100_000, 'sampleAlerts'),
    budgetMs: int(g.budgetMs, 100, 600_000, 'budgetMs')
  };
}

/** Stage operations behind the REST API. */
export class Controller {
  private chain: Promise<unknown> = Promise.resolve();
  /** Gates running now, each with the switch that stops it. */
  private readonly gates = new Map<AbortController, Promise<unknown>>();

  constructor(
    readonly registry: StageRegistry,
    readonly supervisor: Supervisor,
    readonly buffer: BufferClient,
    readonly catalogs: CatalogService | undefined,
    /** Catalog store the workers' cross-match uses unless a manifest names one. @default the stage's default */
    readonly storePath?: string
  ) {}

  /** Runs a gate that {@link stopGates} can stop. */
  private gate(input: GateInput): Promise<GateEvidence> {
    const stop = new AbortController();
    const run = runGate({ ...input, signal: stop.signal });
    const done = run.then(
      () => undefined,
      () => undefined
    );
    this.gates.set(stop, done);
    void done.then(() => this.gates.delete(stop));
    return run;
  }

  /**
   * Stops every running gate (their queries are interrupted, their readers closed) and waits until
   * they have returned, at most `timeoutMs`. A shutdown calls it first: a DuckDB query still
   * running when the process exits keeps the process from exiting.
   */
  async stopGates(timeoutMs = 5000): Promise<void> {
    for (const stop of this.gates.keys()) {
      stop.abort();
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(this.gates.values()),
      new Promise<void>(resolve => (timer = setTimeout(resolve, timeoutMs)))
    ]);
    clearTimeout(timer);
  }

  /** Starts the workers of every stage the registry holds (after a controller restart). */
  async resume(): Promise<void> {
    for (const rec of this.registry.list()) {
      await this.applyRecord(rec);
    }
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async applyRecord(rec: StageRecord): Promise<void> {
    const v = this.registry.version(rec.id, rec.currentVersion);
    await this.supervisor.apply(rec.id, {
      manifestPath: v.manifestPath,
      version: v.version,
      replicas: rec.replicas,
      running: rec.desired === 'running'
    });
  }

  /** Gate, store and start a new version. */
  deploy(
    req: DeployRequest,
    user?: Principal
  ): Promise<{ stage: StageRecord; version: StageVersion }> {
    return this.serial(async () => {
      if (typeof req.manifest !== 'object' || req.manifest === null) {
        throw new HttpError(
          400,
          'Body needs "manifest": a stage manifest object (see GET /openapi.json).'
        );
      }
      const id = checkStageId(req.id ?? req.manifest.id);
      const existing = this.registry.find(id);
      if (existing !== undefined) {
        checkAccess(existing, user, 'deploy a new version of');
      }
      const replicas =
        req.replicas === undefined ? (existing?.replicas ?? 1) : checkReplicas(req.replicas);
      const version = this.registry.nextVersion(id);
      const dir = this.registry.versionDir(id, version);
      try {
        const servers = this.buffer.bootstrapServers.join(',');
        const prepared = await prepareManifest(
          req.manifest,
          id,
          existing,
          dir,
          servers,
          this.storePath,
          this.buffer.security
        );
        const topic = prepared.manifest.input.topic;
        const admin = await this.buffer.admin();
        const [inputInfo] = await admin.describeTopics([topic]).catch((cause: unknown) => {
          throw cause instanceof TopicNotFoundError
            ? new HttpError(
                422,
                `Input topic "${topic}" does not exist. Create it with POST /buffers/topics or \`alertlab buffer create\`.`
              )
            : cause;
        });
        const gateOptions = checkGate(req.gate);
        // the stage's own output topics are made while the gate runs (gate-topics.ts)
        const evidence = await gateWithTopics(
          this.buffer,
          id,
          Object.values(prepared.outputTopics).map(topic => ({
            topic,
            partitions: inputInfo.partitions.length,
            replicationFactor: Math.max(1, inputInfo.partitions[0]?.replicas.length ?? 1)
          })),
          () =>
            this.gate({
              manifest: prepared.manifest,
              buffer: this.buffer,
              catalogs: this.catalogs,
              ...gateOptions
            })
        );
        const manifestPath = join(dir, 'manifest.json');
        await writeJsonAtomic(manifestPath, prepared.raw);
        const now = new Date().toISOString();
        const v: StageVersion = {
          version,
          createdAt: now,
          author: req.author ?? 'unknown',
          sourceHash: prepared.sourceHash,
          lineage: req.lineage ?? {},
          manifest: prepared.raw,
          manifestPath,
          evidence
        };
        const rec: StageRecord = {
          id,
          desired: 'running',
          replicas,
          currentVersion: version,
          outputTopics: prepared.outputTopics,
          createdAt: existing?.createdAt ?? now,
          updatedAt: now,
          versions: existing?.versions ?? [],
          owner: existing ? existing.owner : actor(user).name
        };
        await this.registry.addVersion(rec, v);
        await this.applyRecord(this.registry.get(id));
        return { stage: this.registry.get(id), version: v };
      } catch (err) {
        await rm(dir, { recursive: true, force: true });
        throw err;
      }
    });
  }

  /**
   * Runs the backtest gate on a manifest without deploying it (`POST /stages/backtest`): the same
   * checks and evidence as a deploy, nothing stored or started.
   */
  async backtest(req: DeployRequest): Promise<GateEvidence> {
    if (typeof req.manifest !== 'object' || req.manifest === null) {
      throw new HttpError(
        400,
        'Body needs "manifest": a stage manifest object (see GET /openapi.json).'
      );
    }
    const id = checkStageId(req.id ?? req.manifest.id);
    const dir = join(this.registry.stateDir, 'backtests', randomUUID());
    try {
      const servers = this.buffer.bootstrapServers.join(',');
      const prepared = await prepareManifest(
        req.manifest,
        id,
        this.registry.find(id),
        dir,
        servers,
        undefined,
        this.buffer.security
      );
      return await this.gate({
        manifest: prepared.manifest,
        buffer: this.buffer,
        catalogs: this.catalogs,
        ...checkGate(req.gate)
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Changes the number of workers. */
  scale(id: string, replicas: unknown): Promise<StageRecord> {
    return this.serial(async () => {
      const rec = await this.registry.save({
        ...this.registry.get(id),
        replicas: checkReplicas(replicas)
      });
      await this.applyRecord(rec);
      return rec;
    });
  }

  /** Stops (`running: false`) or starts the workers. */
  setRunning(id: string, running: boolean): Promise<StageRecord> {
    return this.serial(async () => {
      const rec = await this.registry.save({
        ...this.registry.get(id),
        desired: running ? 'running' : 'stopped'
      });
      await this.applyRecord(rec);
      return rec;
    });
  }

  /**
   * Restores an earlier version's manifest as a new version (history stays linear). Default
   * target: the newest version older than the current one.
   */
  rollback(id: string, target?: unknown): Promise<{ stage: StageRecord; version: StageVersion }> {
    return this.serial(async () => {
      const rec = this.registry.get(id);
      let to: number;
      if (target === undefined || target === null) {
        const older = rec.versions.filter(n => n < rec.currentVersion);
        if (older.length === 0) {
          throw new HttpError(
            409,
            `Stage "${id}" has no version older than ${rec.currentVersion} to roll back to.`
          );
        }
        to = Math.max(...older);
      } else if (typeof target === 'number' && Number.isInteger(target)) {
        to = target;
      } else {
        throw new HttpError(400, `version must be an integer (one of ${rec.versions.join(', ')}).`);
      }
      if (to === rec.currentVersion) {
        throw new HttpError(409, `Stage "${id}" already runs version ${to}.`);
      }
      const old = this.registry.version(id, to);
      const version = this.registry.nextVersion(id);
      const manifestPath = join(this.registry.versionDir(id, version), 'manifest.json');
      await writeJsonAtomic(manifestPath, old.manifest);
      const v: StageVersion = {
        ...old,
        version,
        createdAt: new Date().toISOString(),
        manifestPath,
        rolledBackFrom: to
      };
      await this.registry.addVersion({ ...rec, currentVersion: version }, v);
      const next = this.registry.get(id);
      await this.applyRecord(next);
      return { stage: next, version: v };
    });
  }

  /** Stops the workers and forgets the stage (its topics stay). */
  remove(id: string): Promise<void> {
    return this.serial(async () => {
      this.registry.get(id);
      await this.supervisor.remove(id);
      await this.registry.remove(id);
    });
  }
}
