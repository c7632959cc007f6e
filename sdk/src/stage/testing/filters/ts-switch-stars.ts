// Stage test filter: a switch over cross-match and lightcurve columns.
import { defineFilter } from '../../../filter/ts-define.js';

export default defineFilter({
  kind: 'switch',
  outputs: ['star', 'long', 'other'],
  defaultOutput: 'other',
  columns: ['xm_hipparcos_count', 'ndet'],
  fn: (batch, cols) => {
    const out: Array<string | null> = [];
    for (let i = 0; i < batch.numRows; i++) {
      out.push(
        (cols.xm_hipparcos_count.get(i) as number) > 0
          ? 'star'
          : (cols.ndet.get(i) as number) >= 20
            ? 'long'
            : null
      );
    }
    return out;
  }
});
