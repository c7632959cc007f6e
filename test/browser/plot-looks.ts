/// <reference lib="dom" />
// (code passed to page.evaluate runs in the browser)
import type { Page } from 'playwright-core';

/** How a lightcurve plot looks to a person: tick labels, axis type, markers per trace. */
export interface LightcurveLooks {
  xTicks: string[];
  xType: string;
  traces: { name: string; band: string; kind: string; symbol: string; colour: string }[];
}

/**
 * Reads what plotly drew under `rootSelector` (tick texts from the SVG, markers from the data):
 * the first such plot on the page, or the last with `last`.
 */
export async function lightcurveLooks(
  page: Page,
  rootSelector: string,
  last = false
): Promise<LightcurveLooks> {
  return page.evaluate(
    ([sel, fromEnd]) => {
      interface Gd extends HTMLElement {
        data: {
          name?: string;
          meta?: { band?: string; kind?: string };
          marker?: { symbol?: string; color?: string };
        }[];
        _fullLayout: { xaxis: { type: string } };
      }
      const all = document.querySelectorAll(`${sel} .js-plotly-plot`);
      const gd = (fromEnd ? all[all.length - 1] : all[0]) as Gd | undefined;
      if (!gd) {
        throw new Error(`no plot under ${sel}`);
      }
      return {
        xTicks: Array.from(gd.querySelectorAll('.xaxislayer-above .xtick text')).map(
          t => t.textContent ?? ''
        ),
        xType: gd._fullLayout.xaxis.type,
        traces: gd.data.map(t => ({
          name: t.name ?? '',
          band: t.meta?.band ?? '',
          kind: t.meta?.kind ?? '',
          symbol: String(t.marker?.symbol ?? ''),
          colour: String(t.marker?.color ?? '')
        }))
      };
    },
    [rootSelector, last] as const
  );
}

/** Tables in the alertlab sidebar whose content is wider than the panel (cut off). */
export async function sidebarOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const bar = document.querySelector<HTMLElement>('#alertlab-sidebar');
    if (!bar) {
      throw new Error('no alertlab sidebar');
    }
    const width = bar.clientWidth;
    const out: string[] = [];
    for (const t of Array.from(bar.querySelectorAll<HTMLElement>('table'))) {
      if (
        t.scrollWidth > width ||
        t.getBoundingClientRect().right > bar.getBoundingClientRect().right + 1
      ) {
        out.push(`${t.className}: ${t.scrollWidth}px in a ${width}px panel`);
      }
      // Names get the room: the first column is not squeezed to a sliver by the numbers.
      const first = t.querySelector<HTMLElement>('th');
      if (first && first.getBoundingClientRect().width < 0.3 * t.getBoundingClientRect().width) {
        out.push(
          `${t.className}: first column ${first.getBoundingClientRect().width}px of ${t.getBoundingClientRect().width}px`
        );
      }
      for (const c of Array.from(t.querySelectorAll<HTMLElement>('td, th'))) {
        if (c.scrollWidth > c.clientWidth + 1) {
          out.push(`${t.className} cell "${c.innerText}": ${c.scrollWidth}px > ${c.clientWidth}px`);
        }
      }
    }
    return out;
  });
}

/**
 * Drags a selection box around the first point of a sky-map trace: the one named `traceName`, or
 * the first WebGL trace with points when it is ''.
 */
export async function boxAroundFirstPoint(
  page: Page,
  traceName: string,
  halfPx: number
): Promise<void> {
  const box = await page.evaluate(
    ({ name, half }) => {
      interface Axis {
        l2p(v: number): number;
        _offset: number;
      }
      interface Gd extends HTMLElement {
        data: { name?: string; x: ArrayLike<number>; y: ArrayLike<number> }[];
        _fullLayout: { xaxis: Axis; yaxis: Axis };
      }
      const gd = document.querySelector('.alertlab-skymap .js-plotly-plot') as Gd;
      const trace = gd.data.find(t =>
        name ? t.name === name : (t as { type?: string }).type === 'scattergl' && t.x.length > 0
      );
      if (!trace) {
        throw new Error(`no trace ${name}: ${gd.data.map(t => t.name).join(', ')}`);
      }
      const r = gd.getBoundingClientRect();
      const { xaxis, yaxis } = gd._fullLayout;
      const px = r.left + xaxis._offset + xaxis.l2p(trace.x[0]);
      const py = r.top + yaxis._offset + yaxis.l2p(trace.y[0]);
      return { x0: px - half, y0: py - half, x1: px + half, y1: py + half };
    },
    { name: traceName, half: halfPx }
  );
  await page.mouse.move(box.x0, box.y0);
  await page.mouse.down();
  await page.mouse.move((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2, { steps: 5 });
  await page.mouse.move(box.x1, box.y1, { steps: 5 });
  await page.mouse.up();
}
