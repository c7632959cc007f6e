import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');
const JUPYTER = join(ROOT, '.venv', 'bin', 'jupyter');

export interface JupyterLab {
  url: string;
  token: string;
  /** Folder the server serves (a temporary copy of the fixtures). */
  rootDir: string;
  /** Everything the server printed (for failure messages). */
  log(): string;
}

export interface JupyterLabOptions {
  /** Files or folders copied into the served folder. */
  files: string[];
  /** Extra environment for the server and its kernels. @default {} */
  env?: Record<string, string>;
  /** Extra command-line options for `jupyter lab`. @default [] */
  args?: string[];
  /** How long to wait for the server to answer. @default 60000 */
  startTimeoutMs?: number;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

async function waitForServer(
  url: string,
  token: string,
  child: ChildProcess,
  timeoutMs: number,
  log: () => string
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`jupyter lab exited with code ${child.exitCode}:\n${log()}`);
    }
    try {
      const res = await fetch(`${url}/api/status`, {
        headers: { Authorization: `token ${token}` }
      });
      if (res.ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise(r => setTimeout(r, 300));
  }
  throw new Error(`jupyter lab did not answer on ${url} within ${timeoutMs} ms:\n${log()}`);
}

/** Starts a real JupyterLab (free port, random token) on a copy of `files`; stops it after `fn`. */
export async function withJupyterLab<T>(
  opts: JupyterLabOptions,
  fn: (lab: JupyterLab) => Promise<T>
): Promise<T> {
  const rootDir = mkdtempSync(join(tmpdir(), 'alertlab-lab-'));
  const stateDir = mkdtempSync(join(tmpdir(), 'alertlab-lab-state-'));
  for (const f of opts.files) {
    cpSync(f, join(rootDir, f.split('/').pop() ?? 'file'), { recursive: true });
  }
  // No news pop-up over the widgets; the alertlab server extension on, whatever the user's config.
  const newsDir = join(stateDir, 'settings', '@jupyterlab', 'apputils-extension');
  mkdirSync(newsDir, { recursive: true });
  writeFileSync(
    join(newsDir, 'notification.jupyterlab-settings'),
    JSON.stringify({ fetchNews: 'false' })
  );
  const serverConfig = join(stateDir, 'jupyter_server_config.json');
  writeFileSync(
    serverConfig,
    JSON.stringify({ ServerApp: { jpserver_extensions: { 'alertlab.server': true } } })
  );
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  const url = `http://127.0.0.1:${port}`;
  const args = [
    'lab',
    '--no-browser',
    `--port=${port}`,
    '--ip=127.0.0.1',
    `--ServerApp.token=${token}`,
    `--ServerApp.root_dir=${rootDir}`,
    `--config=${serverConfig}`,
    '--LabApp.expose_app_in_browser=True',
    '--LabApp.extension_manager=readonly',
    ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
    `--LabApp.workspaces_dir=${join(stateDir, 'workspaces')}`,
    `--LabApp.user_settings_dir=${join(stateDir, 'settings')}`,
    ...(opts.args ?? [])
  ];
  let output = '';
  const child = spawn(JUPYTER, args, {
    cwd: rootDir,
    env: { ...process.env, JUPYTER_RUNTIME_DIR: join(stateDir, 'runtime'), ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const log = (): string => output.slice(-8000);
  try {
    await waitForServer(url, token, child, opts.startTimeoutMs ?? 60_000, log);
    return await fn({ url, token, rootDir, log });
  } finally {
    if (child.exitCode === null && child.pid !== undefined) {
      process.kill(-child.pid, 'SIGTERM');
      await new Promise(r => {
        const t = setTimeout(() => {
          if (child.exitCode === null && child.pid !== undefined) {
            process.kill(-child.pid, 'SIGKILL');
          }
          r(undefined);
        }, 5000);
        child.once('exit', () => {
          clearTimeout(t);
          r(undefined);
        });
      });
    }
    rmSync(rootDir, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
  }
}
