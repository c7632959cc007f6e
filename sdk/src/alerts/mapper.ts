/**
 * Base of the survey mappers: which Avro paths feed slots (for the canonical columns and the
 * lightcurve), how scalar fields are flattened into columns, and which bytes are cutouts.
 */
import type { AlertColumns } from './arrow/alert-columns.js';
import type { ProjectionPlan, ScalarKind, ScalarTarget, Sink } from './avro/codegen.js';
import { Slots, type SlotKind, type SlotRef } from './avro/slots.js';
import type { RowProblem } from './position.js';

export type Survey = 'rubin' | 'ztf';

export abstract class SurveyMapper {
  abstract readonly survey: Survey;
  readonly slots: Slots;
  private readonly refs = new Map<string, SlotRef>();
  /** The input being decoded (string slots point into it). */
  buf: Uint8Array = new Uint8Array(0);

  constructor(
    protected readonly cols: AlertColumns,
    slotSpec: ReadonlyArray<readonly [string, SlotKind]>
  ) {
    slotSpec.forEach(([path, kind], index) => this.refs.set(path, { index, kind }));
    this.slots = new Slots(slotSpec.length);
  }

  /** Slot index of `path` (declared in the slot spec). */
  protected slot(path: string): number {
    const ref = this.refs.get(path);
    if (!ref) {
      throw new Error(`internal: no slot for ${path}`);
    }
    return ref.index;
  }

  /** Flattened column name for a scalar path, or undefined to not keep it as a column. */
  protected abstract flatName(path: string): string | undefined;
  /** Cutout column name for a bytes path, or undefined. */
  protected abstract cutoutName(path: string): string | undefined;
  /** Item callbacks for the lightcurve arrays, by array path. */
  protected abstract hooks(): Record<string, () => void>;
  /** Callbacks run once after each whole lightcurve array, by array path. */
  protected arrayEnds(): Record<string, () => void> {
    return {};
  }
  /** A raw sink for a lightcurve array's scalar path (written by the reader directly), if any. */
  protected pointSink(_path: string): Sink | undefined {
    return undefined;
  }
  /** The path slots and sinks know `path` by (a survey maps renamed fields here). @default path */
  protected canonicalPath(path: string): string {
    return path;
  }
  /** Called before each datum is read. */
  beginRow(): void {
    this.slots.reset();
  }
  /** Writes the canonical columns and the current lightcurve point; or says why the row is rejected. */
  abstract finishRow(): RowProblem | undefined;

  /**
   * The projection used to compile a reader for one writer schema: every survey column, or those
   * in `columns` (the canonical columns and the lightcurve come from slots and sinks either way).
   * Without `lightcurve` the history arrays get no hook, so the reader skips them unread (the
   * current point still goes to the lightcurve builder, whose column the batch then leaves out).
   */
  plan(includeCutouts: boolean, columns?: readonly string[], lightcurve = true): ProjectionPlan {
    const used = new Set<string>();
    const keep = columns && new Set(columns.map(c => c.toLowerCase()));
    const hooks = lightcurve ? this.hooks() : {};
    const ends = lightcurve ? this.arrayEnds() : {};
    return {
      scalar: (path: string, kind: ScalarKind): ScalarTarget | undefined => {
        const known = this.canonicalPath(path);
        const slot = this.refs.get(known);
        const sink = lightcurve ? this.pointSink(known) : undefined;
        if (sink !== undefined) {
          return { column: sink, slot };
        }
        const cut = kind === 'bytes' ? this.cutoutName(path) : undefined;
        if (cut !== undefined) {
          return includeCutouts ? { column: this.cols.cutout(cut), slot } : slot && { slot };
        }
        const name = this.flatName(path);
        let column;
        if (name !== undefined && !used.has(name) && (!keep || keep.has(name.toLowerCase()))) {
          used.add(name);
          column = this.cols.column(name, kind);
        }
        return column || slot ? { column, slot } : undefined;
      },
      arrayHook: (path: string) => hooks[path],
      arrayEnd: (path: string) => ends[path]
    };
  }
}

/** Flattening shared by both surveys: top-level scalars by name, `main.x` as `x`, `rec.x` as `rec_x`. */
export function flattenPath(
  path: string,
  main: string,
  prefixes: Readonly<Record<string, string>>,
  skipRecords: ReadonlySet<string>
): string | undefined {
  if (path.includes('[]')) {
    return undefined;
  }
  const parts = path.split('.');
  if (parts.length === 1) {
    return parts[0];
  }
  if (parts.length !== 2 || skipRecords.has(parts[0])) {
    return undefined;
  }
  if (parts[0] === main) {
    return parts[1];
  }
  return `${prefixes[parts[0]] ?? `${parts[0]}_`}${parts[1]}`;
}
