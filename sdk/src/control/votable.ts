/**
 * VOTable 1.3 (TABLEDATA) for the IVOA Simple Cone Search 1.03 endpoint: one RESOURCE, one TABLE
 * with the UCD1 fields the standard requires (`ID_MAIN`, `POS_EQ_RA_MAIN`, `POS_EQ_DEC_MAIN`), and
 * errors as an `INFO name="Error"` element (plus `QUERY_STATUS=ERROR`) as SCS 1.03 §3 asks.
 */
import type { ColumnKind } from '../catalog/columns.js';
import type { ConeResult } from './catalogs.js';

/** MIME type of SCS answers. */
export const VOTABLE_CONTENT_TYPE = 'text/xml; charset=utf-8';

const HEAD =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<VOTABLE version="1.3" xmlns="http://www.ivoa.net/xml/VOTable/v1.3" ' +
  'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n';

/** Escapes text for XML content and attributes. */
export function xmlEscape(s: string): string {
  return s.replace(/[<>&"']/g, c =>
    c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === '"' ? '&quot;' : '&apos;'
  );
}

function datatype(kind: ColumnKind): string {
  switch (kind) {
    case 'double':
      return 'datatype="double"';
    case 'int':
      return 'datatype="int"';
    case 'bigint':
      return 'datatype="long"';
    case 'bool':
      return 'datatype="boolean"';
    case 'string':
      return 'datatype="char" arraysize="*"';
  }
}

function cell(v: unknown): string {
  if (v === null || v === undefined) {
    return '<TD/>';
  }
  if (typeof v === 'number') {
    return Number.isFinite(v) ? `<TD>${v}</TD>` : '<TD>NaN</TD>';
  }
  return `<TD>${xmlEscape(String(v))}</TD>`;
}

/** The answer to a cone search: ID, RA, Dec (degrees, ICRS), separation (arcsec), kept columns. */
export function coneVotable(r: ConeResult, description: string): string {
  const idType = r.idKind === 'bigint' ? 'datatype="long"' : 'datatype="char" arraysize="*"';
  const fields = [
    `<FIELD name="id" ID="id" ucd="ID_MAIN" ${idType}><DESCRIPTION>Catalog identifier</DESCRIPTION></FIELD>`,
    '<FIELD name="ra" ID="ra" ucd="POS_EQ_RA_MAIN" datatype="double" unit="deg"><DESCRIPTION>Right ascension (ICRS)</DESCRIPTION></FIELD>',
    '<FIELD name="dec" ID="dec" ucd="POS_EQ_DEC_MAIN" datatype="double" unit="deg"><DESCRIPTION>Declination (ICRS)</DESCRIPTION></FIELD>',
    '<FIELD name="separation" ID="separation" datatype="double" unit="arcsec"><DESCRIPTION>Distance from the cone centre</DESCRIPTION></FIELD>',
    ...r.columns.map(c => `<FIELD name="${xmlEscape(c.name)}" ${datatype(c.kind)}/>`)
  ];
  const rows = r.rows.map(
    row =>
      `<TR>${cell(row.id)}${cell(row.raDeg)}${cell(row.decDeg)}${cell(row.separationArcsec)}${r.columns
        .map(c => cell(row.columns[c.name]))
        .join('')}</TR>`
  );
  return (
    HEAD +
    `<RESOURCE type="results">\n<DESCRIPTION>${xmlEscape(description)}</DESCRIPTION>\n` +
    '<INFO name="QUERY_STATUS" value="OK"/>\n' +
    (r.truncated
      ? `<INFO name="WARNING" value="Result truncated to ${r.rows.length} rows (pass a larger MAXREC)."/>\n`
      : '') +
    `<TABLE name="${xmlEscape(r.catalog)}">\n${fields.join('\n')}\n<DATA><TABLEDATA>\n${rows.join('\n')}\n` +
    '</TABLEDATA></DATA>\n</TABLE>\n</RESOURCE>\n</VOTABLE>\n'
  );
}

/** An SCS error document: `INFO name="Error"` with the message, and `QUERY_STATUS=ERROR`. */
export function errorVotable(message: string): string {
  const m = xmlEscape(message);
  return (
    HEAD +
    '<RESOURCE type="results">\n' +
    `<INFO name="QUERY_STATUS" value="ERROR">${m}</INFO>\n` +
    `<INFO name="Error" value="${m}"/>\n` +
    '</RESOURCE>\n</VOTABLE>\n'
  );
}
