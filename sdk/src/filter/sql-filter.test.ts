import { describe, expect, it } from 'vitest';
import { FilterColumnError, FilterSqlRefusedError, FilterTimeoutError } from '../errors.js';
import { sqlFilter, type SqlFilterOptions } from './factories.js';
import { withLightcurveFeatures } from './features.js';
import { SqlSandbox, SANDBOX_SETTINGS } from './sql-sandbox.js';
import { staticSqlCheck } from './sql-static.js';
import { analyzeSql } from './sql-ast.js';
import { syntheticAlerts } from './synthetic.js';
import type { SqlFilter } from './sql-filter.js';

async function withSqlFilter<T>(
  sql: string,
  options: SqlFilterOptions,
  fn: (f: SqlFilter) => Promise<T>
): Promise<T> {
  const filter = await sqlFilter(sql, options);
  try {
    return await fn(filter);
  } finally {
    await filter.close();
  }
}

async function withSandbox<T>(fn: (s: SqlSandbox) => Promise<T>): Promise<T> {
  const sandbox = await SqlSandbox.create();
  try {
    return await fn(sandbox);
  } finally {
    await sandbox.close();
  }
}

const { batch, rows } = syntheticAlerts(3000, 11);
const features = withLightcurveFeatures(batch);
const ndet = (row: number): number => features.getChild('ndet')?.get(row) as number;

describe('SQL filters route like a plain JS loop', () => {
  it('yes/no as a condition', async () => {
    await withSqlFilter(
      "mag < 19 AND band = 'g' AND NOT isMovingObject",
      { id: 'bright-g', kind: 'yesno' },
      async f => {
        const routing = await f.evaluate(batch);
        expect(routing.outputs).toEqual(['pass']);
        const want = rows.map(r =>
          r.mag !== null && r.mag < 19 && r.band === 'g' && !r.isMovingObject ? 0 : -1
        );
        expect([...routing.index]).toEqual(want);
        expect(want.filter(k => k === 0).length).toBeGreaterThan(50);
        expect(f.requiredColumns).toEqual(['mag', 'band', 'isMovingObject']);
      }
    );
  });

  it('yes/no as a full SELECT (projection ignored, WHERE kept), over lightcurve features', async () => {
    await withSqlFilter(
      "SELECT objectId, mag FROM alerts a WHERE a.ndet >= 5 AND survey = 'ztf';",
      { id: 'many', kind: 'yesno', outputs: ['many-detections'] },
      async f => {
        const routing = await f.evaluate(batch);
        const want = rows.map((r, i) => (ndet(i) >= 5 && r.survey === 'ztf' ? 0 : -1));
        expect([...routing.index]).toEqual(want);
      }
    );
  });

  it('left/right as a boolean expression (NULL goes right)', async () => {
    await withSqlFilter(
      'riseRate > 0',
      { id: 'rising', kind: 'leftright', outputs: ['rising', 'other'] },
      async f => {
        const routing = await f.evaluate(batch);
        const rate = features.getChild('riseRate');
        const want = rows.map((_, i) => {
          const v = rate?.get(i) as number | null;
          return v !== null && v > 0 ? 0 : 1;
        });
        expect([...routing.index]).toEqual(want);
        expect(new Set(want).size).toBe(2);
      }
    );
  });

  it('switch as a CASE over output names (NULL and unknown names go to the default)', async () => {
    const sql =
      "CASE WHEN isMovingObject THEN 'sso' WHEN mag < 18 THEN 'bright' WHEN mag >= 18 THEN 'faint' WHEN band = 'y' THEN 'no-such-output' END";
    await withSqlFilter(
      sql,
      {
        id: 'sw',
        kind: 'switch',
        outputs: ['sso', 'bright', 'faint', 'rest'],
        defaultOutput: 'rest'
      },
      async f => {
        const routing = await f.evaluate(batch);
        const want = rows.map(r => {
          if (r.isMovingObject) {
            return 0;
          }
          if (r.mag === null || Number.isNaN(r.mag)) {
            // DuckDB orders NaN above every number: NaN >= 18 is true
            return r.mag === null ? 3 : 2;
          }
          return r.mag < 18 ? 1 : 2;
        });
        expect([...routing.index]).toEqual(want);
        expect(new Set(want).size).toBe(4);
      }
    );
  });
});

describe('SQL filter concurrency', () => {
  it('queues concurrent evaluations of different batches', async () => {
    await withSqlFilter('mag < 19', { id: 'q', kind: 'yesno' }, async f => {
      const a = batch.slice(0, 1000);
      const b = batch.slice(1000, 1700);
      const [ra, rb] = await Promise.all([f.evaluate(a), f.evaluate(b)]);
      const want = (r: (typeof rows)[number]): number => (r.mag !== null && r.mag < 19 ? 0 : -1);
      expect([...ra.index]).toEqual(rows.slice(0, 1000).map(want));
      expect([...rb.index]).toEqual(rows.slice(1000, 1700).map(want));
    });
  });
});

