/**
 * The floor for an HTTP benchmark on this machine: a bare node:http server in its own process
 * that answers every request with one fixed body (no parsing, no routing, no work). Timing the same
 * client against it in the same run separates what the network stack and the runtime cost from
 * what our server adds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';

const SERVER = `
const { createServer } = require('node:http');
const body = require('node:fs').readFileSync(process.argv[1]);
const srv = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
});
srv.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + srv.address().port));
`;

export interface FloorServer {
  url: string;
  close(): void;
}

/** Starts the bare server answering `body` (written to `bodyPath` first). */
export async function startFloorServer(bodyPath: string, body: string): Promise<FloorServer> {
  await writeFile(bodyPath, body);
  const child: ChildProcess = spawn(process.execPath, ['-e', SERVER, bodyPath], {
    stdio: ['ignore', 'pipe', 'inherit']
  });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', line => {
      const m = /listening on (\S+)/.exec(line);
      if (m) {
        resolve(m[1]);
      }
    });
    child.once('exit', code => reject(new Error(`floor server exited with ${code}`)));
  });
  return { url, close: () => child.kill('SIGTERM') };
}
