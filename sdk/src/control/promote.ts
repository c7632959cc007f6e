/**
 * Promotion helpers: the source of a notebook cell, and a stage manifest for a filter file (SQL,
 * TypeScript or Python), with its kind, outputs and Python entry read from the source when the
 * caller does not give them.
 */
import { extname } from 'node:path';
import { ConfigError } from '../errors.js';
import type { FilterLanguage } from '../filter/types.js';

interface NotebookCell {
  cell_type?: string;
  source?: string | string[];
}

/** The text of code cell `index` (0-based) of a notebook; `%%sql` cells are SQL. */
export function sourceOfNotebookCell(
  notebookJson: string,
  index: number
): { source: string; language: FilterLanguage } {
  const nb = JSON.parse(notebookJson) as {
    cells?: NotebookCell[];
    metadata?: { kernelspec?: { language?: string } };
  };
  const cells = nb.cells ?? [];
  const cell = cells[index];
  if (!Number.isInteger(index) || !cell) {
    throw new ConfigError(
      `The notebook has ${cells.length} cells: pass --cell from 0 to ${cells.length - 1}.`
    );
  }
  if (cell.cell_type !== 'code') {
    throw new ConfigError(
      `Cell ${index} is a ${cell.cell_type ?? 'unknown'} cell: pick the code cell that defines the filter.`
    );
  }
  const text = Array.isArray(cell.source) ? cell.source.join('') : (cell.source ?? '');
  if (/^\s*%%sql\b/.test(text)) {
    return { source: text.replace(/^\s*%%sql[^\n]*\n/, ''), language: 'sql' };
  }
  const lang = nb.metadata?.kernelspec?.language ?? 'python';
  return { source: text, language: /typescript|javascript/i.test(lang) ? 'typescript' : 'python' };
}

/** What {@link promotionManifest} needs. */
export interface PromotionInput {
  file: string;
  source: string;
  /** @default from the file extension */
  language?: FilterLanguage;
  /** Input topic. @default base manifest's */
  input?: string;
  id: string;
  /** @default read from the source (defineFilter / @alertlab.filter), else 'yesno' */
  kind?: string;
  /** @default read from the source */
  outputs?: string[];
  /** Python function. @default the first `@alertlab.filter` function in the source */
  entry?: string;
}

function languageOf(file: string): FilterLanguage {
  const ext = extname(file);
  if (ext === '.sql') {
    return 'sql';
  }
  if (ext === '.ts' || ext === '.mts' || ext === '.js') {
    return 'typescript';
  }
  if (ext === '.py') {
    return 'python';
  }
  throw new ConfigError(
    `Cannot tell the filter language of ${file}: use a .sql, .ts, .py or .ipynb file.`
  );
}

function kindIn(source: string): string | undefined {
  return /kind\s*[:=]\s*['"](yesno|leftright|switch)['"]/.exec(source)?.[1];
}

function outputsIn(source: string): string[] | undefined {
  const m = /outputs\s*[:=]\s*\[([^\]]*)\]/.exec(source);
  return m ? [...m[1].matchAll(/['"]([^'"]+)['"]/g)].map(x => x[1]) : undefined;
}

function defaultOutputIn(source: string): string | undefined {
  return /default_?[oO]utput\s*[:=]\s*['"]([^'"]+)['"]/.exec(source)?.[1];
}

/** A manifest for `POST /stages`: `base` (optional file) with the filter and input filled in. */
export function promotionManifest(
  base: Record<string, unknown>,
  p: PromotionInput
): Record<string, unknown> {
  const language = p.language ?? languageOf(p.file);
  const baseFilter = (base.filter ?? {}) as Record<string, unknown>;
  const kind = p.kind ?? (baseFilter.kind as string | undefined) ?? kindIn(p.source) ?? 'yesno';
  const outputs =
    p.outputs ??
    (baseFilter.outputs as string[] | undefined) ??
    (language === 'sql' ? undefined : outputsIn(p.source));
  const filter: Record<string, unknown> = { ...baseFilter, language, kind, source: p.source };
  delete filter.path;
  if (outputs) {
    filter.outputs = outputs;
  }
  const dflt = language === 'sql' ? undefined : defaultOutputIn(p.source);
  if (kind === 'switch' && dflt && filter.defaultOutput === undefined) {
    filter.defaultOutput = dflt;
  }
  if (language === 'python') {
    const entry =
      p.entry ??
      /@alertlab\.filter[^\n]*\n(?:\s*@[^\n]*\n)*\s*def\s+([A-Za-z_]\w*)/.exec(p.source)?.[1];
    if (!entry) {
      throw new ConfigError(
        'No @alertlab.filter function found in the Python source: pass --entry <function>.'
      );
    }
    filter.entry = entry;
  }
  const input = { ...((base.input ?? {}) as Record<string, unknown>) };
  if (p.input) {
    input.topic = p.input;
  }
  if (input.topic === undefined) {
    throw new ConfigError(
      'No input topic: pass --input <topic> (or a --manifest with input.topic).'
    );
  }
  return { ...base, id: base.id ?? p.id, input, filter };
}
