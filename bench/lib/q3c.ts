/**
 * A private PostgreSQL 15 with the Q3C extension (Debian `postgresql-15-q3c`) for benchmarks: a
 * throw-away cluster in a temp dir on a Unix socket, run as the `postgres` user, driven by psql.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = '/usr/lib/postgresql/15/bin';
const PORT = '55432';

/** Why Q3C cannot run here, or undefined when it can. */
export function q3cUnavailable(): string | undefined {
  if (!existsSync(join(BIN, 'initdb'))) {
    return `${BIN}/initdb is missing: apt-get install -y postgresql-15-q3c`;
  }
  if (!existsSync('/usr/share/postgresql/15/extension/q3c.control')) {
    return 'the q3c extension is missing: apt-get install -y postgresql-15-q3c';
  }
  return undefined;
}

/** A running throw-away cluster. */
export interface Q3cCluster {
  /** Runs SQL through psql; returns its unaligned, tuples-only output. */
  sql(text: string): string;
  close(): void;
}

function asPostgres(cmd: string, args: string[], input?: string): string {
  const run =
    process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  return execFileSync(run[0] as string, run[1] as string[], {
    encoding: 'utf8',
    input,
    maxBuffer: 1 << 28
  });
}

/** Starts a cluster with the q3c extension created. */
export function startQ3c(): Q3cCluster {
  const dir = mkdtempSync(join(tmpdir(), 'alertlab-q3c-'));
  if (process.getuid?.() === 0) {
    chownSync(dir, Number(asId('-u')), Number(asId('-g')));
  }
  const data = join(dir, 'data');
  asPostgres(
    join(BIN, 'initdb'),
    ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync'],
    undefined
  );
  asPostgres(join(BIN, 'pg_ctl'), [
    '-D',
    data,
    '-w',
    '-l',
    join(dir, 'log'),
    '-o',
    `-p ${PORT} -k ${dir} -c listen_addresses='' -c shared_buffers=256MB -c fsync=off`,
    'start'
  ]);
  const sql = (text: string): string =>
    asPostgres(
      'psql',
      ['-h', dir, '-p', PORT, '-U', 'postgres', '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-qAt'],
      text
    );
  sql('CREATE EXTENSION q3c;');
  return {
    sql,
    close: () => {
      try {
        asPostgres(join(BIN, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  };
}

function asId(flag: string): string {
  return execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim();
}

/** Loads (id, ra, dec) rows into table `name` with a Q3C index, clustered on it, analysed. */
export function loadQ3cTable(
  pg: Q3cCluster,
  name: string,
  ids: ArrayLike<bigint | string | number | null>,
  raDeg: Float64Array,
  decDeg: Float64Array,
  idType = 'BIGINT'
): number {
  const t0 = performance.now();
  const rows: string[] = [];
  for (let i = 0; i < raDeg.length; i++) {
    rows.push(`${String(ids[i])}\t${raDeg[i]}\t${decDeg[i]}`);
  }
  pg.sql(
    `CREATE TABLE ${name} (id ${idType}, ra DOUBLE PRECISION, dec DOUBLE PRECISION);\nCOPY ${name} FROM STDIN;\n${rows.join('\n')}\n\\.\n`
  );
  pg.sql(
    `CREATE INDEX ${name}_q3c ON ${name} (q3c_ang2ipix(ra, dec)); CLUSTER ${name} USING ${name}_q3c; ANALYZE ${name};`
  );
  return (performance.now() - t0) / 1000;
}

/** What {@link q3cJoin} measured. */
export interface Q3cJoinResult {
  /** Pairs as "alertRow:catalogId". */
  pairs: string[];
  callMs: number[];
  plan: string;
  maxParallelWorkersPerGather: string;
  /** PostgreSQL's jit setting during the timed runs. */
  jit: string;
}

/**
 * `q3c_join` of table `alerts` (k, ra, dec) with table `cat` (id, ra, dec; Q3C-indexed) at
 * `radiusArcsec`: the pairs once (COPY out), then `warmup` untimed and `repeats` timed runs inside PostgreSQL (a
 * PL/pgSQL loop, clock_timestamp per run, so no client round trip is counted) of the whole batch
 * with its output materialised — alert row, catalog id, separation in arcsec — into a temp table.
 */
export function q3cJoin(
  pg: Q3cCluster,
  radiusArcsec: number,
  repeats: number,
  jit: 'on' | 'off' = 'on',
  warmup = 2
): Q3cJoinResult {
  const r = radiusArcsec / 3600;
  // psql runs each call in a new session, so the setting goes in front of every script.
  const set = `SET jit = ${jit};`;
  const join = `FROM alerts a JOIN cat c ON q3c_join(a.ra, a.dec, c.ra, c.dec, ${r})`;
  const plan = pg.sql(`${set} EXPLAIN SELECT a.k, c.id ${join};`).trim();
  const pairs = pg
    .sql(`${set} COPY (SELECT a.k, c.id ${join}) TO STDOUT;`)
    .trim()
    .split('\n')
    .filter(Boolean)
    .map(line => line.replace('\t', ':'));
  // the timed statement is static SQL in PL/pgSQL: planned once and reused (a prepared
  // statement), like a client that prepares its query; `warmup` untimed runs first
  const out = pg.sql(`
    ${set}
    CREATE TEMP TABLE timings (ms DOUBLE PRECISION);
    CREATE TEMP TABLE m (k INT, id BIGINT, sep DOUBLE PRECISION);
    DO $$
    DECLARE t0 TIMESTAMPTZ;
    BEGIN
      FOR i IN 1..${repeats + warmup} LOOP
        TRUNCATE m;
        t0 := clock_timestamp();
        INSERT INTO m
          SELECT a.k, c.id, q3c_dist(a.ra, a.dec, c.ra, c.dec) * 3600 AS sep ${join};
        IF i > ${warmup} THEN
          INSERT INTO timings VALUES (extract(epoch FROM clock_timestamp() - t0) * 1000);
        END IF;
      END LOOP;
    END $$;
    SELECT string_agg(ms::text, ',') FROM timings;
    DROP TABLE timings;
    DROP TABLE m;`);
  const callMs = out.trim().split(',').map(Number);
  const workers = pg.sql('SHOW max_parallel_workers_per_gather;').trim();
  return { pairs, callMs, plan, maxParallelWorkersPerGather: workers, jit };
}

/** A catalog's (id, ra, dec) columns, as MemoryCatalog has them. */
export interface Q3cCatalogRows {
  ids: { kind: string; values: unknown };
  raDeg: Float64Array;
  decDeg: Float64Array;
}

/**
 * Starts a cluster, loads `cat` as table `cat` (Q3C-indexed) and runs `fn` with it and the load
 * time in seconds; closes the cluster after. When Q3C is not installed: `{ skipped: why }`.
 */
export function withQ3cCatalog<R>(
  cat: Q3cCatalogRows,
  fn: (pg: Q3cCluster, loadS: number) => R
): R | { skipped: string } {
  const why = q3cUnavailable();
  if (why) {
    return { skipped: why };
  }
  const pg = startQ3c();
  try {
    const ids = cat.ids.values as ArrayLike<bigint | string | null>;
    const idType = cat.ids.kind === 'bigint' ? 'BIGINT' : 'TEXT';
    return fn(pg, loadQ3cTable(pg, 'cat', ids, cat.raDeg, cat.decDeg, idType));
  } finally {
    pg.close();
  }
}
