import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderTable } from '../bench/readme-table.js';

describe('bench/readme-table', () => {
  it('renders every row a result file carries, with its run, and the older files through adapters', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alertlab-readme-table-'));
    try {
      writeFileSync(
        join(dir, 'decode.json'),
        JSON.stringify({
          date: '2026-12-06T20:00:00Z',
          machine: { loadavgStart: [3.14, 2, 1] },
          readme: [
            {
              benchmark: 'decode | a',
              input: 'realistic, 232 KB',
              figure: '9,000/s',
              peer: 'fastavro ×100'
            }
          ]
        })
      );
      writeFileSync(
        join(dir, 'handover.json'),
        JSON.stringify({
          date: '2026-12-05T00:00:00Z',
          machine: { loadavg: [1, 1, 1] },
          workload: '6 partitions',
          summary: [{ client: 'kafkajs', protocol: 'classic', joinMs: 1017, leaveMs: 1044 }]
        })
      );
      writeFileSync(join(dir, 'clients-attach-kafkajs-r1.json'), JSON.stringify({ readme: [] }));
      // a bench that make bench does not run: its row goes to the second table
      writeFileSync(
        join(dir, 'soak.json'),
        JSON.stringify({
          date: '2026-12-07T03:36:00Z',
          machine: { loadavgStart: [5, 2, 4] },
          readme: [{ benchmark: 'soak', input: 'feed', figure: 'flat', peer: '—' }]
        })
      );
      writeFileSync(join(dir, 'no-rows.json'), JSON.stringify({ date: 'x' }));
      const lines = renderTable(dir).split('\n');
      expect(lines).toHaveLength(10);
      expect(lines[2]).toBe(
        '| decode \\| a | realistic, 232 KB | 9,000/s | fastavro ×100 | 2026-12-06, load 3.1/2.0/1.0; bench/results/decode.json |'
      );
      expect(lines[3]).toContain('kafkajs classic: join 1,017 ms, leave 1,044 ms');
      expect(lines[5]).toMatch(/^Not in `make bench`/);
      expect(lines[9]).toBe(
        '| soak | feed | flat | — | 2026-12-07, load 5.0/2.0/4.0; bench/results/soak.json |'
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
