/**
 * The per-object state a stage keeps (one row per object id): its fields, their storage kinds and
 * the names they carry in the `objects` table (and, prefixed `obj_`, beside each alert).
 *
 * | field | meaning |
 * |---|---|
 * | `nAlerts` | alerts of the object this stage processed (exactly once) |
 * | `firstMjd`, `lastMjd` | first and last detection (the first from the alert's history too) |
 * | `lastAlertId` | id of the latest alert processed (Int64) |
 * | `ndet_<b>` | detections in band b processed by the stage |
 * | `mag_<b>`, `mjd_<b>` | latest detection in band b |
 * | `peakMag_<b>`, `peakMjd_<b>` | brightest detection in band b |
 * | `rate_<b>` | mag/day between the latest detection and the earliest one kept inside the window (negative: rising) |
 * | `gMinusR`, `gMinusRDtDays` | latest g minus latest r when at most 1 day apart, and that gap |
 * | `xmCatalog`, `xmSepArcsec`, `xmCount` | nearest cross-match seen (catalog index, separation), matches on the latest alert |
 * | `totalMag_<b>` | latest total-flux magnitude in band b (from the alerts' `totalMag`, issue 18 part 2) |
 *
 * Internal fields (`anchorMag_<b>`, `anchorAge_<b>`: days before `mjd_<b>`) carry the rate's window anchor; they are
 * changelogged but not shown.
 */
export const STATE_BANDS = ['u', 'g', 'r', 'i', 'z', 'y'] as const;
export type StateBand = (typeof STATE_BANDS)[number];

/** Storage of a field: f64/f32/u32 typed arrays, i64 a BigInt64Array (null = I64_NULL). */
export type FieldKind = 'f64' | 'f32' | 'u32' | 'i64';

export interface StateField {
  name: string;
  kind: FieldKind;
  /** Shown in the objects table and the `obj_*` columns. */
  public: boolean;
}

/** Stands for a null Int64 (an alert without an id). */
export const I64_NULL = -(1n << 63n);

/** Largest gap (days) between the g and r detections differenced for `gMinusR`. */
export const G_MINUS_R_MAX_DAYS = 1;

/** Column prefix of the object row beside each alert. */
export const OBJECT_COLUMN_PREFIX = 'obj_';

/** Alert column read for total-flux magnitudes, when present (issue 18 part 2 adds it). */
export const TOTAL_MAG_COLUMN = 'totalMag';

const core: StateField[] = [
  { name: 'nAlerts', kind: 'u32', public: true },
  { name: 'firstMjd', kind: 'f64', public: true },
  { name: 'lastMjd', kind: 'f64', public: true },
  { name: 'lastAlertId', kind: 'i64', public: true },
  { name: 'gMinusR', kind: 'f32', public: true },
  { name: 'gMinusRDtDays', kind: 'f32', public: true },
  { name: 'xmCatalog', kind: 'u32', public: false },
  { name: 'xmSepArcsec', kind: 'f32', public: true },
  { name: 'xmCount', kind: 'u32', public: true }
];

const perBand = (b: string): StateField[] => [
  { name: `ndet_${b}`, kind: 'u32', public: true },
  { name: `mag_${b}`, kind: 'f32', public: true },
  { name: `mjd_${b}`, kind: 'f64', public: true },
  { name: `peakMag_${b}`, kind: 'f32', public: true },
  { name: `peakMjd_${b}`, kind: 'f64', public: true },
  { name: `rate_${b}`, kind: 'f32', public: true },
  { name: `totalMag_${b}`, kind: 'f32', public: true },
  { name: `anchorMag_${b}`, kind: 'f32', public: false },
  // days before mjd_<b> (float32 is exact to ~0.1 s over a window of days; saves 4 bytes)
  { name: `anchorAge_${b}`, kind: 'f32', public: false }
];

/** Every stored field, in changelog order. */
export const STATE_FIELDS: readonly StateField[] = [...core, ...STATE_BANDS.flatMap(perBand)];

/** Field index by name. */
export const FIELD: Readonly<Record<string, number>> = Object.fromEntries(
  STATE_FIELDS.map((f, i) => [f.name, i])
);

/** Index of `<name>_<band>` for band index `b`. */
export function bandField(name: string, b: number): number {
  return FIELD[`${name}_${STATE_BANDS[b]}`];
}

/** Band index of a band name, -1 when not one of STATE_BANDS. */
export function bandIndex(band: string | null | undefined): number {
  return band ? (STATE_BANDS as readonly string[]).indexOf(band) : -1;
}

/** Value of a new object's field: NaN for floats (null), 0 for counts, I64_NULL for ids. */
export function initialValue(kind: FieldKind): number | bigint {
  return kind === 'u32' ? 0 : kind === 'i64' ? I64_NULL : NaN;
}

/**
 * Names of the public columns of the `objects` table, in order (objectId first, then the
 * state fields, then the cross-match catalog name and the annotation columns).
 */
export const ANNOTATION_COLUMNS = [
  'annClass',
  'annProbability',
  'annAnnotator',
  'annUrl',
  'annVersion'
] as const;

export const OBJECT_COLUMNS: readonly string[] = [
  'objectId',
  ...STATE_FIELDS.filter(f => f.public).map(f => f.name),
  'xmCatalogName',
  ...ANNOTATION_COLUMNS
];
