// yes/no: alerts brighter than magnitude 20.5 pass. The TypeScript twin of notebook 04's SQL
// `mag < 20.5` and Python `bright` filters (a null or NaN magnitude does not pass).
import { defineFilter } from '@alertlab/sdk';

export default defineFilter({
  id: 'bright',
  kind: 'yesno',
  outputs: ['bright'],
  columns: ['mag'],
  fn: (batch, cols) => {
    const out = new Array<boolean>(batch.numRows);
    for (let i = 0; i < batch.numRows; i++) {
      const mag = cols.mag.get(i) as number | null;
      out[i] = mag !== null && mag < 20.5;
    }
    return out;
  }
});
