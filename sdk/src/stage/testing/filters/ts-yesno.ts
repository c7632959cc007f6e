// Stage test filter: ZTF alerts brighter than 18.5 pass (yes/no, whole batch).
import { defineFilter } from '../../../filter/ts-define.js';

export default defineFilter({
  kind: 'yesno',
  columns: ['survey', 'mag'],
  fn: (batch, cols) => {
    const out: boolean[] = [];
    for (let i = 0; i < batch.numRows; i++) {
      const mag = cols.mag.get(i) as number | null;
      out.push(cols.survey.get(i) === 'ztf' && mag !== null && mag < 18.5);
    }
    return out;
  }
});
