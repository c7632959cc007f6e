/**
 * The main job: the whole system on one machine. Starts Kafka, creates the buffer topics, loads the
 * real catalogs, puts the real sample alerts on their topics, starts the controller and the kernel
 * bridge, deploys the example stage (cross-match → SQL switch: variable / transient / moving /
 * other), runs the simulator at visit cadence, and (unless headless) JupyterLab with the notebooks.
 * Headless, it waits for every simulated alert to come out, prints a summary and checks the counts
 * per output against what the simulator's seed implies.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { produceFile } from '../buffer/client.js';
import { LocalKafka } from '../buffer/local/index.js';
import { alertlabHome, repoRoot } from '../buffer/local/paths.js';
import { ControllerClient } from '../control/client.js';
import { DemoError } from '../errors.js';
import { expectedCounts } from '../simulate/expected.js';
import { Services, waitForHttp } from './services.js';
import { OUTPUT_CLASS, skyClassesManifest } from './stage.js';
import { OutputWatcher } from './watch.js';
import { printSummary, summarize, type DemoSummary } from './summary.js';
import { deleteTopics, ensureCatalogs, runCli, sampleFiles } from './steps.js';

export interface DemoOptions {
  headless: boolean;
  /** Visits to simulate; undefined = until Ctrl-C. */
  visits?: number;
  alertsPerVisit: number;
  visitIntervalS: number;
  seed: number;
  mix?: string;
  controllerPort: number;
  jupyterPort: number;
  /** Run the notebooks (pytest test/notebooks) against the stack before stopping. */
  notebooks: boolean;
  /** Stop Kafka at the end (when the demo started it). @default true when headless */
  stopKafka: boolean;
  log: (line: string) => void;
}

const STAGE_ID = 'sky-classes';
const INPUT_TOPIC = 'alerts-rubin';

