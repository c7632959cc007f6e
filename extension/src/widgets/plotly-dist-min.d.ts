/* Minimal typings for the parts of plotly.js-dist-min that the views use. */
declare module 'plotly.js-dist-min' {
  export type Datum = number | string | null;
  export type TypedOrArray = ArrayLike<Datum> | Float32Array | Float64Array;
  export interface PlotData {
    type?: 'scatter' | 'scattergl';
    mode?: string;
    name?: string;
    x?: TypedOrArray;
    y?: TypedOrArray;
    xaxis?: string;
    yaxis?: string;
    legendgroup?: string;
    showlegend?: boolean;
    hoverinfo?: string;
    hovertemplate?: string;
    customdata?: unknown[];
    text?: string | string[];
    marker?: Record<string, unknown>;
    textfont?: Record<string, unknown>;
    line?: Record<string, unknown>;
    error_y?: Record<string, unknown>;
    selectedpoints?: number[] | null;
    selected?: Record<string, unknown>;
    unselected?: Record<string, unknown>;
    meta?: Record<string, unknown>;
    visible?: boolean | 'legendonly';
  }
  export type Layout = Record<string, unknown>;
  export type Config = Record<string, unknown>;
  export interface PlotPoint {
    curveNumber: number;
    pointIndex?: number;
    pointNumber: number;
  }
  export interface SelectionEvent {
    points: PlotPoint[];
  }
  export interface PlotlyHTMLElement extends HTMLElement {
    data: PlotData[];
    layout: Layout;
    on(event: 'plotly_selected', cb: (ev: SelectionEvent | undefined) => void): void;
    on(event: 'plotly_hover' | 'plotly_click', cb: (ev: SelectionEvent) => void): void;
    on(event: 'plotly_deselect' | 'plotly_unhover' | 'plotly_afterplot', cb: () => void): void;
    removeAllListeners?(event: string): void;
  }
  export function newPlot(
    root: HTMLElement,
    data: PlotData[],
    layout?: Layout,
    config?: Config
  ): Promise<PlotlyHTMLElement>;
  export function react(
    root: HTMLElement,
    data: PlotData[],
    layout?: Layout,
    config?: Config
  ): Promise<PlotlyHTMLElement>;
  export function relayout(root: HTMLElement, update: Layout): Promise<PlotlyHTMLElement>;
  export function restyle(
    root: HTMLElement,
    update: Record<string, unknown>,
    traces?: number[]
  ): Promise<PlotlyHTMLElement>;
  export function purge(root: HTMLElement): void;
  export const Plots: { resize(root: HTMLElement): void };
  const Plotly: {
    newPlot: typeof newPlot;
    react: typeof react;
    relayout: typeof relayout;
    restyle: typeof restyle;
    purge: typeof purge;
    Plots: typeof Plots;
  };
  export default Plotly;
}
