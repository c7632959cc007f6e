import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { FilterColumnError, FilterEvaluationError, FilterTimeoutError } from '../errors.js';
import { loadTypeScriptFilter, typeScriptFilter } from './factories.js';
import { withLightcurveFeatures } from './features.js';
import { createFilter } from './registry.js';
import { syntheticAlerts } from './synthetic.js';
const fixture = (name) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
async function withFilter(open, fn) {
    const filter = await open();
    try {
        return await fn(filter);
    }
    finally {
        await filter.close();
    }
}
const { batch, rows } = syntheticAlerts(2500, 5);
const rise = withLightcurveFeatures(batch).getChild('riseRate');
const wantSwitch = rows.map(r => r.isMovingObject ? 0 : r.mag === null || Number.isNaN(r.mag) ? 3 : r.mag < 18 ? 1 : 2);
const wantRising = rows.map((_, i) => {
    const v = rise?.get(i);
    return v !== null && v > 0 ? 0 : 1;
});
describe('TypeScript filters in-process', () => {
    it('yes/no batch function returning booleans', async () => {
        await withFilter(() => typeScriptFilter({
            id: 'g',
            kind: 'yesno',
            outputs: ['g-band'],
            columns: ['band'],
            fn: (b, cols) => Array.from({ length: b.numRows }, (_, i) => cols.band.get(i) === 'g')
        }), async (f) => {
            const routing = await f.evaluate(batch);
            expect([...routing.index]).toEqual(rows.map(r => (r.band === 'g' ? 0 : -1)));
            expect(f.language).toBe('typescript');
        });
    });
    it('switch per alert returning output names (unknown → default)', async () => {
        await withFilter(() => typeScriptFilter({
            id: 'sw',
            kind: 'switch',
            outputs: ['rubin', 'ztf', 'other'],
            defaultOutput: 'other',
            mode: 'alert',
            fn: a => (a.isMovingObject ? 'not-an-output' : a.survey)
        }), async (f) => {
            const routing = await f.evaluate(batch);
            expect([...routing.index]).toEqual(rows.map(r => (r.isMovingObject ? 2 : r.survey === 'rubin' ? 0 : 1)));
        });
    });
    it('refuses a batch without its declared columns, listing those that exist', async () => {
        await withFilter(() => typeScriptFilter({
            id: 'needs',
            kind: 'yesno',
            columns: ['gaia_G'],
            fn: b => new Int32Array(b.numRows)
        }), async (f) => {
            const error = await f.evaluate(batch).catch((e) => e);
            expect(error).toBeInstanceOf(FilterColumnError);
            expect(error.message).toMatch(/gaia_G.*Columns that exist: survey, alertId/);
        });
    });
});
describe('TypeScript filters loaded from a module, in a worker', () => {
    it('switch over the batch routes like the plain loop', async () => {
        await withFilter(() => loadTypeScriptFilter(fixture('bright-switch.ts')), async (f) => {
            expect(f.id).toBe('bright-switch');
            expect(f.outputs).toEqual(['sso', 'bright', 'faint', 'rest']);
            expect(f.requiredColumns).toEqual(['mag', 'isMovingObject']);
            const routing = await f.evaluate(batch);
            expect([...routing.index]).toEqual(wantSwitch);
        });
    });
    it('per-alert left/right on a lightcurve feature, through the registry (named export)', async () => {
        await withFilter(() => loadTypeScriptFilter(fixture('rising-per-alert.ts'), {
            exportName: 'rising',
            id: 'rising'
        }), async (f) => {
            const routing = await f.evaluate(batch);
            expect([...routing.index]).toEqual(wantRising);
        });
        await expect(createFilter({
            id: 'x',
            language: 'typescript',
            kind: 'yesno',
            source: fixture('bright-switch.ts')
        })).rejects.toThrow(/Make them agree/);
    });
    it('a looping filter times out, names itself and the limit, and the next batch runs in a fresh worker', async () => {
        await withFilter(() => loadTypeScriptFilter(fixture('looping.ts'), { timeoutMs: 300 }), async (f) => {
            const t0 = Date.now();
            const error = await f.evaluate(batch).catch((e) => e);
            const elapsedMs = Date.now() - t0;
            expect(error).toBeInstanceOf(FilterTimeoutError);
            expect(error.message).toMatch(/"looping".*within 300 ms/);
            expect(elapsedMs).toBeLessThan(3000);
            // a batch without faint alerts completes after the restart
            const okRows = rows
                .map((r, i) => [r, i])
                .filter(([r]) => r.mag === null || !(r.mag > 20));
            const small = syntheticAlerts(2500, 5).batch;
            const firstBad = rows.findIndex(r => r.mag !== null && r.mag > 20);
            const prefix = small.slice(0, firstBad);
            const routing = await f.evaluate(prefix);
            expect(routing.index.length).toBe(firstBad);
            expect([...routing.index]).toEqual(rows.slice(0, firstBad).map(r => (r.mag !== null && r.mag < 19 ? 0 : -1)));
            expect(okRows.length).toBeGreaterThan(firstBad);
        });
    });
    it('a throwing filter gives a FilterEvaluationError with the message', async () => {
        await withFilter(() => loadTypeScriptFilter(fixture('throwing.ts'), { id: 'thrower' }), async (f) => {
            await expect(f.evaluate(batch)).rejects.toThrow(FilterEvaluationError);
            await expect(f.evaluate(batch)).rejects.toThrow(/boom from user code/);
        });
    });
});