export async function runDemo(o: DemoOptions, signal: AbortSignal): Promise<DemoSummary> {
  const home = alertlabHome();
  const services = new Services(join(home, 'demo'));
  const step = (s: string): void => o.log(`[demo] ${s}`);
  let kafka = await LocalKafka.find();
  const startedKafka = kafka === undefined;
  let watcher: OutputWatcher | undefined;
  try {
    if (!kafka) {
      step('starting Apache Kafka (KRaft, 1 node)');
      kafka = await LocalKafka.start();
    }
    const bootstrap = kafka.bootstrapServers;
    step(`Kafka at ${bootstrap}`);
    const env = { ALERTLAB_BOOTSTRAP_SERVERS: bootstrap };
    step('buffer topics (alertlab.buffers.json)');
    await runCli(['buffer', 'create'], env);
    step('real catalogs: hipparcos, dso (d3-celestial), tycho2 (Debian astrometry-data-tycho2)');
    await ensureCatalogs(['hipparcos', 'dso', 'tycho2'], l => step(l));
    const samples = sampleFiles(repoRoot);
    if (samples.length === 0) {
      step(
        'real sample alerts: ../shared/data/alerts not found — skipping them (simulated alerts only)'
      );
    }
    for (const s of samples) {
      const r = await produceFile(s.topic, s.path, { bootstrapServers: bootstrap });
      step(
        `real sample alerts: ${r.records ?? '?'} ${r.survey} alerts from ${s.path} → ${s.topic}`
      );
    }
    step(`controller on 127.0.0.1:${o.controllerPort}`);
    // notebook 07's webhook receiver is on loopback: the operator's allow-list admits it
    const controller = services.start(
      'controller',
      join(repoRoot, 'bin', 'alertlab'),
      [
        'controller',
        '--port',
        String(o.controllerPort),
        '--bootstrap-servers',
        bootstrap,
        '--quiet'
      ],
      { ALERTLAB_NOTIFY_ALLOW: process.env.ALERTLAB_NOTIFY_ALLOW ?? '127.0.0.1/32' }
    );
    await waitForHttp(`http://127.0.0.1:${o.controllerPort}/health`, controller);
    const client = new ControllerClient({ url: `http://127.0.0.1:${o.controllerPort}` });
    const manifest = skyClassesManifest(repoRoot, INPUT_TOPIC, STAGE_ID);
    const outputs = manifest.outputs as Record<string, string>;
    // A clean slate: the previous run's stage, input and outputs go, so counts start from zero.
    const stages = await client.request<{ stages?: { id: string }[] } | { id: string }[]>(
      'GET',
      '/stages'
    );
    const list = Array.isArray(stages) ? stages : (stages.stages ?? []);
    if (list.some(st => st.id === STAGE_ID)) {
      step(`removing the previous run's stage "${STAGE_ID}"`);
      await client.request('DELETE', `/stages/${STAGE_ID}`);
    }
    await deleteTopics(bootstrap, [
      INPUT_TOPIC,
      ...Object.values(outputs),
      `${STAGE_ID}.deadletter`
    ]);
    await runCli(['buffer', 'create'], env);
    step('kernel bridge engine');
    const bridgeFile = join(home, 'bridge.json');
    services.start(
      'bridge',
      process.execPath,
      [
        '--import',
        'tsx',
        join(repoRoot, 'kernel-bridge', 'src', 'engine-main.ts'),
        '--connection-file',
        bridgeFile
      ],
      env
    );
    step(`deploying stage "${STAGE_ID}" (cross-match → SQL switch) from examples/stages/`);
    await client.request('POST', '/stages', {
      manifest,
      replicas: 1,
      author: 'alertlab demo',
      lineage: { path: 'examples/stages/sky-classes.sql' }
    });
    const detail = await client.request<{
      currentVersion: { manifest: { deadLetterTopic: string } };
    }>('GET', `/stages/${STAGE_ID}`);
    const deadLetterTopic = detail.currentVersion.manifest.deadLetterTopic;
    watcher = await OutputWatcher.start(bootstrap.split(','), outputs, deadLetterTopic);
    const simArgs = [
      'simulate',
      '--topic',
      INPUT_TOPIC,
      '--seed',
      String(o.seed),
      '--alerts-per-visit',
      String(o.alertsPerVisit),
      '--visit-interval-s',
      String(o.visitIntervalS),
      '--bootstrap',
      bootstrap
    ];
    if (o.visits !== undefined) {
      simArgs.push('--visits', String(o.visits));
    }
    if (o.mix) {
      simArgs.push('--mix', o.mix);
    }
    step(
      `simulator: ${o.alertsPerVisit} alerts per visit every ${o.visitIntervalS} s` +
        (o.visits ? `, ${o.visits} visits` : '') +
        ` (seed ${o.seed}) → ${INPUT_TOPIC}`
    );
    const sim = services.start('simulate', join(repoRoot, 'bin', 'alertlab'), simArgs);
    if (!o.headless) {
      const token = randomBytes(16).toString('hex');
      const lab = services.start(
        'jupyterlab',
        join(repoRoot, '.venv', 'bin', 'jupyter'),
        [
          'lab',
          '--no-browser',
          '--ip=127.0.0.1',
          `--port=${o.jupyterPort}`,
          `--IdentityProvider.token=${token}`,
          `--ServerApp.root_dir=${join(repoRoot, 'notebooks')}`,
          // JupyterLab refuses to start as root without it (containers, CI, this project's VMs)
          ...(process.getuid?.() === 0 ? ['--allow-root'] : [])
        ],
        { ...env, ALERTLAB_CONTROLLER_URL: `http://127.0.0.1:${o.controllerPort}` }
      );
      // the URL is printed only once JupyterLab answers (else: its log, and why it stopped)
      await waitForHttp(`http://127.0.0.1:${o.jupyterPort}/api/status?token=${token}`, lab);
      writeFileSync(
        join(home, 'demo', 'jupyter-url.txt'),
        `http://127.0.0.1:${o.jupyterPort}/lab?token=${token}\n`
      );
      o.log('');
      o.log(`  JupyterLab   http://127.0.0.1:${o.jupyterPort}/lab?token=${token}`);
      o.log(
        `  Controller   http://127.0.0.1:${o.controllerPort}/openapi.json  (token: ${join(home, 'controller.token')})`
      );
      o.log(`  Outputs      ${Object.values(outputs).join(', ')}`);
      o.log(`  Logs         ${join(home, 'demo')}`);
      o.log('  Ctrl-C stops everything.');
      o.log('');
      await new Promise<void>(resolve =>
        signal.addEventListener('abort', () => resolve(), { once: true })
      );
      return finish(o, watcher, undefined);
    }
    const simCode = await Promise.race([
      sim.exited,
      new Promise<null>(r => signal.addEventListener('abort', () => r(null), { once: true }))
    ]);
    if (simCode !== 0) {
      throw new DemoError(`The simulator stopped with code ${simCode}; see ${sim.logFile}.`);
    }
    const expected = expectedCounts(o.seed, o.visits ?? 0, {
      alertsPerVisit: o.alertsPerVisit,
      ...(o.mix ? { mix: parseMix(o.mix) } : {})
    });
    step(`simulator done: ${expected.alerts} alerts; waiting for the stage to route them`);
    const deadline = Date.now() + 300_000;
    while (watcher.routed() + watcher.tally.deadLetters < expected.alerts) {
      if (Date.now() > deadline || signal.aborted) {
        break;
      }
      await new Promise(r => setTimeout(r, 500));
    }
    let notebooks: 'passed' | 'failed' | undefined;
    if (o.notebooks) {
      step('running the notebooks against the live stack (pytest test/notebooks)');
      notebooks = await runNotebooks(o, bootstrap);
    }
    return finish(o, watcher, expected, notebooks);
  } finally {
    await watcher?.close().catch(() => undefined);
    await services.stopAll();
    if (startedKafka && kafka && o.stopKafka) {
      step('stopping Kafka');
      await kafka.close();
    }
  }
}

