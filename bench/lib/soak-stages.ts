/** The soak's stages: one manifest of every kind, all on the same feed topic. */

export interface SoakStage {
  kind: string;
  manifest: Record<string, unknown>;
}

const TS_FILTER = `
import { defineFilter } from '@alertlab/sdk';
export default defineFilter({ kind: 'yesno', mode: 'alert', columns: ['mag', 'ndet'],
  fn: alert => typeof alert.mag === 'number' && alert.mag < 21 && (alert.ndet as number) >= 1 });
`;

const PY_FILTER = `
import alertlab
import pyarrow.compute as pc

@alertlab.filter(kind="leftright", columns=["mag", "isMovingObject"])
def soak_split(batch):
    faint = pc.fill_null(pc.greater(batch["mag"], 22.0), False)
    moving = pc.fill_null(batch["isMovingObject"], False)
    return pc.or_(faint, moving)
`;

const SWITCH_SQL =
  "CASE WHEN isMovingObject THEN 'sso' WHEN mag < 20 THEN 'bright' WHEN ndet >= 5 THEN 'known' END";

/** Manifests for `tag`-prefixed stages reading `feed`. */
export function soakManifests(
  tag: string,
  feed: string,
  o: { watchlistPath: string }
): SoakStage[] {
  const base = (name: string) => {
    const id = `${tag}-${name}`;
    return {
      id,
      input: { topic: feed, format: 'rubin' },
      deadLetterTopic: `${id}-dlq`,
      batch: { maxRows: 1000, maxWaitMs: 500 },
      // a loaded machine starves workers for seconds: a short session would rebalance them
      // over and over (an aggregate stage then replays its open windows each time)
      consumer: { sessionTimeoutMs: 45_000, heartbeatIntervalMs: 1000 }
    };
  };
  const outs = (id: string, names: string[]) =>
    Object.fromEntries(names.map(n => [n, `${id}-${n}`]));
  const filter = (name: string, f: Record<string, unknown>, outputs: string[], extra = {}) => {
    const b = base(name);
    return {
      ...b,
      filter: f,
      outputs: outs(b.id, outputs),
      payload: 'thin',
      ...extra
    };
  };
  return [
    {
      kind: 'sql-yesno',
      manifest: filter(
        'sqlyes',
        { language: 'sql', kind: 'yesno', source: 'coalesce(mag, 99) < 21' },
        ['pass']
      )
    },
    {
      kind: 'sql-switch',
      manifest: filter(
        'sqlswitch',
        {
          language: 'sql',
          kind: 'switch',
          outputs: ['sso', 'bright', 'known', 'default'],
          source: SWITCH_SQL
        },
        ['sso', 'bright', 'known', 'default']
      )
    },
    {
      kind: 'crossmatch',
      manifest: filter(
        'xmatch',
        { language: 'sql', kind: 'leftright', source: 'xm_hipparcos_count > 0' },
        ['left', 'right'],
        { crossmatch: { catalogs: [{ name: 'hipparcos', radiusArcsec: 5 }] } }
      )
    },
    {
      kind: 'typescript',
      manifest: filter('ts', { language: 'typescript', kind: 'yesno', source: TS_FILTER }, ['pass'])
    },
    {
      kind: 'python',
      manifest: filter(
        'py',
        { language: 'python', kind: 'leftright', entry: 'soak_split', source: PY_FILTER },
        ['left', 'right']
      )
    },
    {
      kind: 'aggregate',
      manifest: {
        ...base('agg'),
        kind: 'aggregate',
        aggregate: {
          topic: `${tag}-agg-windows`,
          windowSeconds: 60,
          hopSeconds: 30,
          allowedLatenessSeconds: 10,
          groupBy: 'band',
          value: 'mag',
          lateRecords: 'drop'
        }
      }
    },
    {
      kind: 'watch',
      manifest: filter(
        'watch',
        { language: 'sql', kind: 'yesno', source: "in_watchlist('soak-list')" },
        ['pass'],
        { watch: { watchlists: ['soak-list'], watchlistPath: o.watchlistPath } }
      )
    }
  ];
}
