/// <reference lib="dom" />
// (code passed to page.evaluate runs in the browser)
import type { Page } from 'playwright-core';

/** How a lightcurve plot looks to a person: tick labels, axis type, markers per trace. */
export interface LightcurveLooks {
  xTicks: string[];
  xType: string;
  traces: { name: string; band: string; kind: string; symbol: string; colour: string }[];
}

/** Reads what plotly drew under `rootSelector` (tick texts from the SVG, markers from the data). */
export async function lightcurveLooks(page: Page, rootSelector: string): Promise<LightcurveLooks> {
  return page.evaluate(sel => {
    interface Gd extends HTMLElement {
      data: {
        name?: string;
        meta?: { band?: string; kind?: string };
        marker?: { symbol?: string; color?: string };
      }[];
      _fullLayout: { xaxis: { type: string } };
    }
    const gd = document.querySelector(`${sel} .js-plotly-plot`) as Gd | null;
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
  }, rootSelector);
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
      for (const c of Array.from(t.querySelectorAll<HTMLElement>('td, th'))) {
        if (c.scrollWidth > c.clientWidth + 1) {
          out.push(`${t.className} cell "${c.innerText}": ${c.scrollWidth}px > ${c.clientWidth}px`);
        }
      }
    }
    return out;
  });
}
