/**
 * `POST /stages/promote`: a stage manifest from the text of one notebook cell. `%%sql` cells are
 * SQL (options on the magic line: `%%sql --kind switch --outputs bright,faint,other --default
 * other`); other cells are Python, with kind, outputs, default and entry read from the
 * `@alertlab.filter(...)` decorator. Fields of the request win over what the cell says.
 */
import { createHash } from 'node:crypto';
import { HttpError } from './http.js';
import { promotionManifest } from './promote.js';

/** Body of `POST /stages/promote`. */
export interface PromoteCellRequest {
  /** The cell's text. */
  source: string;
  /** Input buffer topic. */
  input: string;
  /** Stage id. @default the Python function's name, or `promoted-<hash>` */
  id?: string;
  /** @default 'sql' for a `%%sql` cell, else 'python' */
  language?: 'sql' | 'python' | 'typescript';
  /** @default from the cell, else 'yesno' */
  kind?: string;
  /** @default from the cell */
  outputs?: string[];
  /** Python function. @default the `@alertlab.filter` function */
  entry?: string;
  /** Workers. @default 1 */
  replicas?: number;
  /** @default 'unknown' */
  author?: string;
  /** Notebook and cell index. @default {} */
  lineage?: { notebook?: string; cell?: number; path?: string };
}

interface CellDeclaration {
  language: 'sql' | 'python';
  /** The filter source as deployed (the `%%sql` line removed). */
  source: string;
  kind?: string;
  outputs?: string[];
  defaultOutput?: string;
  entry?: string;
}

const MAGIC_RE = /^\s*%%sql\b([^\n]*)(?:\n|$)/;

/** `--kind switch --outputs a,b --default b` (or `kind=switch`) from the `%%sql` line. */
function magicOptions(line: string): Pick<CellDeclaration, 'kind' | 'outputs' | 'defaultOutput'> {
  const opt = (name: string): string | undefined =>
    new RegExp(`(?:--|\\b)${name}(?:\\s+|\\s*=\\s*)["']?([^\\s"']+)`).exec(line)?.[1];
  const outputs = opt('outputs')
    ?.split(',')
    .map(s => s.trim())
    .filter(Boolean);
  return { kind: opt('kind'), outputs, defaultOutput: opt('default') };
}

/** The argument text of the first `@alertlab.filter(...)` and the function it decorates. */
function decorator(source: string): { args: string; entry?: string } | undefined {
  const at = /^[ \t]*@alertlab\.filter\b/m.exec(source);
  if (!at) {
    return undefined;
  }
  let i = at.index + at[0].length;
  let args = '';
  if (source[i] === '(') {
    let depth = 0;
    const start = i;
    for (; i < source.length; i++) {
      depth += source[i] === '(' ? 1 : source[i] === ')' ? -1 : 0;
      if (depth === 0) {
        break;
      }
    }
    args = source.slice(start + 1, i);
    i++;
  }
  const entry = /^[^\n]*\n(?:[ \t]*@[^\n]*\n)*[ \t]*(?:async\s+)?def\s+([A-Za-z_]\w*)/.exec(
    source.slice(i)
  )?.[1];
  return { args, entry };
}

function pythonDeclaration(source: string): CellDeclaration {
  const d = decorator(source);
  if (!d) {
    return { language: 'python', source };
  }
  const str = (name: string): string | undefined =>
    new RegExp(`\\b${name}\\s*=\\s*["']([^"']+)["']`).exec(d.args)?.[1];
  const list = new RegExp(`\\boutputs\\s*=\\s*[[(]([^\\])]*)[\\])]`).exec(d.args)?.[1];
  return {
    language: 'python',
    source,
    // The decorator's own default kind is a switch.
    kind: str('kind') ?? 'switch',
    outputs: list ? [...list.matchAll(/["']([^"']+)["']/g)].map(m => m[1]) : undefined,
    defaultOutput: str('default'),
    entry: d.entry
  };
}

/** What the cell declares. */
export function declarationOfCell(text: string): CellDeclaration {
  const magic = MAGIC_RE.exec(text);
  if (magic) {
    return { language: 'sql', source: text.slice(magic[0].length), ...magicOptions(magic[1]) };
  }
  return pythonDeclaration(text);
}

/** The manifest for `POST /stages` built from a promote request; 400 naming what is missing. */
export function manifestOfCell(body: PromoteCellRequest): Record<string, unknown> {
  if (typeof body?.source !== 'string' || body.source.trim() === '') {
    throw new HttpError(400, 'POST /stages/promote needs "source": the filter cell\'s text.');
  }
  if (typeof body.input !== 'string' || body.input === '') {
    throw new HttpError(400, 'POST /stages/promote needs "input": the buffer topic to filter.');
  }
  for (const key of ['id', 'language', 'kind', 'entry', 'author'] as const) {
    if (body[key] !== undefined && typeof body[key] !== 'string') {
      throw new HttpError(400, `POST /stages/promote: "${key}" must be a string.`);
    }
  }
  const cell = declarationOfCell(body.source);
  const language = body.language ?? cell.language;
  const entry = body.entry ?? cell.entry;
  if (language === 'python' && !entry) {
    throw new HttpError(
      400,
      'No @alertlab.filter function in the cell: decorate the filter function, e.g. @alertlab.filter(kind="switch", outputs=["bright", "faint", "default"]), or send "entry" with its name.'
    );
  }
  const id =
    body.id ??
    (entry ?? `promoted-${createHash('sha256').update(cell.source).digest('hex').slice(0, 8)}`)
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-');
  let manifest: Record<string, unknown>;
  try {
    manifest = promotionManifest(
      {},
      {
        file: body.lineage?.notebook ?? `cell.${language === 'sql' ? 'sql' : 'py'}`,
        source: cell.source,
        language,
        input: body.input,
        id,
        kind: body.kind ?? cell.kind,
        outputs: body.outputs ?? cell.outputs,
        entry
      }
    );
  } catch (err) {
    throw new HttpError(400, err instanceof Error ? err.message : String(err));
  }
  const filter = manifest.filter as Record<string, unknown>;
  if (filter.kind === 'switch' && filter.defaultOutput === undefined && cell.defaultOutput) {
    filter.defaultOutput = cell.defaultOutput;
  }
  return manifest;
}
