import type { Table } from 'apache-arrow';
import { floatColumn, stringColumn } from './columns.js';
import type { SkyOverlay, SkyPoints } from './skymap-figure.js';

const OVERLAY_COLOURS = ['#e6550d', '#636363', '#31a354', '#756bb1'];

export function skyPointsFromTable(table: Table | null, colourName: string): SkyPoints {
  if (!table) {
    return { raDeg: new Float64Array(0), decDeg: new Float64Array(0), colour: null, colourName };
  }
  const field = table.schema.fields.find(f => f.name === 'colour');
  let colour: SkyPoints['colour'] = null;
  if (field) {
    colour =
      String(field.type).startsWith('Utf8') || String(field.type).startsWith('Dictionary')
        ? stringColumn(table, 'colour')
        : floatColumn(table, 'colour');
  }
  return { raDeg: floatColumn(table, 'ra'), decDeg: floatColumn(table, 'dec'), colour, colourName };
}

export function overlaysFromTable(table: Table | null): SkyOverlay[] {
  if (!table) {
    return [];
  }
  const names = stringColumn(table, 'catalog', 'catalog');
  const ra = floatColumn(table, 'ra');
  const dec = floatColumn(table, 'dec');
  const rows = new Map<string, number[]>();
  names.forEach((n, i) => rows.set(n, [...(rows.get(n) ?? []), i]));
  return [...rows.entries()].map(([name, r], k) => ({
    name,
    raDeg: Float64Array.from(r, i => ra[i]),
    decDeg: Float64Array.from(r, i => dec[i]),
    colour: OVERLAY_COLOURS[k % OVERLAY_COLOURS.length]
  }));
}
