import type { Config } from 'plotly.js-dist-min';

/** Plotly options shared by the views: responsive, no plotly.com link, PNG export kept. */
export const PLOT_CONFIG: Config = {
  responsive: true,
  displaylogo: false,
  scrollZoom: true,
  modeBarButtonsToRemove: ['sendDataToCloud']
};

/** Calls `fn` at most once per animation frame, however often it is requested. */
export function frameScheduler(fn: () => void): () => void {
  let pending = false;
  return () => {
    if (pending) {
      return;
    }
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      fn();
    });
  };
}
