/** Checks that an alert has a usable sky position. */
import type { DecodeRejectCode } from './types.js';

export interface RowProblem {
  code: DecodeRejectCode;
  reason: string;
}

/**
 * Returns why (raDeg, decDeg) is unusable, or undefined when ra ∈ [0, 360) and dec ∈ [-90, 90].
 * `raMissing` / `decMissing` say the field was absent or null.
 */
export function positionProblem(
  raDeg: number,
  decDeg: number,
  raMissing: boolean,
  decMissing: boolean
): RowProblem | undefined {
  if (raMissing || decMissing) {
    return {
      code: 'missing-position',
      reason: `Alert has no ${raMissing ? 'ra' : 'dec'}; it cannot be placed on the sky. Check the producer's schema.`
    };
  }
  if (!(raDeg >= 0 && raDeg < 360)) {
    return {
      code: 'bad-position',
      reason: `Alert ra=${raDeg} deg is not in [0, 360). Check the producer's coordinates.`
    };
  }
  if (!(decDeg >= -90 && decDeg <= 90)) {
    return {
      code: 'bad-position',
      reason: `Alert dec=${decDeg} deg is not in [-90, 90]. Check the producer's coordinates.`
    };
  }
  return undefined;
}
