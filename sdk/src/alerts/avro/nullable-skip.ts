/**
 * Skipping a [null, fixed-width] union (nullable boolean, float, double, fixed) in generated
 * readers. The code is branchy on purpose: history items repeat their null pattern, so the branch
 * predicts well and the CPU runs ahead, whereas a branch-free `p += 1 + (t >>> 1) * width` chains
 * every field's position on the load before it (measured ≈3× slower on Rubin prvDiaSources items;
 * so was checking runs of union bytes against the previous item's layout).
 */
import type { AvroType } from './schema.js';

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
    default:
      return -1;
  }
}

/**
 * Skip code for a two-branch union of null and a fixed-width type, or undefined for any other
 * union. A branch byte other than the two valid ones sets `bad` (checked once per datum).
 */
export function fixedSkip(t: AvroType): string | undefined {
  if (t.kind !== 'union' || t.branches.length !== 2) {
    return undefined;
  }
  const nullAt = t.branches.findIndex(b => b.kind === 'null');
  const width = nullAt < 0 ? -1 : fixedWidth(t.branches[1 - nullAt]);
  if (width <= 0) {
    return undefined;
  }
  const value = (1 - nullAt) * 2;
  return `t = b[p++]; if (t === ${value}) { p += ${width}; } else if (t !== ${nullAt * 2}) { bad = 1; }`;
}
