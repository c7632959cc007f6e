/**
 * Watchlists without Kafka: upload formats (CSV with quoting, astropy-style VOTable TABLEDATA,
 * JSON columns and rows) and their refusals; per-source radii across the RA seam and at a pole;
 * and the snapshot rule — a list replaced in the store changes nothing for a stage until its next
 * refresh (between batches), then everything at once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WatchlistSet } from '../sdk/src/watch/watchlist-set.js';
import {
  parseWatchlist,
  watchlistFromCsv,
  watchlistFromJson,
  watchlistFromVotable
} from '../sdk/src/watch/watchlist-source.js';
import { WatchlistStore } from '../sdk/src/watch/watchlist-store.js';

const VOTABLE = `<?xml version="1.0" encoding="utf-8"?>
<VOTABLE version="1.4" xmlns="http://www.ivoa.net/xml/VOTable/v1.3">
 <RESOURCE type="results">
  <TABLE>
   <FIELD ID="name" datatype="unicodeChar" name="name" arraysize="*"/>
   <FIELD ID="ra" datatype="double" name="ra" unit="deg"/>
   <FIELD ID="dec" datatype="double" name="dec" unit="deg"/>
   <FIELD ID="radius" datatype="double" name="radius" unit="arcsec"/>
   <DATA>
    <TABLEDATA>
     <TR><TD>SN &amp; host</TD><TD>10.5</TD><TD>-3.25</TD><TD>4</TD></TR>
     <TR><TD>b</TD><TD>359.99</TD><TD>89.5</TD><TD/></TR>
    </TABLEDATA>
   </DATA>
  </TABLE>
 </RESOURCE>
</VOTABLE>`;

describe('watchlist uploads', () => {
  it('reads CSV (quotes, comments, default radius), VOTable and JSON alike', () => {
    const csv = watchlistFromCsv(
      '# my list\nName,RA,Dec,Radius\n"SN, 2026a",150.1,2.2,3\nplain,0,-90,\n',
      { defaultRadiusArcsec: 5 }
    );
    expect(csv.names).toEqual(['SN, 2026a', 'plain']);
    expect([...csv.radiusArcsec]).toEqual([3, 5]);
    expect([...csv.decDeg]).toEqual([2.2, -90]);
    const vot = watchlistFromVotable(VOTABLE);
    expect(vot.names).toEqual(['SN & host', 'b']);
    expect([...vot.raDeg]).toEqual([10.5, 359.99]);
    expect([...vot.radiusArcsec]).toEqual([4, 2]); // empty cell: the 2″ default
    const cols = watchlistFromJson({ name: ['a'], ra: [1], dec: [2], radius: [7] });
    const rows = watchlistFromJson([{ name: 'a', ra: 1, dec: 2, radius: 7 }]);
    expect(rows).toEqual(cols);
    expect(parseWatchlist(VOTABLE)).toEqual(vot);
    expect(parseWatchlist('[{"name":"a","ra":1,"dec":2,"radius":7}]')).toEqual(cols);
  });

  it('refuses what it cannot use, naming the row or column', () => {
    expect(() => watchlistFromCsv('name,ra\nx,1')).toThrow(/no dec column/);
    expect(() => watchlistFromCsv('name,ra,dec\nx,1,95')).toThrow(/row 1: position/);
    expect(() => watchlistFromCsv('name,ra,dec,radius\nx,1,5,0')).toThrow(/radius 0 must be/);
    expect(() => watchlistFromCsv('name,ra,dec,radius\nx,1,5,3601')).toThrow(/3600 arcsec/);
    expect(() => watchlistFromCsv('name,ra,dec\n')).toThrow(/empty/);
    expect(() => watchlistFromVotable('<VOTABLE><RESOURCE/></VOTABLE>')).toThrow(/TABLEDATA/);
  });
});

describe('watchlist matching and snapshots', () => {
  let dir: string;
  let store: WatchlistStore;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'alertlab-watchlist-'));
    store = await WatchlistStore.open(join(dir, 'watchlists.duckdb'));
  });
  afterAll(async () => {
    store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const alerts = {
    raDeg: Float64Array.from([0.0001, 180, 12, 50]),
    decDeg: Float64Array.from([0, 89.9999, 30, 0])
  };

  it('matches each source within its own radius, across the RA seam and at the pole', async () => {
    await store.add(
      'seam',
      watchlistFromCsv(
        [
          'name,ra,dec,radius',
          'seam-in,359.9999,0,1', // 0.72″ from alert 0 across RA 0
          'pole-in,0,89.9999,1', // 0.72″ from alert 1 over the pole
          'near-out,12,30.0004,1.2', // 1.44″ from alert 2, radius 1.2″: no
          'near-in,12,29.9996,1.5', // 1.44″ from alert 2, radius 1.5″: yes
          'far,50,0.01,20' // 36″ from alert 3: no
        ].join('\n')
      )
    );
    const set = new WatchlistSet(store.path, ['seam']);
    expect(await set.refresh()).toBe(true);
    const m = await set.match(alerts);
    expect([...m.alertRow]).toEqual([0, 1, 2]);
    expect(m.source).toEqual(['seam-in', 'pole-in', 'near-in']);
    expect(m.sepArcsec[0]).toBeCloseTo(0.72, 2);
    expect(m.sepArcsec[1]).toBeCloseTo(0.72, 2);
    expect(m.sepArcsec[2]).toBeCloseTo(1.44, 2);
    set.close();
  });

  it('a replaced or removed list changes nothing until refresh, then all of it', async () => {
    await store.add('swap', watchlistFromCsv('name,ra,dec,radius\nv1,50,0,2'));
    const set = new WatchlistSet(store.path, '*');
    await set.refresh();
    const v1 = set.snapshot.versions.swap;
    expect((await set.match(alerts)).source).toContain('v1');
    // replaced in the store (as by another process) while the set is in the middle of its work
    await store.add('swap', watchlistFromCsv('name,ra,dec,radius\nv2,12,30,2'), { replace: true });
    const during = await set.match(alerts);
    expect(during.source).toContain('v1');
    expect(during.source).not.toContain('v2');
    expect(during.snapshot.versions.swap).toBe(v1);
    expect(await set.refresh()).toBe(true);
    const after = await set.match(alerts);
    expect(after.source).toContain('v2');
    expect(after.source).not.toContain('v1');
    expect(after.snapshot.versions.swap).toBeGreaterThan(v1);
    expect(await set.refresh()).toBe(false); // nothing changed since
    await store.remove('swap');
    expect((await set.match(alerts)).source).toContain('v2');
    await set.refresh();
    expect((await set.match(alerts)).list).not.toContain('swap');
    set.close();
  });
});
