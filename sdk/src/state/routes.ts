/**
 * REST: `POST /stages/{id}/objects` `{sql, maxRows?}` runs one SELECT over the stage's `objects`
 * table (its object state, materialised from the changelog; see view.ts) and answers
 * `{stage, columns: [{name, type}], rows: [[...]], numRows}`; Int64 values as decimal strings.
 */
import type { RecordBatch } from 'apache-arrow';
import type { Controller } from '../control/controller.js';
import { HttpError, readJson, sendJson, type Router } from '../control/http.js';
import { checkAccess } from '../control/ownership.js';
import { parseStageManifest } from '../stage/manifest.js';
import { ObjectsView } from './view.js';

/** Rows as JSON-safe arrays (bigint → string). */
export function batchToJsonRows(batch: RecordBatch): {
  columns: { name: string; type: string }[];
  rows: unknown[][];
} {
  const columns = batch.schema.fields.map(f => ({ name: f.name, type: String(f.type) }));
  const vectors = batch.schema.fields.map((_f, i) => batch.getChildAt(i));
  const rows: unknown[][] = [];
  for (let r = 0; r < batch.numRows; r++) {
    rows.push(
      vectors.map(v => {
        const x: unknown = v?.get(r);
        return typeof x === 'bigint' ? x.toString() : x === undefined ? null : x;
      })
    );
  }
  return { columns, rows };
}

/** Adds the objects route; one view per stage, kept and refreshed per query. */
export function addObjectRoutes(router: Router, ctl: Controller): { close(): void } {
  const views = new Map<string, { key: string; view: Promise<ObjectsView> }>();
  router.add('POST', '/stages/{id}/objects', async ({ req, res, params, user }) => {
    const body = await readJson(req, 256 * 1024);
    const sql = body.sql;
    if (typeof sql !== 'string' || sql.trim() === '') {
      throw new HttpError(400, 'Objects query needs "sql": one SELECT over table objects.');
    }
    const rec = ctl.registry.get(params.id);
    checkAccess(rec, user, 'query the object state of');
    const manifest = parseStageManifest(ctl.registry.version(rec.id, rec.currentVersion).manifest);
    if (!manifest.objects) {
      throw new HttpError(
        409,
        `Stage "${rec.id}" keeps no object state; deploy it with "objects": true in its manifest.`
      );
    }
    const o = manifest.objects;
    const key = `${o.changelogTopic}|${o.annotationsTopic ?? ''}`;
    let entry = views.get(rec.id);
    if (entry === undefined || entry.key !== key) {
      entry = {
        key,
        view: ObjectsView.open(ctl.buffer.transport, {
          changelogTopic: o.changelogTopic,
          annotationsTopic: o.annotationsTopic,
          catalogs: manifest.crossmatch?.catalogs.map(c => c.name) ?? []
        })
      };
      entry.view.catch(() => views.delete(rec.id));
      views.set(rec.id, entry);
    }
    const maxRows = typeof body.maxRows === 'number' ? body.maxRows : undefined;
    let batch: RecordBatch;
    try {
      batch = await (await entry.view).query(sql, { maxRows });
    } catch (error) {
      if ((error as Error).name === 'FilterSqlRefusedError') {
        throw new HttpError(422, (error as Error).message);
      }
      throw error;
    }
    sendJson(res, 200, { stage: rec.id, numRows: batch.numRows, ...batchToJsonRows(batch) });
  });
  return {
    close: () => {
      for (const e of views.values()) {
        void e.view.then(v => v.close()).catch(() => undefined);
      }
      views.clear();
    }
  };
}
