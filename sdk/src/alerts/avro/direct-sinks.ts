/**
 * Direct sinks in generated array readers: an array item's appends to sinks marked `direct`
 * (lightcurve point buffers) become stores into local arrays. Each block of items reserves room
 * for its items first, then writes without a capacity check or a call per value, and hands the
 * counts back after the block. Part of the reader compiler (codegen.ts).
 */

/** The generated code's view of a direct sink (see PointF64Sink). */
interface DirectSink {
  direct?: boolean;
}

export interface DirectCode {
  /** The item's code with the direct appends rewritten. */
  code: string;
  /** Declarations of the locals, at the top of the reader. */
  decls: string;
  /** Code at the start of a block of `count` items: reserve, load the locals. */
  open: (count: string) => string;
  /** Code after the block: the counts handed back. */
  close: string;
}

/**
 * Rewrites the appends in `code` to the columns `cols` (generated as `c<i>`) that are direct
 * sinks; none when not `allowed` (a per-item callback might grow the buffers under the locals).
 */
export function directSinks(code: string, cols: readonly unknown[], allowed: boolean): DirectCode {
  const used = cols
    .map((c, i) => (allowed && (c as DirectSink).direct === true ? i : -1))
    .filter(i => i >= 0 && code.includes(`c${i}.append`));
  for (const i of used) {
    code = code.split(`c${i}.append(v);`).join(`d${i}[j${i}++] = v;`);
    code = code.split(`c${i}.appendNull();`).join(`d${i}[j${i}++] = NaN;`);
  }
  return {
    code,
    decls: used.map(i => `let d${i} = c${i}.v, j${i} = 0;`).join(' '),
    open: count =>
      [
        // at most one item per remaining byte (each item that writes a sink reads ≥ 1 byte):
        // a damaged count fails as truncated instead of reserving gigabytes first
        ...used.map(i => `c${i}.reserve(Math.min(${count}, end - p + 1));`),
        ...used.map(i => `d${i} = c${i}.v; j${i} = c${i}.n;`)
      ].join(' '),
    close: used.map(i => `c${i}.n = j${i};`).join(' ')
  };
}
