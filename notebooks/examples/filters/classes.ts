// switch: asteroids to "sso", then by magnitude to "bright" (< 20.5) or "faint" (< 23); the rest
// (fainter, or no magnitude) to the default output "other". Same routing as notebook 04's SQL CASE.
import { defineFilter } from '@alertlab/sdk';

export default defineFilter({
  id: 'classes',
  kind: 'switch',
  outputs: ['sso', 'bright', 'faint', 'other'],
  defaultOutput: 'other',
  columns: ['isMovingObject', 'mag'],
  fn: (batch, cols) => {
    const out: Array<string | null> = [];
    for (let i = 0; i < batch.numRows; i++) {
      const mag = cols.mag.get(i) as number | null;
      if (cols.isMovingObject.get(i) === true) {
        out.push('sso');
      } else if (mag !== null && mag < 20.5) {
        out.push('bright');
      } else if (mag !== null && mag < 23) {
        out.push('faint');
      } else {
        out.push(null);
      }
    }
    return out;
  }
});
