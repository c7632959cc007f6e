// Stage test filter: throws on batches holding an alert with diaSourceId ending in 3 (mod 10),
// loops forever on batches holding one ending in 7, routes every alert otherwise.
import { defineFilter } from '../../../filter/ts-define.js';

export default defineFilter({
  kind: 'yesno',
  columns: ['alertId'],
  fn: (batch, cols) => {
    const out: boolean[] = [];
    for (let i = 0; i < batch.numRows; i++) {
      const id = cols.alertId.get(i) as bigint;
      if (id % 10n === 3n) {
        throw new Error(`moody filter refuses alert ${id}`);
      }
      while (id % 10n === 7n) {
        // a filter that never returns
      }
      out.push(true);
    }
    return out;
  }
});
