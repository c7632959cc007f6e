/**
 * `AlertSimulator`: plans visits (see plan.ts) and encodes their alerts as Rubin lsst.v10_0 Avro
 * record values, with the ground truth in Kafka headers. Same seed and options → byte-identical
 * alerts.
 *
 * ```ts
 * const sim = await AlertSimulator.create({ seed: 7, alertsPerVisit: 2000 });
 * const plan = sim.planNext();            // ground truth: plan.alerts[i].simClass, .catalog, ...
 * const values = sim.encode(plan);        // one Avro body per alert
 * const records = sim.records(plan, 'alerts-rubin'); // with key and alertlab-sim-* headers
 * ```
 */
import type { ProduceRecord } from '../buffer/index.js';
import { loadSimCatalogs, type SimCatalogs } from './catalogs.js';
import { chooseFields, type Field } from './fields.js';
import { resolveOptions, type ResolvedOptions, type SimulationOptions } from './options.js';
import { Planner, type VisitPlan } from './plan.js';
import { RubinEncoder, type RubinFraming } from './rubin-encoder.js';

/** Kafka header with the ground-truth class of a simulated alert. */
export const SIM_CLASS_HEADER = 'alertlab-sim-class';
/** Kafka header with the visit number (0-based) of a simulated alert. */
export const SIM_VISIT_HEADER = 'alertlab-sim-visit';

export interface SimulatorCreateOptions extends SimulationOptions {
  /** Record framing. @default 'body' (schemaless, as Rubin) */
  framing?: RubinFraming;
  /** Directory of the lsst.v10_0 .avsc files. @default the .venv install */
  schemaDir?: string;
  /** Catalogs to use instead of reading the built-in ones (tests, custom catalogs). @default undefined */
  catalogs?: SimCatalogs;
}

const catalogCache = new Map<string, Promise<SimCatalogs>>();

/** The built-in catalogs, read once per process. */
function cachedCatalogs(o: ResolvedOptions): Promise<SimCatalogs> {
  const key = JSON.stringify([o.starCatalogs, o.galaxyCatalog]);
  let p = catalogCache.get(key);
  if (!p) {
    p = loadSimCatalogs(o.starCatalogs, o.galaxyCatalog);
    catalogCache.set(key, p);
    p.catch(() => catalogCache.delete(key));
  }
  return p;
}

export class AlertSimulator {
  private readonly planner: Planner;

  private constructor(
    readonly options: ResolvedOptions,
    readonly catalogs: SimCatalogs,
    readonly fields: Field[],
    readonly encoder: RubinEncoder
  ) {
    this.planner = new Planner(catalogs, fields, options);
  }

  /** Reads the catalogs and the schema, and chooses the fields. */
  static async create(options: SimulatorCreateOptions = {}): Promise<AlertSimulator> {
    const o = resolveOptions(options);
    const encoder = new RubinEncoder({ schemaDir: options.schemaDir, framing: options.framing });
    const catalogs = options.catalogs ?? (await cachedCatalogs(o));
    return new AlertSimulator(o, catalogs, chooseFields(catalogs, o), encoder);
  }

  /** The visit `planNext` plans next. */
  get nextVisit(): number {
    return this.planner.nextVisit;
  }

  /** Plans the next visit. */
  planNext(): VisitPlan {
    return this.planner.planNext();
  }

  /** The record values of a planned visit, in slot order. */
  encode(plan: VisitPlan): Uint8Array[] {
    return this.encoder.encodeBatch(plan.alerts.map(a => a.alert));
  }

  /**
   * Kafka records of a planned visit: key = the diaObjectId (or ssObjectId) as a decimal string,
   * so one object's alerts stay in order on one partition; headers `alertlab-sim-class` and
   * `alertlab-sim-visit`.
   */
  records(plan: VisitPlan, topic: string, values = this.encode(plan)): ProduceRecord[] {
    const visit = String(plan.visit);
    return plan.alerts.map((a, i) => ({
      topic,
      value: values[i],
      key: String(a.diaObjectId ?? a.ssObjectId ?? a.diaSourceId),
      headers: { [SIM_CLASS_HEADER]: a.simClass, [SIM_VISIT_HEADER]: visit }
    }));
  }

  /** Nothing to release today (catalogs are shared per process); kept for the resource contract. */
  async close(): Promise<void> {}
}

/** Runs `fn` with a simulator and closes it afterwards. */
export async function withSimulator<R>(
  options: SimulatorCreateOptions,
  fn: (sim: AlertSimulator) => Promise<R>
): Promise<R> {
  const sim = await AlertSimulator.create(options);
  try {
    return await fn(sim);
  } finally {
    await sim.close();
  }
}
