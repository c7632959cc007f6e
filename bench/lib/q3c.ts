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
