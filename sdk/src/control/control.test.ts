import { describe, expect, it } from 'vitest';
import { HttpError, Router } from './http.js';
import { k8sName } from './k8s.js';
import { coneParams, catalogRequestsFromQuery } from './params.js';
import { errorVotable, xmlEscape } from './votable.js';
import { statsOfLine } from './worker.js';
import { checkStageId } from './registry.js';

describe('router', () => {
  it('matches methods and path parameters, and lists allowed methods otherwise', () => {
    const r = new Router();
    const h = (): void => undefined;
    r.add('GET', '/stages/{id}', h)
      .add('POST', '/stages/{id}/scale', h)
      .add('GET', '/health', h, { public: true });
    expect(r.match('GET', '/stages/a%2Eb')).toMatchObject({
      found: true,
      params: { id: 'a.b' },
      public: false
    });
    expect(r.match('POST', '/stages/x/scale')).toMatchObject({ found: true, params: { id: 'x' } });
    expect(r.match('DELETE', '/stages/x')).toEqual({ found: false, allowed: ['GET'] });
    expect(r.match('GET', '/nope')).toEqual({ found: false, allowed: [] });
    expect(r.match('HEAD', '/health')).toMatchObject({ found: true, public: true });
  });
});

describe('cone parameters', () => {
  it('parses degrees or arcseconds and folds RA', () => {
    expect(coneParams(new URLSearchParams('ra=-10&dec=5&radius=0.5'))).toMatchObject({
      raDeg: 350,
      decDeg: 5,
      radiusArcsec: 1800
    });
    expect(coneParams(new URLSearchParams('ra=370&dec=-90&radiusArcsec=2'))).toMatchObject({
      raDeg: 10,
      radiusArcsec: 2
    });
  });
  it('refuses what is out of range with a 400', () => {
    for (const q of [
      'ra=1&dec=90.1&radius=1',
      'ra=1&dec=1&radius=10.5',
      'ra=1&dec=1&radiusArcsec=0',
      'ra=NaN&dec=1&radius=1',
      'dec=1&radius=1'
    ]) {
      expect(() => coneParams(new URLSearchParams(q)), q).toThrow(HttpError);
    }
  });
  it('reads catalog specs of Arrow requests', () => {
    expect(
      catalogRequestsFromQuery(new URLSearchParams('catalogs=tycho2:2:mag|bv,dso&radiusArcsec=5'))
    ).toEqual([
      { name: 'tycho2', radiusArcsec: 2, columns: ['mag', 'bv'] },
      { name: 'dso', radiusArcsec: 5 }
    ]);
    expect(() => catalogRequestsFromQuery(new URLSearchParams('catalogs=dso'))).toThrow(
      /radiusArcsec/
    );
  });
});

describe('small pieces', () => {
  it('escapes XML and writes SCS errors as INFO name="Error"', () => {
    expect(xmlEscape(`<a & "b">`)).toBe('&lt;a &amp; &quot;b&quot;&gt;');
    expect(errorVotable('bad <SR>')).toContain('<INFO name="Error" value="bad &lt;SR&gt;"/>');
  });
  it('finds stats in worker lines', () => {
    expect(statsOfLine('{"type":"stats","recordsIn":3,"out":{"pass":1}}')?.recordsIn).toBe(3);
    expect(statsOfLine('{"type":"started"}')).toBeUndefined();
    expect(statsOfLine('not json')).toBeUndefined();
  });
  it('makes Kubernetes names and checks stage ids', () => {
    expect(k8sName('My_Stage.v2')).toBe('alertlab-my-stage-v2');
    expect(checkStageId('ok-1.2_3')).toBe('ok-1.2_3');
    expect(() => checkStageId('../etc')).toThrow(HttpError);
    expect(() => checkStageId('')).toThrow(HttpError);
  });
});
