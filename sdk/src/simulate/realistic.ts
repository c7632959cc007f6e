/**
 * Realistic mode of the simulator: full-size Rubin lsst.v10_0 packets for benchmarks, every one
 * distinct, made in whole batches. Each alert has a diaSource, a diaObject, histories whose
 * lengths are drawn like the real samples' (10 % first detections with no history and no
 * diaObject; otherwise 10–600 prvDiaSources and 0.85–2.1× as many prvDiaForcedSources) and three
 * cutouts of the real packets' size (34.5–46 KB FITS each). Mean ≈ 245 KB per alert.
 *
 * Speed: history rows and cutouts are templates encoded once (see realistic-rows.ts,
 * fits-stamps.ts) and patched per alert — ids, visit, times, position and fluxes in every row,
 * the position in every cutout — so 20,000 alerts take seconds. Same seed → same bytes.
 *
 * ```ts
 * const gen = RealisticAlerts.create({ seed: 3 });
 * const { values } = gen.nextBatch(1000); // 1,000 distinct Avro bodies
 * ```
 */
import { loadRubinSchema, type AvroType } from '../alerts/index.js';
import type { AvroRecord } from '../alerts/avro/schema.js';
import { SimulationError } from '../errors.js';
import { ByteWriter } from './avro/bytes.js';
import { compileWriter, type DatumWriter } from './avro/compile.js';
import { StampPool, type CutoutEncoding } from './fits-stamps.js';
import {
  buildRowPool,
  syntheticDiaSource,
  syntheticForcedSource,
  type RowPool
} from './realistic-rows.js';
import { syntheticDiaObject, writeVarint, zigzagLength } from './realistic-head.js';
import { HistoryWriter } from './realistic-history.js';
import { Rng, seedOf } from './rng.js';
import type { RubinAlert, RubinFraming } from './rubin-encoder.js';

export interface RealisticOptions {
  /** Same seed → same bytes. @default 1 */
  seed?: number | string;
  /** @default 'body' (schemaless, as Rubin) */
  framing?: RubinFraming;
  /** Cutout encoding, or 'none' for alerts without cutouts. @default 'fits' (as the real packets) */
  cutouts?: CutoutEncoding | 'none';
  /** prvDiaSources rows: 'real' (drawn like the real samples) or a fixed count. @default 'real' */
  history?: 'real' | number;
  /** Positions the alerts take, cycled (e.g. catalog stars for matches). @default uniform over Rubin's sky */
  positions?: { raDeg: ArrayLike<number>; decDeg: ArrayLike<number> };
  /** MJD of the first alert. @default 61100 */
  mjdStart?: number;
  /** Directory of the lsst.v10_0 .avsc files. @default the .venv install */
  schemaDir?: string;
}

export interface RealisticBatch {
  /** Record values (views into one buffer per batch), in order. */
  values: Uint8Array[];
  /** Each alert's diaSourceId (= the alert id). */
  diaSourceIds: bigint[];
  /** Each alert's diaObjectId (null for first detections). */
  diaObjectIds: (bigint | null)[];
  raDeg: Float64Array;
  decDeg: Float64Array;
  /** prvDiaSources and prvDiaForcedSources rows per alert. */
  prvRows: Int32Array;
  forcedRows: Int32Array;
}

const POOL_ROWS = 512;
const POOL_HEADS = 64;
const POOL_STAMPS = 16;
/** High 32 bits of alert and object ids (history rows: realistic-history.ts), before the seed's offset. */
const ID_HI = { alert: 0x025c0000, object: 0x025f0000 };
const NO_HISTORY_FRACTION = 0.1;
const OBSERVATION_REASONS = ['wfd', 'ddf_edfs_b', 'ddf_cosmos', 'too'];

function field(root: AvroRecord, name: string): AvroType {
  const f = root.fields.find(x => x.name === name);
  if (!f) {
    throw new SimulationError(`lsst.v10_0 alert has no field ${name}.`, { context: { name } });
  }
  return f.type;
}

function branch(t: AvroType, kind: string): AvroType {
  return t.kind === 'union' ? t.branches.find(b => b.kind === kind)! : t;
}

export class RealisticAlerts {
  private readonly rng: Rng;
  private readonly writeSource: DatumWriter;
  private readonly writeObject: DatumWriter;
  private readonly rows: RowPool;
  private readonly forced: RowPool;
  private readonly heads: RubinAlert[];
  private readonly stamps: StampPool | null;
  private readonly w = new ByteWriter(1 << 16);
  private readonly seedHi: number;
  private readonly histories: HistoryWriter;
  /** Alerts made so far. */
  produced = 0;

