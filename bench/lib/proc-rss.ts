/** Resident memory of processes and process trees from /proc, and a least-squares slope. */
import { readdir, readFile } from 'node:fs/promises';

/** VmRSS of one process in MB (0 when it is gone). */
export async function rssMb(pid: number): Promise<number> {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Children of every process (from the ppid field of /proc/<pid>/stat): one scan of /proc. */
export async function processChildren(): Promise<Map<number, number[]>> {
  const children = new Map<number, number[]>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) {
      continue;
    }
    try {
      const stat = await readFile(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    } catch {
      // the process ended while we read
    }
  }
  return children;
}

/** The pid and all its descendants (`children` from {@link processChildren}, or a fresh scan). */
export async function processTree(
  root: number,
  children?: Map<number, number[]>
): Promise<number[]> {
  const map = children ?? (await processChildren());
  const out: number[] = [];
  const todo = [root];
  while (todo.length > 0) {
    const pid = todo.pop() as number;
    out.push(pid);
    todo.push(...(map.get(pid) ?? []));
  }
  return out;
}

/** Least-squares slope of y over x (per unit of x), or null with fewer than 3 points. */
export function slope(points: Array<[number, number]>): number | null {
  const n = points.length;
  if (n < 3) {
    return null;
  }
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) * (x - mx);
  }
  return sxx > 0 ? sxy / sxx : null;
}

/**
 * Where one process's resident memory lies, MB, read from /proc/<pid>/smaps: `v8Pages`, anonymous
 * maps of exactly 256 KiB (V8's heap pages: old and young generation); `malloc`, the [heap] segment
 * and anonymous maps of 60–64 MiB (glibc arenas); `anonOther`, other anonymous maps (large objects,
 * thread stacks, mmapped buffers); `file`, mapped files (code). A heuristic breakdown for telling
 * a JS heap that is not given back from native growth; sums to about VmRSS.
 */
export async function rssBreakdown(
  pid: number
): Promise<{ v8Pages: number; malloc: number; anonOther: number; file: number } | undefined> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/smaps`, 'utf8');
  } catch {
    return undefined;
  }
  const out = { v8Pages: 0, malloc: 0, anonOther: 0, file: 0 };
  let kind: keyof typeof out = 'anonOther';
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (m) {
      const kb = (parseInt(m[2], 16) - parseInt(m[1], 16)) / 1024;
      const name = m[3];
      kind =
        name === '[heap]'
          ? 'malloc'
          : name.startsWith('/')
            ? 'file'
            : name !== ''
              ? 'anonOther'
              : kb === 256
                ? 'v8Pages'
                : kb >= 61_440 && kb <= 65_536
                  ? 'malloc'
                  : 'anonOther';
    } else if (line.startsWith('Rss:')) {
      out[kind] += Number(line.split(/\s+/)[1]) / 1024;
    }
  }
  return out;
}
