import { describe, expect, it } from 'vitest';
import { STAGE_ROUTE_HEADER, matchesPart, routePrefix, stageRouteOf } from './route-header.js';

const twice = (s: string) => encodeURIComponent(encodeURIComponent(s));

describe('stage routing header', () => {
  it('round-trips every field, names with query characters included', () => {
    const catalogs = ['hipparcos', 'odd,name:1&x=%+y'];
    const value = `${routePrefix('st&1', 'out=a', { topic: 'alerts.rubin', partition: 3 })}9007199254740993&ids=4611686018427387904,4611686018427387905${matchesPart(catalogs.map(twice), [2, 0])}`;
    for (const header of [value, new TextEncoder().encode(value)]) {
      expect(stageRouteOf({ other: 'x', [STAGE_ROUTE_HEADER]: header })).toEqual({
        stage: 'st&1',
        output: 'out=a',
        sourceTopic: 'alerts.rubin',
        sourcePartition: 3,
        sourceOffset: 9007199254740993n,
        alertIds: ['4611686018427387904', '4611686018427387905'],
        matches: { hipparcos: 2, 'odd,name:1&x=%+y': 0 }
      });
    }
  });

  it('reads a record without cross-match, and says undefined without the header', () => {
    const value = `${routePrefix('s', 'o', { topic: 't', partition: 0 })}0&ids=12`;
    expect(stageRouteOf({ [STAGE_ROUTE_HEADER]: [value] })?.matches).toEqual({});
    expect(stageRouteOf({ [STAGE_ROUTE_HEADER]: value })?.alertIds).toEqual(['12']);
    expect(stageRouteOf({ 'alertlab-stage': 's' })).toBeUndefined();
  });
});
