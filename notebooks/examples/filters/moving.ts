// left/right: solar-system objects to the left ("moving"), the rest to the right ("static").
// Called once per alert (mode 'alert'): simple, slower than a batch function.
import { defineFilter } from '@alertlab/sdk';

export default defineFilter({
  id: 'moving',
  kind: 'leftright',
  outputs: ['moving', 'static'],
  columns: ['isMovingObject'],
  mode: 'alert',
  fn: alert => alert.isMovingObject === true
});
