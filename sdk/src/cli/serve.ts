/** `alertlab serve` — cone search and cross-match over HTTP (JSON, Arrow IPC, IVOA SCS). */
import { parseArgs } from 'node:util';
import { DEFAULT_PORT, startCatalogServer } from '../control/serve.js';
import { defaultTokenFile, ensureToken } from '../control/auth.js';
import { isLoopback } from '../control/server.js';

const USAGE = `Usage: alertlab serve [--port ${DEFAULT_PORT}] [--host 127.0.0.1] [--store <catalogs.duckdb>]
                      [--catalogs tycho2,hipparcos] [--token-file <file> | --no-auth] [--quiet]

Routes:
  GET  /health
  GET  /catalogs
  GET  /cone?catalog=tycho2&ra=<deg>&dec=<deg>&radius=<deg>     (or radiusArcsec=<arcsec>; maxRows)
  POST /crossmatch   JSON {"ra":[..],"dec":[..],"catalogs":[{"name":"tycho2","radiusArcsec":2}],"mode":"all|nearest"}
                     or an Arrow IPC stream (Content-Type application/vnd.apache.arrow.stream) with
                     ?catalogs=tycho2:2,hipparcos:5[:col|col]&mode=nearest  → Arrow IPC out
  GET  /scs/<catalog>?RA=<deg>&DEC=<deg>&SR=<deg>   IVOA Simple Cone Search 1.03 → VOTable 1.3

Catalogs are copied to memory at start (default: all in the store); the store is not held open.
Radii: 0 < radius ≤ 10 degrees (radiusArcsec ≤ 36000). Every route but /health, /catalogs, /cone
and /scs needs "Authorization: Bearer <token>": the token in --token-file (default
$ALERTLAB_HOME/controller.token, created mode 0600 if missing). /catalogs, /cone and /scs answer
VO clients (pyvo, TOPCAT) without a token, rate- and size-limited. --no-auth turns tokens off and
is refused on any address but loopback.`;

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string', default: String(DEFAULT_PORT) },
      host: { type: 'string', default: '127.0.0.1' },
      store: { type: 'string' },
      catalogs: { type: 'string' },
      'token-file': { type: 'string' },
      'no-auth': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false }
    }
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values['no-auth'] && values['token-file'] !== undefined) {
    console.error('alertlab serve: give --token-file or --no-auth, not both.');
    return 2;
  }
  if (values['no-auth'] && !isLoopback(values.host)) {
    console.error(
      `alertlab serve: --no-auth is refused on ${values.host}: without tokens serve only on loopback (--host 127.0.0.1).`
    );
    return 2;
  }
  const tokenFile = values['no-auth'] ? undefined : (values['token-file'] ?? defaultTokenFile());
  const token = tokenFile ? await ensureToken(tokenFile) : undefined;
  const server = await startCatalogServer({
    host: values.host,
    port: Number(values.port),
    storePath: values.store,
    catalogs: values.catalogs ? values.catalogs.split(',').filter(Boolean) : undefined,
    token,
    tokenFile,
    onLog: values.quiet ? undefined : e => process.stderr.write(`${JSON.stringify(e)}\n`)
  });
  const names = [...server.catalogs.catalogs().keys()].join(', ') || 'none';
  console.log(`alertlab serve: listening on ${server.url} (catalogs: ${names})`);
  await new Promise<void>(resolve => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  return 0;
}
