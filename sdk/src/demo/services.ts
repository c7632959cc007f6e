/**
 * Child services of the demo (controller, bridge engine, simulator, JupyterLab): each is a process
 * with its log in `$ALERTLAB_HOME/demo/<name>.log`, stopped (SIGTERM, then SIGKILL) by `stopAll()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../buffer/local/paths.js';
import { DemoError } from '../errors.js';

export interface Service {
  name: string;
  child: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
}

export class Services {
  private readonly running: Service[] = [];
  constructor(private readonly logDir: string) {
    mkdirSync(logDir, { recursive: true });
  }

  start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Service {
    const logFile = join(this.logDir, `${name}.log`);
    const fd = openSync(logFile, 'w');
    const child = spawn(command, args, {
      stdio: ['ignore', fd, fd],
      env: { ...process.env, ...env },
      cwd: repoRoot,
      detached: true
    });
    closeSync(fd);
    const exited = new Promise<number | null>(resolve => child.once('exit', code => resolve(code)));
    const service = { name, child, logFile, exited };
    this.running.push(service);
    return service;
  }

  /** Stops every service, newest first. */
  async stopAll(timeoutMs = 10_000): Promise<void> {
    for (const s of this.running.reverse()) {
      if (s.child.exitCode !== null || s.child.signalCode !== null) {
        continue;
      }
      signalGroup(s.child, 'SIGTERM');
      const stopped = await Promise.race([
        s.exited.then(() => true),
        new Promise<boolean>(r => setTimeout(() => r(false), timeoutMs))
      ]);
      if (!stopped) {
        signalGroup(s.child, 'SIGKILL');
        await s.exited;
      }
    }
    this.running.length = 0;
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-(child.pid ?? 0), signal);
  } catch {
    child.kill(signal);
  }
}

/** Waits until `url` answers 2xx, or the service exits, or the time runs out. */
export async function waitForHttp(
  url: string,
  service: Service,
  timeoutMs = 90_000
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void service.exited.then(() => {
    exited = true;
  });
  while (Date.now() < deadline) {
    if (exited) {
      throw new DemoError(
        `${service.name} exited before answering ${url}; see ${service.logFile}.`
      );
    }
    try {
      const res = await fetch(url);
      if (res.ok) {
        return;
      }
    } catch {
      // not up yet
    }
    await new Promise(r => setTimeout(r, 300));
  }
  throw new DemoError(
    `${service.name} did not answer ${url} within ${timeoutMs} ms; see ${service.logFile}.`
  );
}
