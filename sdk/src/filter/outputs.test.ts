import { describe, expect, it } from 'vitest';
import { FilterDefinitionError } from '../errors.js';
import { resolveOutputs } from './outputs.js';
import { createFilter, getFilterRuntime, registerFilterRuntime } from './registry.js';
import { routingCounts, rowsByOutput, droppedCount } from './routing.js';
import type { Filter, FilterSpec } from './types.js';

describe('declared outputs', () => {
  it('defaults per kind', () => {
    expect(resolveOutputs({ id: 'a', kind: 'yesno' })).toEqual({
      outputs: ['pass'],
      defaultIndex: -1
    });
    expect(resolveOutputs({ id: 'a', kind: 'leftright' }).outputs).toEqual(['left', 'right']);
    expect(resolveOutputs({ id: 'a', kind: 'switch', outputs: ['sn', 'agn', 'default'] })).toEqual({
      outputs: ['sn', 'agn', 'default'],
      defaultIndex: 2
    });
    expect(
      resolveOutputs({ id: 'a', kind: 'switch', outputs: ['rest', 'sn'], defaultOutput: 'rest' })
        .defaultIndex
    ).toBe(0);
  });
  it.each<[string, Parameters<typeof resolveOutputs>[0], RegExp]>([
    ['bad name', { id: 'f', kind: 'yesno', outputs: ['has space'] }, /not a valid topic suffix/],
    ['slash', { id: 'f', kind: 'yesno', outputs: ['a/b'] }, /not a valid topic suffix/],
    ['empty', { id: 'f', kind: 'yesno', outputs: [''] }, /not a valid topic suffix/],
    [
      'too long',
      { id: 'f', kind: 'yesno', outputs: ['x'.repeat(101)] },
      /not a valid topic suffix/
    ],
    ['duplicate', { id: 'f', kind: 'switch', outputs: ['a', 'a', 'default'] }, /declared twice/],
    ['yes/no with two', { id: 'f', kind: 'yesno', outputs: ['a', 'b'] }, /exactly one output/],
    ['left/right with one', { id: 'f', kind: 'leftright', outputs: ['a'] }, /exactly two outputs/],
    [
      'switch without default',
      { id: 'f', kind: 'switch', outputs: ['sn', 'agn'] },
      /default output "default" is not among/
    ],
    ['switch without outputs', { id: 'f', kind: 'switch' }, /needs outputs/],
    [
      'switch with only the default',
      { id: 'f', kind: 'switch', outputs: ['default'] },
      /at least one named output/
    ],
    ['unknown kind', { id: 'f', kind: 'maybe' as never }, /unknown kind/]
  ])('refuses %s', (_, spec, message) => {
    expect(() => resolveOutputs(spec)).toThrow(FilterDefinitionError);
    expect(() => resolveOutputs(spec)).toThrow(message);
  });
});

describe('routing helpers', () => {
  it('count and group rows per output', () => {
    const routing = { outputs: ['a', 'b', 'c'], index: Int32Array.from([0, 2, -1, 2, 0, 0, -1]) };
    expect(routingCounts(routing)).toEqual([3, 0, 2]);
    expect(droppedCount(routing)).toBe(2);
    expect(rowsByOutput(routing).map(r => [...r])).toEqual([[0, 4, 5], [], [1, 3]]);
  });
});

describe('filter runtimes by language', () => {
  it('python has no runtime until the bridge registers one; then createFilter uses it', async () => {
    const spec: FilterSpec = {
      id: 'py',
      language: 'python',
      kind: 'yesno',
      source: 'def f(batch): ...'
    };
    const saved = getFilterRuntime('python');
    try {
      if (saved === undefined) {
        await expect(createFilter(spec)).rejects.toThrow(
          /no runtime for language "python".*kernel bridge/
        );
      }
      const made: FilterSpec[] = [];
      registerFilterRuntime({
        language: 'python',
        async create(s): Promise<Filter> {
          made.push(s);
          return {
            id: s.id,
            kind: s.kind,
            language: 'python',
            outputs: ['pass'],
            requiredColumns: [],
            source: s.source,
            evaluate: async batch => ({ outputs: ['pass'], index: new Int32Array(batch.numRows) }),
            close: async () => undefined
          };
        }
      });
      const filter = await createFilter(spec);
      expect(filter.language).toBe('python');
      expect(made).toEqual([spec]);
    } finally {
      if (saved !== undefined) {
        registerFilterRuntime(saved);
      }
    }
  });
});
