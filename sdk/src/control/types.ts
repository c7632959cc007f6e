/** Records the controller keeps per stage and version, and what a deploy request carries. */
import type { BacktestResult } from '../filter/backtest.js';

/** What the backtest gate found; stored with the version it admitted. */
export interface GateEvidence {
  /** Alerts sampled from the input topic (the last N buffered). */
  sampledAlerts: number;
  /** Offsets the sample covered, per partition: [first, last] as decimal strings. */
  offsets: Record<string, [string, string]>;
  /** The backtest's counts per output, timings and estimate per night (bigints as strings). */
  result: Omit<BacktestResult, 'outputs'> & {
    outputs: {
      name: string;
      count: number;
      fraction: number;
      estimatedPerNight: number;
      /** Which alerts went to this output, order-free (filter/routing-digest.ts). */
      digest: string;
    }[];
  };
  /** Milliseconds the gate took, filter load included. */
  gateMs: number;
  /** The gate's wall-time budget. */
  budgetMs: number;
  skipped?: string;
  /** Aggregate and archive stages: what their own logic did with the sample (gate-stream.ts). */
  stream?: StreamGateCounts;
}

/** Counts of an aggregate/archive gate over the sample. */
export interface StreamGateCounts {
  /** Alerts that joined a window (aggregate) or have a night (archive). */
  accepted: number;
  missingValue: number;
  late: number;
  future: number;
  outOfRange: number;
  windowsEmitted: number;
  windowsOpen: number;
}

/** Where the filter came from: notebook and cell, or a file. */
export interface Lineage {
  /** Notebook path (for a filter promoted from a notebook cell). */
  notebook?: string;
  /** Cell index in the notebook. */
  cell?: number;
  /** Source file path on the promoting machine. */
  path?: string;
  /** Free text. */
  note?: string;
}

/** One immutable version of a stage. */
export interface StageVersion {
  version: number;
  createdAt: string;
  author: string;
  /** sha256 of the filter source (hex). */
  sourceHash: string;
  lineage: Lineage;
  /** The manifest as deployed (parsed, with defaults and output topics filled in). */
  manifest: Record<string, unknown>;
  /** Where the manifest file for `stage run` is. */
  manifestPath: string;
  evidence: GateEvidence;
  /** The version this one was restored from by a rollback. */
  rolledBackFrom?: number;
}

/** Desired state of a stage. */
export type DesiredState = 'running' | 'stopped';

/** The durable record of a stage. */
export interface StageRecord {
  id: string;
  desired: DesiredState;
  replicas: number;
  currentVersion: number;
  /** Output name → topic, fixed the first time an output appears; later versions keep them. */
  outputTopics: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  versions: number[];
  /** User who first deployed it (undefined: recorded before users existed; admins only). */
  owner?: string;
}

/** Gate options of a deploy request. */
export interface GateOptions {
  /** Alerts to sample from the end of the input topic. @default 1000 */
  sampleAlerts?: number;
  /** Wall-time budget of the whole gate (load + backtest). @default 20000 */
  budgetMs?: number;
}

/** Body of `POST /stages`. */
export interface DeployRequest {
  /** A stage manifest (see sdk/src/stage); `id` and `outputs` may be left out. */
  manifest: Record<string, unknown>;
  /** Stage id. @default manifest.id */
  id?: string;
  /** Worker processes. @default 1 (or the current count for a new version) */
  replicas?: number;
  /** @default 'unknown' */
  author?: string;
  /** @default {} */
  lineage?: Lineage;
  /** @default {} */
  gate?: GateOptions;
}