  private constructor(
    readonly options: Required<Omit<RealisticOptions, 'positions' | 'schemaDir'>> & RealisticOptions
  ) {
    const seed = seedOf(options.seed);
    this.rng = Rng.stream(seed, 'realistic');
    this.seedHi = (seed % 4096) * 16;
    this.histories = new HistoryWriter(this.rng, this.seedHi);
    const root = loadRubinSchema(options.schemaDir).type as AvroRecord;
    const sourceType = field(root, 'diaSource');
    const forcedType = (branch(field(root, 'prvDiaForcedSources'), 'array') as { items: AvroType })
      .items;
    this.writeSource = compileWriter(sourceType, 'diaSource');
    this.writeObject = compileWriter(branch(field(root, 'diaObject'), 'record'), 'diaObject');
    const poolRng = Rng.stream(seed, 'realistic-pool');
    this.rows = buildRowPool(
      poolRng,
      this.writeSource,
      syntheticDiaSource,
      'diaSourceId',
      POOL_ROWS
    );
    this.forced = buildRowPool(
      poolRng,
      compileWriter(forcedType, 'diaForcedSource'),
      syntheticForcedSource,
      'diaForcedSourceId',
      POOL_ROWS
    );
    this.heads = Array.from({ length: POOL_HEADS }, () => syntheticDiaSource(poolRng));
    this.stamps =
      options.cutouts === 'none' ? null : new StampPool(poolRng, POOL_STAMPS, options.cutouts);
  }

  static create(options: RealisticOptions = {}): RealisticAlerts {
    const history = options.history ?? 'real';
    if (history !== 'real' && !(Number.isInteger(history) && history >= 0)) {
      throw new SimulationError(`history must be 'real' or a row count ≥ 0, got ${history}.`);
    }
    return new RealisticAlerts({
      ...options,
      seed: options.seed ?? 1,
      framing: options.framing ?? 'body',
      cutouts: options.cutouts ?? 'fits',
      history,
      mjdStart: options.mjdStart ?? 61100
    });
  }

  private historyCounts(): [number, number] {
    const h = this.options.history;
    if (h !== 'real') {
      return [h, Math.round(h * 1.2)];
    }
    if (this.rng.next() < NO_HISTORY_FRACTION) {
      return [-1, -1];
    }
    const prv = 10 + this.rng.int(591);
    return [prv, Math.round(prv * this.rng.uniform(0.85, 2.1))];
  }

  private position(i: number): [number, number] {
    const p = this.options.positions;
    if (p && p.raDeg.length > 0) {
      const k = i % p.raDeg.length;
      return [p.raDeg[k], p.decDeg[k]];
    }
    const dec = Math.asin(this.rng.uniform(Math.sin(-1.22), Math.sin(0.26))) * (180 / Math.PI);
    return [this.rng.uniform(0, 360), dec];
  }

