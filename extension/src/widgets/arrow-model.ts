import {
  DOMWidgetModel,
  type IBackboneModelOptions,
  type ISerializers
} from '@jupyter-widgets/base';
import type { ObjectHash } from 'backbone';
import type { Table } from 'apache-arrow';
import { concatTables, decodeArrow, type BinaryLike } from './columns.js';
import { MODULE_NAME, MODULE_VERSION } from '../version.js';

/** Messages the Python side sends besides state (see alertlab/widgets/_base.py). */
export interface CommandMessage {
  method: string;
  args?: Record<string, unknown>;
}

/**
 * A widget model whose bulk data is an Arrow IPC stream in the `_table` trait (binary buffer),
 * plus `append` messages carrying further IPC streams (live updates, no full resend).
 * Fires `data` when the table changes and `command` for other queued Python calls.
 */
export class ArrowTableModel extends DOMWidgetModel {
  // Assigned in initialize(), which Backbone calls from the base constructor: a class field
  // initialiser would run afterwards and wipe it.
  declare private tables: Table[];

  override defaults(): Record<string, unknown> {
    return {
      ...super.defaults(),
      _model_module: MODULE_NAME,
      _model_module_version: MODULE_VERSION,
      _view_module: MODULE_NAME,
      _view_module_version: MODULE_VERSION,
      _table: null,
      height: 420
    };
  }

  override initialize(attributes: ObjectHash, options: IBackboneModelOptions): void {
    super.initialize(attributes, options);
    this.resetTable();
    this.on('change:_table', () => {
      this.resetTable();
      this.trigger('data');
    });
    this.on('msg:custom', (msg: CommandMessage, buffers?: DataView[]) =>
      this.onCommand(msg, buffers ?? [])
    );
  }

  /** All rows received so far (initial table plus appends), or null when empty. */
  table(): Table | null {
    return concatTables(this.tables);
  }

  private resetTable(): void {
    const t = decodeArrow(this.get('_table') as BinaryLike | null);
    this.tables = t ? [t] : [];
  }

  private onCommand(msg: CommandMessage, buffers: DataView[]): void {
    if (msg.method === 'append') {
      for (const b of buffers) {
        const t = decodeArrow(b);
        if (t && t.numRows > 0) {
          this.tables.push(t);
        }
      }
      this.trigger('data');
      return;
    }
    this.trigger('command', msg);
  }

  static override serializers: ISerializers = { ...DOMWidgetModel.serializers };
}