function finish(
  o: DemoOptions,
  watcher: OutputWatcher,
  expected: ReturnType<typeof expectedCounts> | undefined,
  notebooks?: 'passed' | 'failed'
): DemoSummary {
  const summary = summarize(watcher.tally, OUTPUT_CLASS, expected);
  if (notebooks) {
    summary.notebooks = notebooks;
  }
  printSummary(summary, OUTPUT_CLASS, o.log);
  return summary;
}

/** `--mix variable=0.02,transient=0.01,moving=0.05` → the simulator's mix object. */
export function parseMix(text: string): Record<string, number> {
  const mix: Record<string, number> = {};
  for (const part of text.split(',')) {
    const [k, v] = part.split('=');
    const n = Number(v);
    if (!['variable', 'transient', 'moving'].includes(k) || !Number.isFinite(n)) {
      throw new DemoError(`--mix takes variable=<f>,transient=<f>,moving=<f>; got "${part}".`);
    }
    mix[k] = n;
  }
  return mix;
}

/** Runs every notebook (pytest test/notebooks) against the live stack. */
function runNotebooks(o: DemoOptions, bootstrap: string): Promise<'passed' | 'failed'> {
  return new Promise(resolvePromise => {
    const child = spawn(
      join(repoRoot, '.venv', 'bin', 'python'),
      ['-m', 'pytest', '-q', join(repoRoot, 'test', 'notebooks')],
      {
        cwd: repoRoot,
        stdio: ['ignore', 'inherit', 'inherit'],
        env: {
          ...process.env,
          ALERTLAB_BOOTSTRAP_SERVERS: bootstrap,
          ALERTLAB_CONTROLLER_URL: `http://127.0.0.1:${o.controllerPort}`,
          ALERTLAB_TOPIC: INPUT_TOPIC,
          ALERTLAB_STAGE_ID: STAGE_ID
        }
      }
    );
    child.on('exit', code => resolvePromise(code === 0 ? 'passed' : 'failed'));
  });
}
