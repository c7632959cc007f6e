/**
 * Test hosts on one machine: each host is a Linux network namespace with one veth link into a
 * bridge that only this lab uses (198.18.<lab>.0/24, the RFC 2544 benchmarking range; the bridge
 * is not routed anywhere, so only the lab's own hosts are ever addressed). The root namespace holds
 * the bridge address `.1` (the test's own clients and the fault proxy live there).
 *
 * Faults are kernel-level: a link between two hosts is cut by blackhole routes on both ends (packets
 * vanish, as on a partitioned network: no RST, no error), a host is cut off by cutting it from
 * every other host and from the root namespace, and a link is slowed with a token bucket (tbf) on
 * both sides of its veth. Needs root (CAP_NET_ADMIN) and iproute2's `ip` and `tc`.
 */
import { execFileSync } from 'node:child_process';

/** One test host: a network namespace with one address on the lab's bridge. */
export interface LabHost {
  name: string;
  /** Network namespace name (`ip netns exec <ns> ...`). */
  ns: string;
  ip: string;
  /** The veth end in the root namespace (on the bridge). */
  rootLink: string;
}

const run = (args: string[]): void => {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
};
const tryRun = (args: string[]): void => {
  try {
    run(args);
  } catch {
    // already gone
  }
};

/** Why this machine cannot make lab hosts, or undefined when it can. */
export function netLabUnavailable(): string | undefined {
  if (process.platform !== 'linux') {
    return 'network-namespace test hosts need Linux';
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return 'network-namespace test hosts need root (CAP_NET_ADMIN)';
  }
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
    execFileSync('tc', ['-V'], { stdio: 'ignore' });
  } catch {
    return "iproute2's ip and tc are missing (apt-get install iproute2)";
  }
  return undefined;
}

/** A set of test hosts on one private bridge; `close()` removes every namespace and link. */
export class NetLab {
  readonly hosts = new Map<string, LabHost>();
  readonly gateway: string;
  private readonly bridge: string;
  private readonly cuts = new Set<string>();

  private constructor(readonly lab: number) {
    this.bridge = `alb${lab}`;
    this.gateway = `198.18.${lab}.1`;
  }

  /** Creates the bridge; `lab` (1..254) picks the subnet and the names. @default random */
  static create(lab = 1 + Math.floor(Math.random() * 254)): NetLab {
    const l = new NetLab(lab);
    tryRun(['link', 'del', l.bridge]); // left over from a killed run with the same number
    run(['link', 'add', l.bridge, 'type', 'bridge']);
    run(['addr', 'add', `${l.gateway}/24`, 'dev', l.bridge]);
    run(['link', 'set', l.bridge, 'up']);
    return l;
  }

  /** Adds host `name` (letters/digits, ≤ 4 chars) at 198.18.<lab>.<octet>. */
  addHost(name: string, octet: number): LabHost {
    const ns = `alertlab-${this.lab}-${name}`;
    const rootLink = `al${this.lab}${name}`;
    const ip = `198.18.${this.lab}.${octet}`;
    tryRun(['netns', 'del', ns]);
    tryRun(['link', 'del', rootLink]);
    run(['netns', 'add', ns]);
    run(['link', 'add', rootLink, 'type', 'veth', 'peer', 'name', `${rootLink}n`]);
    run(['link', 'set', `${rootLink}n`, 'netns', ns]);
    run(['link', 'set', rootLink, 'master', this.bridge, 'up']);
    run(['-n', ns, 'link', 'set', `${rootLink}n`, 'name', 'eth0']);
    run(['-n', ns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
    run(['-n', ns, 'link', 'set', 'eth0', 'up']);
    run(['-n', ns, 'link', 'set', 'lo', 'up']);
    const host = { name, ns, ip, rootLink };
    this.hosts.set(name, host);
    return host;
  }

  host(name: string): LabHost {
    const h = this.hosts.get(name);
    if (!h) {
      throw new Error(`No lab host "${name}" (hosts: ${[...this.hosts.keys()].join(', ')})`);
    }
    return h;
  }

  /** Command prefix that runs a program on host `name`. */
  exec(name: string): string[] {
    return ['ip', 'netns', 'exec', this.host(name).ns];
  }

  /** Drops every packet between `a` and `b` (either may be 'root': the bridge side). */
  cut(a: string, b: string): void {
    this.blackhole(a, b, 'add');
    this.blackhole(b, a, 'add');
    this.cuts.add([a, b].sort().join('|'));
  }

  /** Undoes `cut(a, b)`. */
  heal(a: string, b: string): void {
    this.blackhole(a, b, 'del');
    this.blackhole(b, a, 'del');
    this.cuts.delete([a, b].sort().join('|'));
  }

  /** Cuts `names` off from every host not in `names` (and from the root side unless told). */
  split(names: readonly string[], options: { fromRoot?: boolean } = {}): void {
    for (const other of this.hosts.keys()) {
      if (!names.includes(other)) {
        names.forEach(n => this.cut(n, other));
      }
    }
    if (options.fromRoot ?? true) {
      names.forEach(n => this.cut(n, 'root'));
    }
  }

  /** Heals every cut made so far. */
  healAll(): void {
    for (const pair of [...this.cuts]) {
      const [a, b] = pair.split('|');
      this.heal(a, b);
    }
  }

  /** Limits host `name`'s link to `rateMbit` in both directions (token bucket on both veth ends). */
  shape(name: string, rateMbit: number): void {
    const h = this.host(name);
    const tbf = ['root', 'tbf', 'rate', `${rateMbit}mbit`, 'burst', '32kb', 'latency', '2s'];
    execFileSync('tc', ['-n', h.ns, 'qdisc', 'replace', 'dev', 'eth0', ...tbf]);
    execFileSync('tc', ['qdisc', 'replace', 'dev', h.rootLink, ...tbf]);
  }

  /** Removes `shape(name)`. */
  unshape(name: string): void {
    const h = this.host(name);
    tryTc(['-n', h.ns, 'qdisc', 'del', 'dev', 'eth0', 'root']);
    tryTc(['qdisc', 'del', 'dev', h.rootLink, 'root']);
  }

  /** Removes every namespace, veth and the bridge. */
  close(): void {
    for (const h of this.hosts.values()) {
      this.killAll(h.name);
      tryRun(['netns', 'del', h.ns]);
      tryRun(['link', 'del', h.rootLink]);
    }
    this.hosts.clear();
    tryRun(['link', 'del', this.bridge]);
  }

  /** SIGKILLs every process still inside host `name`'s namespace (this lab's own processes). */
  killAll(name: string): void {
    let pids: string[] = [];
    try {
      pids = execFileSync('ip', ['netns', 'pids', this.host(name).ns], { encoding: 'utf8' })
        .split('\n')
        .filter(p => /^\d+$/.test(p));
    } catch {
      return;
    }
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // gone already
      }
    }
  }

  private blackhole(from: string, to: string, op: 'add' | 'del'): void {
    const target = to === 'root' ? this.gateway : this.host(to).ip;
    const where = from === 'root' ? [] : ['-n', this.host(from).ns];
    const args = [...where, 'route', op, 'blackhole', `${target}/32`];
    if (op === 'add') {
      run(args);
    } else {
      tryRun(args);
    }
  }
}

function tryTc(args: string[]): void {
  try {
    execFileSync('tc', args, { stdio: 'ignore' });
  } catch {
    // nothing to remove
  }
}