  /** The next `n` alerts, encoded. */
  nextBatch(n: number): RealisticBatch {
    const rng = this.rng;
    const heads: Uint8Array[] = new Array<Uint8Array>(n);
    const objectsBytes: (Uint8Array | null)[] = new Array<Uint8Array | null>(n);
    const prvTpl: Uint16Array[] = [];
    const forcedTpl: Uint16Array[] = [];
    const out: RealisticBatch = {
      values: [],
      diaSourceIds: [],
      diaObjectIds: [],
      raDeg: new Float64Array(n),
      decDeg: new Float64Array(n),
      prvRows: new Int32Array(n),
      forcedRows: new Int32Array(n)
    };
    const mjds = new Float64Array(n);
    const stampIdx = new Uint8Array(n * 3);
    const header = typeof this.options.framing === 'object' ? 5 : 0;
    let total = 0;
    for (let a = 0; a < n; a++) {
      const serial = this.produced + a;
      const [ra, dec] = this.position(serial);
      const [prv, forced] = this.historyCounts();
      const mjd = this.options.mjdStart + serial * 3e-4;
      const alertId = (BigInt(ID_HI.alert + this.seedHi) << 32n) + BigInt(serial);
      const objectId =
        prv < 0 ? null : (BigInt(ID_HI.object + this.seedHi) << 32n) + BigInt(serial);
      out.raDeg[a] = ra;
      out.decDeg[a] = dec;
      out.prvRows[a] = Math.max(0, prv);
      out.forcedRows[a] = Math.max(0, forced);
      out.diaSourceIds.push(alertId);
      out.diaObjectIds.push(objectId);
      mjds[a] = mjd;
      const flux = rng.uniform(-3e4, 3e4);
      const src: RubinAlert = {
        ...this.heads[rng.int(POOL_HEADS)],
        diaSourceId: alertId,
        visit: BigInt(this.histories.visitOf(mjd, serial)),
        diaObjectId: objectId,
        midpointMjdTai: mjd,
        timeProcessedMjdTai: mjd + 0.002,
        ra,
        dec,
        psfFlux: flux,
        isNegative: flux < 0,
        scienceFlux: Math.abs(flux) * 3
      };
      const w = this.w;
      w.pos = 0;
      if (header) {
        const f = this.options.framing as { confluentSchemaId: number };
        w.byte(0);
        w.uint32BE(f.confluentSchemaId);
      }
      w.bigLong(alertId);
      const reason = OBSERVATION_REASONS[rng.int(OBSERVATION_REASONS.length)];
      w.long(1);
      w.string(reason);
      w.long(1);
      w.string(reason === 'wfd' ? 'field' : reason);
      this.writeSource(w, src);
      heads[a] = w.toBytes();
      if (objectId === null) {
        objectsBytes[a] = null;
      } else {
        w.pos = 0;
        this.writeObject(w, syntheticDiaObject(this.rng, objectId, ra, dec, mjd, prv + 1));
        objectsBytes[a] = w.toBytes();
      }
      let size = heads[a].length + 2 + (objectsBytes[a]?.length ?? 0) + 2;
      const p = new Uint16Array(Math.max(0, prv));
      for (let k = 0; k < p.length; k++) {
        p[k] = rng.int(POOL_ROWS);
        size += this.rows.rows[p[k]].length;
      }
      const f = new Uint16Array(Math.max(0, forced));
      for (let k = 0; k < f.length; k++) {
        f[k] = rng.int(POOL_ROWS);
        size += this.forced.rows[f[k]].length;
      }
      size += 2 * (zigzagLength(p.length) + 2) + 2;
      prvTpl.push(p);
      forcedTpl.push(f);
      for (let k = 0; k < 3; k++) {
        if (this.stamps) {
          const s = rng.int(POOL_STAMPS);
          stampIdx[a * 3 + k] = s;
          const len = this.stamps.size(k, s);
          size += 1 + zigzagLength(len) + len;
        } else {
          size += 1;
        }
      }
      total += size;
    }
    const buf = new Uint8Array(total);
    let pos = 0;
    for (let a = 0; a < n; a++) {
      const start = pos;
      buf.set(heads[a], pos);
      pos += heads[a].length;
      const hasHistory = out.diaObjectIds[a] !== null;
      const objectId = out.diaObjectIds[a] ?? 0n;
      const [ra, dec] = [out.raDeg[a], out.decDeg[a]];
      const h = this.histories;
      pos = h.write(buf, pos, hasHistory, prvTpl[a], this.rows, objectId, ra, dec, mjds[a], true);
      pos = h.write(
        buf,
        pos,
        hasHistory,
        forcedTpl[a],
        this.forced,
        objectId,
        ra,
        dec,
        mjds[a],
        false
      );
      const obj = objectsBytes[a];
      if (obj) {
        buf[pos++] = 2;
        buf.set(obj, pos);
        pos += obj.length;
      } else {
        buf[pos++] = 0;
      }
      buf[pos++] = 0; // ssSource
      buf[pos++] = 0; // mpc_orbits
      for (let k = 0; k < 3; k++) {
        if (!this.stamps) {
          buf[pos++] = 0;
          continue;
        }
        const s = stampIdx[a * 3 + k];
        const len = this.stamps.size(k, s);
        buf[pos++] = 2;
        pos = writeVarint(buf, pos, len);
        this.stamps.write(buf, pos, k, s, out.raDeg[a], out.decDeg[a], this.produced + a);
        pos += len;
      }
      out.values.push(buf.subarray(start, pos));
    }
    if (pos > total) {
      throw new SimulationError('Realistic alerts: size estimate too small (a bug).');
    }
    this.produced += n;
    return out;
  }
}
