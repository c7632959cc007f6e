import { describe, expect, it } from 'vitest';
import { checkImports } from '../../scripts/import-cycles.js';

describe('import graph of sdk, kernel-bridge and extension', () => {
  it('has no cycle, no SDK import of the bridge and no import the type checker cannot see', () => {
    const report = checkImports();
    expect(report.files).toBeGreaterThan(100);
    expect(report.cycles).toEqual([]);
    expect(report.sdkToBridge).toEqual([]);
    expect(report.hiddenImports).toEqual([]);
  });
});
