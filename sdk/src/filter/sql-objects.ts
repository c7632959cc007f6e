/**
 * `objects` in SQL filters: a stage with object state puts each object's row beside its alert
 * (`obj_*` columns); a SQL filter may also JOIN table `objects`, one row per object of the batch
 * with the columns of the objects table (`nAlerts`, `ndet_g`, ...), as the object stands after
 * its latest alert in the batch. Per alert, the `obj_*` columns give the state as of that alert.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent } from '../duck/index.js';
import { OBJECT_COLUMNS, OBJECT_COLUMN_PREFIX } from '../state/schema.js';

/** Name of the objects table SQL filters may join. */
export const OBJECTS_TABLE = 'objects';

const OBJECT_NAMES = new Set(OBJECT_COLUMNS.map(c => c.toLowerCase()));

/**
 * The batch columns a query that reads `objects` needs: those it names that are alert columns,
 * plus `objectId` and every `obj_*` column of the batch.
 */
export function columnsWithObjects(
  inferred: readonly string[],
  batchColumns: readonly string[]
): string[] {
  const have = new Set(batchColumns.map(c => c.toLowerCase()));
  const own = inferred.filter(c => have.has(c.toLowerCase()) || !OBJECT_NAMES.has(c.toLowerCase()));
  const objects = batchColumns.filter(c => c.toLowerCase().startsWith(OBJECT_COLUMN_PREFIX));
  return [...new Set([...own, 'objectId', ...objects])];
}

/** True when the batch carries object state (a stage with `objects`). */
export function hasObjectColumns(batchColumns: readonly string[]): boolean {
  return batchColumns.some(c => c.startsWith(OBJECT_COLUMN_PREFIX));
}

/** (Re)creates view `objects` over the loaded `alerts` table (its `obj_*` columns). */
export async function createObjectsView(
  connection: DuckDBConnection,
  alertsTable: string,
  rowIndexColumn: string,
  loaded: readonly string[]
): Promise<void> {
  const present = new Set(loaded);
  const select = OBJECT_COLUMNS.filter(c => c !== 'objectId')
    .filter(c => present.has(`${OBJECT_COLUMN_PREFIX}${c}`))
    .map(c => `${quoteIdent(`${OBJECT_COLUMN_PREFIX}${c}`)} AS ${quoteIdent(c)}`);
  await connection.run(
    `CREATE OR REPLACE VIEW ${OBJECTS_TABLE} AS SELECT "objectId", ${select.join(', ')} ` +
      `FROM ${alertsTable} WHERE "objectId" IS NOT NULL ` +
      `QUALIFY row_number() OVER (PARTITION BY "objectId" ORDER BY ${rowIndexColumn} DESC) = 1`
  );
}
