/**
 * Compiles an Avro writer schema into a JavaScript function (via `new Function`) that reads one
 * datum and writes straight into column builders and slots. Fields nobody asked for are skipped
 * without copying (fixed widths by adding to the position, blocks with a byte size in one step).
 */
import { AvroSchemaError } from '../../errors.js';
import type { ColumnBuilder } from '../arrow/columns.js';
import { AvroCursor } from './cursor.js';
import { emitScalar } from './emit-scalar.js';
import { RUN_FIELDS, SKIPPED_RUN_FIELDS, traceable } from './layouts.js';
import { directSinks } from './direct-sinks.js';
import { fixedSkip } from './nullable-skip.js';
import { SKIP, unionSwitch } from './skip-code.js';
import { RunTuner } from './run-tuner.js';
import type { AvroType } from './schema.js';
import type { SlotRef, Slots } from './slots.js';

export type ScalarKind =
  'boolean' | 'int' | 'long' | 'float' | 'double' | 'string' | 'bytes' | 'enum' | 'fixed';

/**
 * Anything the generated code appends to: a column builder, or a raw sink with the same calls
 * for the scalar's kind (`append(v)`, `appendBytes(b, p, n)`, `appendNull()`).
 */
export type Sink = ColumnBuilder | { appendNull(): void };

/** Where one scalar goes: a column builder (or raw sink) of the matching kind, a slot, or both. */
export interface ScalarTarget {
  column?: Sink;
  slot?: SlotRef;
}

/** Decides, per field path (`diaSource.ra`, `prvDiaSources[].band`), what the reader keeps. */
export interface ProjectionPlan {
  scalar(path: string, kind: ScalarKind): ScalarTarget | undefined;
  /**
   * A callback run after each item of the array at `path`; arrays without one are skipped.
   * KEEP_ARRAY keeps the array (its scalars go to their targets) with no callback per item.
   */
  arrayHook(path: string): (() => void) | undefined;
  /** A callback run once after the whole kept array at `path` (not per item), if any. */
  arrayEnd?(path: string): (() => void) | undefined;
}

/** An array hook that keeps the array but is never called (see ProjectionPlan.arrayHook). */
export const KEEP_ARRAY = (): void => {};

/** Reads one datum from `b` at `p` (ending before `end`); returns the position after it. */
export type DatumReader = (b: Uint8Array, p: number, end: number, dv: DataView) => number;

/**
 * A compiled reader. `tune()`, called between batches, re-learns the layouts of skipped runs in
 * array items when too many rows miss them (see run-tuner.ts); results never depend on it.
 */
export type TunedReader = DatumReader & { tune(): void; tuner: RunTuner };

interface Piece {
  code: string;
  nulls: string;
  targets: number;
  /** Skips in a function of its own (a skipped array of records): kept even without targets. */
  skipper?: boolean;
}

