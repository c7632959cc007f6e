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
