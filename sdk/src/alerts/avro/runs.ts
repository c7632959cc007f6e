/**
 * Speculative skipping of runs of fixed-width fields. A run is a sequence of fields whose width
 * is known once their union branch is: fixed types (boolean, float, double, fixed) and
 * [null, fixed] unions. Read one by one, every nullable field's position depends on the byte
 * before it — a serial chain of loads. Items of a history array mostly repeat the previous item's
 * null pattern, so a run first checks, all at once, that each union byte sits where the last
 * item had it with the same value; if so the whole run is skipped in one step. If not, it is read
 * one by one and the new layout recorded. Both ways give the same result: when every predicted
 * union byte matches, each field has the same width as before, so the next one starts where
 * predicted.
 */
import type { AvroType } from './schema.js';

/** One field of a run: its width, and for a [null, fixed] union the "is not null" expression. */
export interface RunItem {
  width: number;
  isX?: string;
}

function fixedWidth(t: AvroType): number {
  switch (t.kind) {
    case 'boolean':
      return 1;
    case 'float':
      return 4;
    case 'double':
      return 8;
    case 'fixed':
      return t.size;
    case 'null':
      return 0;
    default:
      return -1;
  }
}

/** The run item for skipping `t`, or undefined when its width is not fixed per branch. */
export function runItemOf(t: AvroType): RunItem | undefined {
  if (t.kind === 'union') {
    if (t.branches.length !== 2) {
      return undefined;
    }
    const nullAt = t.branches.findIndex(b => b.kind === 'null');
    const width = nullAt < 0 ? -1 : fixedWidth(t.branches[1 - nullAt]);
    if (width <= 0) {
      return undefined;
    }
    // The branch byte is 0 or 2; "is X" is (t >>> 1) when X is branch 1, ((t ^ 2) >>> 1) if 0.
    return { width, isX: nullAt === 0 ? '(t >>> 1)' : '((t ^ 2) >>> 1)' };
  }
  const width = fixedWidth(t);
  return width < 0 ? undefined : { width };
}

/** Branch-free skip of one run item (union bytes other than 0 and 2 are flagged in `bad`). */
export function skipItem(item: RunItem): string {
  return item.isX === undefined
    ? `p += ${item.width};`
    : `t = b[p]; bad |= t & ~2; p += 1 + ${item.isX} * ${item.width};`;
}

/** Number of Int32 cells the layout record of a run needs. */
export function runSize(items: ReadonlyArray<RunItem>): number {
  return 1 + 2 * items.filter(i => i.isX !== undefined).length;
}

/**
 * Code that skips `items` using the layout record `R` (an Int32Array constant in the generated
 * code: [length or -1, then offset and byte of each union]).
 */
export function emitRun(items: ReadonlyArray<RunItem>, R: string): string {
  const checks: string[] = [];
  const serial: string[] = [];
  let u = 0;
  for (const item of items) {
    if (item.isX === undefined) {
      serial.push(`p += ${item.width};`);
      continue;
    }
    const at = 1 + 2 * u++;
    checks.push(`(b[p + ${R}[${at}]] ^ ${R}[${at + 1}])`);
    serial.push(
      `${R}[${at}] = p - q; t = b[p]; ${R}[${at + 1}] = t; bad |= t & ~2; p += 1 + ${item.isX} * ${item.width};`
    );
  }
  return `if (${R}[0] >= 0 && (${checks.join(' | ')}) === 0) { p += ${R}[0]; } else {
  q = p;
  ${serial.join('\n  ')}
  ${R}[0] = bad === 0 ? p - q : -1;
}`;
}