/** Compiles `root` under `plan` into a reader bound to `slots`. */
export function compileReader(root: AvroType, plan: ProjectionPlan, slots: Slots): TunedReader {
  const cols: Sink[] = [];
  const hooks: Array<() => void> = [];
  const enums: Uint8Array[][] = [];
  const stack: string[] = [];
  const templates: string[] = [];
  const tuner = new RunTuner();
  /** The kept array whose item is being generated (-1: none). */
  let owner = -1;
  /** Union branches around the code being generated, within the owner's item. */
  let branches = 0;
  let depth = 0;
  const enc = new TextEncoder();

  const colVar = (c: Sink): string => {
    let i = cols.indexOf(c);
    if (i < 0) {
      i = cols.push(c) - 1;
    }
    return `c${i}`;
  };

  const skipPiece = (t: AvroType): Piece => ({
    code: skip(t),
    nulls: '',
    targets: 0
  });

  const scalar = (t: AvroType, path: string): Piece => {
    const target = plan.scalar(path, t.kind as ScalarKind);
    const col = target?.column ? colVar(target.column) : undefined;
    if (!col && !target?.slot) {
      return skipPiece(t);
    }
    const enumAt = t.kind === 'enum' ? enums.push(t.symbols.map(x => enc.encode(x))) - 1 : -1;
    return { ...emitScalar(t, path, col, target?.slot, enumAt), targets: 1 };
  };

  const skip = (t: AvroType): string => {
    switch (t.kind) {
      case 'record':
        return guard(t.name, () => t.fields.map(f => skip(f.type)).join('\n'));
      case 'enum':
        return SKIP.long;
      case 'fixed':
        return `p += ${t.size};`;
      case 'union': {
        return fixedSkip(t) ?? unionSwitch(t.branches.map(b => skip(b)));
      }
      case 'array':
      case 'map':
        return blocks(
          t.kind === 'map' ? `${SKIP.string}\n${skip(t.values)}` : skip(t.items),
          '',
          true
        );
      default:
        return SKIP[t.kind];
    }
  };

  const guard = <T>(name: string, body: () => T): T => {
    if (stack.includes(name)) {
      throw new AvroSchemaError(
        `Avro schema type "${name}" is recursive; recursive types are not supported by the alert decoder.`
      );
    }
    stack.push(name);
    try {
      return body();
    } finally {
      stack.pop();
    }
  };

  const blocks = (
    item: string,
    hookCall: string,
    skippable: boolean,
    open: (count: string) => string = () => '',
    close = ''
  ): string => {
    const d = ++depth;
    const code = `for (;;) {
  let n${d} = H.long(b, p); p = H.p;
  if (n${d} === 0) { break; }
  if (n${d} < 0) { n${d} = -n${d}; const s${d} = H.long(b, p); p = H.p;${skippable ? ` if (s${d} >= 0) { p += s${d}; if (p > end) { throw H.truncated(p); } continue; }` : ''} }
  ${open(`n${d}`)}
  for (let i${d} = 0; i${d} < n${d}; i${d}++) {
    if (p > end) { throw H.truncated(p); }
    ${item}
    ${hookCall}
  }
  ${close}
}`;
    depth--;
    return code;
  };

  /** Joins an array item's field pieces; runs of skipped fields become learned-layout runs. */
  const withRuns = (
    fields: ReadonlyArray<{ type: AvroType }>,
    parts: Piece[],
    runFields = RUN_FIELDS
  ): string => {
    const out: string[] = [];
    let run: number[] = [];
    const flush = (): void => {
      if (run.length >= 2) {
        // plain skips (a skipped nested record's own piece may hold a run placeholder)
        const generic = run.map(i => skip(fields[i].type)).join('\n');
        out.push(
          tuner.add(
            run.map(i => fields[i].type),
            generic,
            owner,
            branches > 0
          )
        );
      } else {
        out.push(...run.map(i => parts[i].code));
      }
      run = [];
    };
    parts.forEach((part, i) => {
      if (part.targets === 0 && traceable(fields[i].type)) {
        run.push(i);
        if (run.length === runFields) {
          flush();
        }
      } else {
        flush();
        out.push(part.code);
      }
    });
    flush();
    return out.join('\n');
  };

  /**
   * An array of records nobody reads, skipped in a function of its own (as kept arrays are read):
   * its items' fields form learned-layout runs (a row in one check or two where the writer gave
   * no block sizes), and its loop does not hold the reader that calls it in V8's interpreter
   * while it warms up (an on-stack-replaced loop falls back to it at every exit).
   */
  const skippedArray = (items: AvroType & { kind: 'record' }): Piece => {
    const a = templates.push('') - 1;
    const [outer, outerBranches] = [owner, branches];
    [owner, branches] = [a, 0];
    const item = guard(items.name, () =>
      withRuns(
        items.fields,
        items.fields.map(f => skipPiece(f.type)),
        SKIPPED_RUN_FIELDS
      )
    );
    [owner, branches] = [outer, outerBranches];
    templates[a] = `let t = 0, n = 0, v = 0, bad = 0;
  ${blocks(item, '', true, n => RunTuner.rows(n))}
  if (bad !== 0) { throw H.badUnion(p, -1); }
  return p;`;
    return { code: `p = T.readArray(${a}, b, p, end, dv);`, nulls: '', targets: 0, skipper: true };
  };

  const walk = (t: AvroType, path: string): Piece => {
    switch (t.kind) {
      case 'record':
        return guard(t.name, () => {
          const parts = t.fields.map(f => walk(f.type, path ? `${path}.${f.name}` : f.name));
          return {
            code: owner < 0 ? parts.map(x => x.code).join('\n') : withRuns(t.fields, parts),
            nulls: parts.map(x => x.nulls).join('\n'),
            targets: parts.reduce((s, x) => s + x.targets, 0)
          };
        });
      case 'union': {
        const nullAt = t.branches.findIndex(b => b.kind === 'null');
        if (t.branches.length === 2 && nullAt >= 0) {
          branches++;
          const inner = walk(t.branches[1 - nullAt], path);
          branches--;
          if (inner.targets === 0 && !inner.skipper) {
            return skipPiece(t);
          }
          const nullCode = nullAt * 2;
          const valCode = (1 - nullAt) * 2;
          return {
            code: `t = b[p++];\nif (t === ${valCode}) {\n${inner.code}\n} else if (t === ${nullCode}) {\n${inner.nulls}\n} else { throw H.badUnion(p, t >>> 1); }`,
            nulls: inner.nulls,
            targets: inner.targets,
            skipper: inner.skipper
          };
        }
        return skipPiece(t);
      }
      case 'array': {
        const hook = plan.arrayHook(path);
        if (!hook) {
          return t.items.kind === 'record' ? skippedArray(t.items) : skipPiece(t);
        }
        const k = hooks.push(hook) - 1;
        const done = plan.arrayEnd?.(path);
        const doneCall = done ? `k${hooks.push(done) - 1}();` : '';
        const a = templates.push('') - 1;
        const [outer, outerBranches] = [owner, branches];
        [owner, branches] = [a, 0];
        const item = walk(t.items, `${path}[]`);
        [owner, branches] = [outer, outerBranches];
        // Each kept array gets its own function: small enough for V8 to optimise on its own and
        // to inline the item callback, which a single huge reader function would not; and
        // recompiled alone when its runs' layouts change.
        // a per-item callback might grow the point buffers under the local arrays: no direct stores
        const direct = directSinks(item.code, cols, hook === KEEP_ARRAY);
        templates[a] = `let t = 0, n = 0, v = 0, bad = 0;
  ${direct.decls}
  ${blocks(direct.code, hook === KEEP_ARRAY ? '' : `k${k}();`, false, n => `${RunTuner.rows(n)} ${direct.open(n)}`, direct.close)}
  if (bad !== 0) { throw H.badUnion(p, -1); }
  ${doneCall}
  return p;`;
        return { code: `p = T.readArray(${a}, b, p, end, dv);`, nulls: '', targets: 1 };
      }
      case 'map':
      case 'null':
        return skipPiece(t);
      default:
        return scalar(t, path);
    }
  };

  const body = walk(root, '').code;
  const decls = `${[
    ...cols.map((_, i) => `const c${i} = C[${i}];`),
    ...hooks.map((_, i) => `const k${i} = K[${i}];`)
  ].join('\n')}
const sf = S.num, sn = S.isNull, slo = S.lo, shi = S.hi, ss = S.start, sl = S.len;
const RE = T.E, RM = T.M, RH = T.H;`;
  type Factory = (
    h: AvroCursor,
    c: Sink[],
    s: Slots,
    k: Array<() => void>,
    e: Uint8Array[][],
    a: DatumReader[],
    t: RunTuner
  ) => DatumReader;
  const compile = (name: string, fnBody: string): DatumReader => {
    const source = `${decls}\nreturn function ${name}(b, p, end, dv) {\n${fnBody}\n};`;
    const factory = new Function('H', 'C', 'S', 'K', 'E', 'A', 'T', source) as Factory;
    return factory(cursor, cols, slots, hooks, enums, arrays, tuner);
  };
  const cursor = new AvroCursor();
  const arrays = tuner.arrays;
  const build = (a: number): void => {
    arrays[a] = compile(`readArray${a}`, tuner.render(templates[a]));
  };
  tuner.seal(build);
  tuner.generics.forEach((generic, r) => {
    tuner.skips[r] = compile(
      `skipRun${r}`,
      `let t = 0, n = 0, v = 0, bad = 0;\n${generic}\nT.bad = bad;\nreturn p;`
    );
  });
  templates.forEach((_, a) => build(a));
  const read = compile(
    'read',
    `let t = 0, n = 0, v = 0, bad = 0;
${body}
  if (bad !== 0) { throw H.badUnion(p, -1); }
  return p;`
  ) as TunedReader;
  read.tune = () => tuner.tune();
  read.tuner = tuner;
  return read;
}
