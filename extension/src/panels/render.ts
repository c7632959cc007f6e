/** Small DOM helpers for the panels (no framework: a few tables). */

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
}

/** A table with a header row; cells are text or nodes. */
export function table(
  headers: string[],
  rows: (Node | string)[][],
  className: string
): HTMLTableElement {
  return el(
    'table',
    { class: `alertlab-table ${className}` },
    el('thead', {}, el('tr', {}, ...headers.map(h => el('th', {}, h)))),
    el('tbody', {}, ...rows.map(r => el('tr', {}, ...r.map(c => el('td', {}, c)))))
  );
}

/** A right-aligned number cell. */
export function numberCell(value: string): HTMLTableCellElement {
  return el('td', { class: 'alertlab-num' }, value);
}

/**
 * A table that fits a narrow sidebar: fixed layout, the first column takes what the number
 * columns leave, long names wrap instead of being cut off.
 */
export function fittedTable(
  headers: string[],
  rows: HTMLTableRowElement[],
  className: string
): HTMLTableElement {
  return el(
    'table',
    { class: `alertlab-table alertlab-fitted ${className}` },
    el(
      'thead',
      {},
      el('tr', {}, ...headers.map((h, i) => el('th', i === 0 ? {} : { class: 'alertlab-num' }, h)))
    ),
    el('tbody', {}, ...rows)
  );
}

export function text(value: unknown): string {
  if (value === null || value === undefined) {
    return '–';
  }
  if (typeof value === 'number') {
    return Number.isInteger(value) ? String(value) : value.toFixed(2);
  }
  if (typeof value === 'object') {
    return Object.values(value as Record<string, unknown>)
      .map(String)
      .join(', ');
  }
  return String(value);
}
