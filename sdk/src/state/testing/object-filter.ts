// Object-state test filter: alerts of objects seen at least twice go left (left/right, whole batch).
import { defineFilter } from '../../filter/ts-define.js';

export default defineFilter({
  kind: 'leftright',
  columns: ['obj_nAlerts'],
  fn: (batch, cols) => {
    const out: boolean[] = [];
    for (let i = 0; i < batch.numRows; i++) {
      out.push((cols.obj_nAlerts.get(i) as number) >= 2);
    }
    return out;
  }
});
