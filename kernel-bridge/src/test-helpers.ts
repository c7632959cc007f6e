/** Helpers for this package's tests: engines and clients that close in `finally`, sample tables. */
import { Field, Float64, Int64, List, Struct, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { BridgeClient } from './client.js';
import { BridgeEngine, type BridgeEngineOptions } from './engine.js';

/** An engine (no connection file) plus a connected client, closed afterwards. */
export async function withEngine<T>(
  options: BridgeEngineOptions,
  fn: (engine: BridgeEngine, client: BridgeClient) => Promise<T>
): Promise<T> {
  const engine = await BridgeEngine.create({ connectionFile: null, ...options });
  const client = new BridgeClient(engine.info);
  try {
    return await fn(engine, client);
  } finally {
    await client.close();
    await engine.close();
  }
}

export const LIGHTCURVE_TYPE = new List(
  new Field(
    'item',
    new Struct([new Field('mjd', new Float64(), true), new Field('band', new Utf8(), true)]),
    true
  )
);

/** ids above 2^53, NaN next to null, and a nested lightcurve. */
export function edgeCaseTable(): Table {
  return new Table({
    alertId: vectorFromArray([2n ** 62n + 1n, 2n ** 53n + 1n, null, -(2n ** 63n)], new Int64()),
    mag: vectorFromArray([Number.NaN, null, 18.5, -0], new Float64()),
    lightcurve: vectorFromArray(
      [
        [{ mjd: 60000.5, band: 'g' }],
        [],
        null,
        [
          { mjd: 1, band: null },
          { mjd: Number.NaN, band: 'r' }
        ]
      ],
      LIGHTCURVE_TYPE
    )
  });
}