describe('SQL sandbox refusals', () => {
  const attacks = [
    "mag < 19 AND (SELECT count(*) FROM read_csv('/etc/passwd')) > 0",
    "SELECT * FROM read_csv('/etc/passwd')",
    "COPY alerts TO '/tmp/alertlab-leak.csv'",
    "ATTACH '/tmp/alertlab-x.db' AS x",
    'INSTALL httpfs',
    'LOAD httpfs',
    'PRAGMA database_list',
    'SET threads = 4',
    'CALL pragma_version()',
    "EXPORT DATABASE '/tmp/alertlab-export'",
    'mag < 19; DROP TABLE alerts',
    "SELECT * FROM glob('/etc/*')",
    "SELECT * FROM parquet_scan('/tmp/x.parquet')"
  ];
  it.each(attacks)('refuses statically: %s', sql => {
    expect(staticSqlCheck(sql).ok).toBe(false);
  });
  it.each(attacks)('refuses at filter creation: %s', async sql => {
    await expect(sqlFilter(sql, { id: 'evil', kind: 'yesno' })).rejects.toBeInstanceOf(
      FilterSqlRefusedError
    );
  });
  it.each(attacks)("DuckDB's parser check refuses on its own: %s", async sql => {
    await withSandbox(async sandbox => {
      const analysis = await analyzeSql(sandbox.connection, sql, 'alerts');
      expect(analysis.check.ok).toBe(false);
    });
  });
  it('a quoted table-function name slips past the text check but not the parser check or the config', async () => {
    const sql = 'SELECT * FROM "read_csv"(\'/etc/passwd\')';
    expect(staticSqlCheck(sql).ok).toBe(true);
    await expect(sqlFilter(sql, { id: 'sneaky', kind: 'yesno' })).rejects.toThrow(/table function/);
    await withSandbox(async sandbox => {
      await expect(sandbox.connection.run(sql)).rejects.toThrow(/disabled by configuration/);
    });
  });
  it('keeps keywords inside strings and quoted identifiers harmless', () => {
    expect(staticSqlCheck("band = 'set' AND objectId <> 'COPY; ATTACH'").ok).toBe(true);
    expect(staticSqlCheck('"load" > 1').ok).toBe(true);
  });
  it("refuses a table other than the batch and multiple statements found by DuckDB's parser", async () => {
    await expect(
      sqlFilter('SELECT * FROM duckdb_settings_view', { id: 'other', kind: 'yesno' })
    ).rejects.toThrow(/only the alerts batch/);
  });

  it('the locked DuckDB configuration refuses by itself (no static check involved)', async () => {
    await withSandbox(async sandbox => {
      await sandbox.load(batch);
      const c = sandbox.connection;
      const settings = await c.runAndReadAll('SELECT name, value FROM duckdb_settings()');
      const byName = new Map(
        settings.getRowObjectsJS().map(r => [String(r.name), String(r.value)])
      );
      for (const [name, value] of Object.entries(SANDBOX_SETTINGS)) {
        expect(byName.get(name), name).toBe(value);
      }
      const refusals: Array<[string, RegExp]> = [
        ["SELECT * FROM read_csv('/etc/passwd')", /disabled by configuration|Permission/i],
        ["COPY alerts TO '/tmp/alertlab-leak.csv'", /disabled by configuration|Permission/i],
        ["ATTACH '/tmp/alertlab-x.db' AS x", /disabled by configuration|Permission/i],
        ['INSTALL httpfs', /disabled|Permission/i],
        ['LOAD httpfs', /disabled|Permission/i],
        ["SELECT * FROM glob('/etc/*')", /disabled by configuration|Permission/i],
        ['SET enable_external_access = true', /locked/i],
        ['SET threads = 8', /locked/i],
        ['SET lock_configuration = false', /locked/i],
        ["EXPORT DATABASE '/tmp/alertlab-export'", /disabled by configuration|Permission/i]
      ];
      for (const [sql, message] of refusals) {
        await expect(c.run(sql), sql).rejects.toThrow(message);
      }
      // the sandbox's own query path refuses anything but a SELECT (note: DuckDB prepares some
      // PRAGMAs as SELECTs, which is why the static and parser checks come first)
      await expect(sandbox.select('CREATE TABLE x AS SELECT 1', 1000)).rejects.toThrow(
        /not a SELECT/
      );
      await expect(sandbox.select('DROP TABLE alerts', 1000)).rejects.toThrow(/not a SELECT/);
    });
  });
});

describe('SQL filter time limit', () => {
  it('interrupts a query that runs past timeoutMs and names the filter and the limit', async () => {
    const slow = 'mag < (SELECT max(a.mag + b.mag + c.mag) FROM alerts a, alerts b, alerts c)';
    await withSqlFilter(slow, { id: 'cubic', kind: 'yesno', timeoutMs: 300 }, async f => {
      const t0 = Date.now();
      const error = await f.evaluate(batch).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FilterTimeoutError);
      expect((error as Error).message).toMatch(/"cubic".*within 300 ms/);
      expect(Date.now() - t0).toBeLessThan(5000);
      // the sandbox is still usable afterwards
      const small = batch.slice(0, 20);
      const routing = await f.evaluate(small);
      expect(routing.index.length).toBe(20);
    });
  });
});

describe('SQL filter columns', () => {
  it('refuses unknown columns and lists the ones that exist', async () => {
    await withSqlFilter(
      'magnitude < 19 AND fluxRatio > 2',
      { id: 'typo', kind: 'yesno' },
      async f => {
        const error = await f.evaluate(batch).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(FilterColumnError);
        const e = error as FilterColumnError;
        expect(e.context.missing).toEqual(['magnitude', 'fluxRatio']);
        expect(e.context.existing).toEqual(
          expect.arrayContaining(['alertId', 'mag', 'ndet', 'riseRate', 'gMinusR'])
        );
        expect(e.message).toMatch(/Columns that exist: survey, alertId, objectId/);
        expect(e.message).toMatch(/not usable from SQL: lightcurve/);
      }
    );
  });
  it('refuses declared columns that do not exist', async () => {
    await withSqlFilter('mag < 19', { id: 'decl', kind: 'yesno', columns: ['gaia_G'] }, async f => {
      await expect(f.evaluate(batch)).rejects.toThrow(/gaia_G.*Columns that exist/);
    });
  });
});
