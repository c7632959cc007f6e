/** The demo's example stage: cross-match with the real catalogs, then a SQL switch filter. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Output name → the simulator class it should receive. */
export const OUTPUT_CLASS: Record<string, 'variable' | 'transient' | 'moving' | 'bogus'> = {
  variable: 'variable',
  transient: 'transient',
  moving: 'moving',
  other: 'bogus'
};

export function skyClassesManifest(
  repoRoot: string,
  inputTopic: string,
  stageId: string
): Record<string, unknown> {
  const sql = readFileSync(join(repoRoot, 'examples', 'stages', 'sky-classes.sql'), 'utf8');
  return {
    id: stageId,
    kind: 'filter',
    input: { topic: inputTopic, format: 'rubin', fromBeginning: true },
    crossmatch: {
      // 1″ finds the star a variable sits on; 120″ finds the galaxy a transient sits beside
      // (the simulator puts transients ≤ 60″ from a galaxy and bogus ≥ 180″ from every DSO).
      catalogs: [
        { name: 'hipparcos', radiusArcsec: 1 },
        { name: 'tycho2', radiusArcsec: 1 },
        { name: 'dso', radiusArcsec: 120 }
      ],
      mode: 'nearest'
    },
    filter: {
      language: 'sql',
      kind: 'switch',
      outputs: ['variable', 'transient', 'moving', 'other'],
      defaultOutput: 'other',
      source: sql
    },
    outputs: {
      variable: `${stageId}.variable`,
      transient: `${stageId}.transient`,
      moving: `${stageId}.moving`,
      other: `${stageId}.other`
    },
    // full: the original alert bytes plus routing headers (and the simulator's ground truth)
    payload: 'full'
  };
}
