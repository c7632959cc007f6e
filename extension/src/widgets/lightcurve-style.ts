/** How lightcurve points look: band colours, and markers for each kind of point. */

/**
 * Band colours: Rubin's recommended palette for u g r i z y (one colour per band); ZTF's g r i
 * (canonical band names) take the same colours, so a band looks the same in both surveys.
 */
export const BAND_COLOURS: Record<string, string> = {
  u: '#1600ea',
  g: '#31de1f',
  r: '#b52626',
  i: '#370201',
  z: '#ba52ff',
  y: '#61a2b3'
};
/** Band order in the legend and the trace list. */
export const BAND_ORDER = ['u', 'g', 'r', 'i', 'z', 'y'];

/** How a point is drawn: detections, forced photometry and upper limits look different. */
export type PointKind = 'detection' | 'forced' | 'limit';

/** Marker symbol of each kind (filled circle, open diamond, open down-triangle). */
export const KIND_SYMBOLS: Record<PointKind, string> = {
  detection: 'circle',
  forced: 'diamond-open',
  limit: 'triangle-down-open'
};

/** Legend suffix of each kind ('' for detections: the legend reads "g", "g forced", ...). */
export const KIND_LABELS: Record<PointKind, string> = {
  detection: '',
  forced: ' forced',
  limit: ' upper limit'
};
export const KIND_ORDER: PointKind[] = ['detection', 'forced', 'limit'];

/** Forced points below this signal-to-noise are drawn at their upper limit (magnitudes). */
export const FORCED_MIN_SNR = 3;
