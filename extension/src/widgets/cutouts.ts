import { DOMWidgetModel, DOMWidgetView } from '@jupyter-widgets/base';
import { MODULE_NAME, MODULE_VERSION } from '../version.js';

/** State: `_pixels` (8-bit grey, stamps one after another), `shapes` [[h, w]…], `titles`, `size_px`. */
export class CutoutsModel extends DOMWidgetModel {
  override defaults(): Record<string, unknown> {
    return {
      ...super.defaults(),
      _model_name: 'CutoutsModel',
      _view_name: 'CutoutsView',
      _model_module: MODULE_NAME,
      _model_module_version: MODULE_VERSION,
      _view_module: MODULE_NAME,
      _view_module_version: MODULE_VERSION,
      _pixels: null,
      shapes: [],
      titles: [],
      size_px: 160
    };
  }
}

/** Grey pixels into an RGBA canvas, shown at `sizePx` wide without smoothing. */
export function drawStamp(
  grey: Uint8Array,
  heightPx: number,
  widthPx: number,
  sizePx: number
): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = widthPx;
  canvas.height = heightPx;
  canvas.style.width = `${sizePx}px`;
  canvas.style.imageRendering = 'pixelated';
  const ctx = canvas.getContext('2d');
  if (ctx) {
    const img = ctx.createImageData(widthPx, heightPx);
    for (let i = 0; i < grey.length; i++) {
      img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = grey[i];
      img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }
  return canvas;
}

export class CutoutsView extends DOMWidgetView {
  override render(): void {
    this.el.classList.add('alertlab-cutouts');
    this.listenTo(this.model, 'change:_pixels change:shapes change:titles change:size_px', () =>
      this.draw()
    );
    this.draw();
  }

  private draw(): void {
    const view = this.model.get('_pixels') as DataView | null;
    const shapes = (this.model.get('shapes') as [number, number][] | null) ?? [];
    const titles = (this.model.get('titles') as string[] | null) ?? [];
    const sizePx = Number(this.model.get('size_px') ?? 160);
    const bytes = view
      ? new Uint8Array(view.buffer, view.byteOffset, view.byteLength)
      : new Uint8Array(0);
    let offset = 0;
    const figures = shapes.map(([h, w], i) => {
      const grey = bytes.subarray(offset, offset + h * w);
      offset += h * w;
      const fig = document.createElement('figure');
      const caption = document.createElement('figcaption');
      caption.textContent = titles[i] ?? '';
      fig.append(drawStamp(grey, h, w, sizePx), caption);
      return fig;
    });
    this.el.replaceChildren(...figures);
  }
}
