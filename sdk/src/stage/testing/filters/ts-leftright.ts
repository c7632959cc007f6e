// Stage test filter: alerts with at least 10 detections go left, the others right (per alert).
import { defineFilter } from '../../../filter/ts-define.js';

export default defineFilter({
  kind: 'leftright',
  mode: 'alert',
  columns: ['ndet'],
  fn: alert => (alert.ndet as number) >= 10
});
