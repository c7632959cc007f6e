/**
 * HEALPix in the RING scheme (Górski et al. 2005, ApJ 622, 759): pixel ↔ angle and a disc query
 * that lists the pixel ranges whose centres lie within a radius. Written for alertlab.
 */

const HALF_PI = Math.PI / 2;

/** Geometry of one iso-latitude ring: its z = cos θ, pixel count, first pixel, and φ phase. */
export interface RingInfo {
  z: number;
  pixels: number;
  firstPixel: number;
  /** Pixel j's centre is at φ = (j + shift)·2π / pixels. */
  shift: number;
}

/** A HEALPix RING tessellation of a given nside. */
export class HealpixRing {
  readonly npix: number;
  readonly ncap: number;
  readonly rings: number;
  constructor(readonly nside: number) {
    if (!Number.isInteger(nside) || nside < 1 || nside > 1 << 13) {
      throw new RangeError(`HEALPix nside ${nside} must be an integer in 1..8192`);
    }
    this.npix = 12 * nside * nside;
    this.ncap = 2 * nside * (nside - 1);
    this.rings = 4 * nside - 1;
  }

  /** Ring i (1 .. 4·nside − 1, north to south). */
  ring(i: number): RingInfo {
    const n = this.nside;
    if (i < n) {
      return {
        z: 1 - (i * i) / (3 * n * n),
        pixels: 4 * i,
        firstPixel: 2 * i * (i - 1),
        shift: 0.5
      };
    }
    if (i <= 3 * n) {
      return {
        z: ((2 * n - i) * 2) / (3 * n),
        pixels: 4 * n,
        firstPixel: this.ncap + (i - n) * 4 * n,
        shift: (i - n) % 2 === 0 ? 0.5 : 0
      };
    }
    const s = 4 * n - i;
    return {
      z: -(1 - (s * s) / (3 * n * n)),
      pixels: 4 * s,
      firstPixel: this.npix - 2 * s * (s + 1),
      shift: 0.5
    };
  }

  /** Continuous ring coordinate of z (ring i has ringOfZ(z_i) = i). */
  ringOfZ(z: number): number {
    const n = this.nside;
    if (z > 2 / 3) {
      return n * Math.sqrt(3 * (1 - z));
    }
    if (z >= -2 / 3) {
      return n * (2 - 1.5 * z);
    }
    return 4 * n - n * Math.sqrt(3 * (1 + z));
  }

  /** Pixel containing (z = cos θ = sin dec, φ in radians). */
  pixelOf(z: number, phi: number): number {
    const n = this.nside;
    let p = phi % (2 * Math.PI);
    if (p < 0) {
      p += 2 * Math.PI;
    }
    const tt = p / HALF_PI;
    const za = Math.abs(z);
    if (za <= 2 / 3) {
      const t1 = n * (0.5 + tt);
      const t2 = n * z * 0.75;
      const jp = Math.floor(t1 - t2);
      const jm = Math.floor(t1 + t2);
      const ir = n + 1 + jp - jm;
      const kshift = 1 - (ir & 1);
      let ip = Math.floor((jp + jm - n + kshift + 1) / 2);
      ip = ((ip % (4 * n)) + 4 * n) % (4 * n);
      return this.ncap + (ir - 1) * 4 * n + ip;
    }
    const tp = tt - Math.floor(tt);
    const tmp = n * Math.sqrt(3 * (1 - za));
    const jp = Math.floor(tp * tmp);
    const jm = Math.floor((1 - tp) * tmp);
    const ir = Math.min(n, jp + jm + 1);
    let ip = Math.floor(tt * ir);
    ip = ((ip % (4 * ir)) + 4 * ir) % (4 * ir);
    return z > 0 ? 2 * ir * (ir - 1) + ip : this.npix - 2 * ir * (ir + 1) + ip;
  }

  /** Ring number of a pixel. */
  ringOfPixel(p: number): number {
    const n = this.nside;
    if (p < this.ncap) {
      return Math.floor((1 + Math.sqrt(1 + 2 * p)) / 2);
    }
    if (p < this.npix - this.ncap) {
      return Math.floor((p - this.ncap) / (4 * n)) + n;
    }
    const s = Math.floor((1 + Math.sqrt(2 * (this.npix - p) - 1)) / 2);
    return 4 * n - s;
  }

  /** Unit vector of a pixel centre, written to out[0..2]. */
  centre(p: number, out: Float64Array): void {
    const info = this.ring(this.ringOfPixel(p));
    const phi = ((p - info.firstPixel + info.shift) * 2 * Math.PI) / info.pixels;
    const s = Math.sqrt(Math.max(0, 1 - info.z * info.z));
    out[0] = s * Math.cos(phi);
    out[1] = s * Math.sin(phi);
    out[2] = info.z;
  }

  /**
   * Calls emit(firstPixel, lastPixel) for runs of pixels whose centres lie within `radiusRad` of
   * the point (z = sin dec, φ = ra in radians). Runs never wrap.
   */
  discRanges(
    zc: number,
    phic: number,
    radiusRad: number,
    emit: (p0: number, p1: number) => void
  ): void {
    const thetaC = Math.acos(Math.max(-1, Math.min(1, zc)));
    const zTop = Math.cos(Math.max(0, thetaC - radiusRad));
    const zBot = Math.cos(Math.min(Math.PI, thetaC + radiusRad));
    const iStart = Math.max(1, Math.floor(this.ringOfZ(zTop)));
    const iEnd = Math.min(this.rings, Math.ceil(this.ringOfZ(zBot)));
    const cosR = Math.cos(radiusRad);
    const sc = Math.sqrt(Math.max(0, 1 - zc * zc));
    for (let i = iStart; i <= iEnd; i++) {
      const r = this.ring(i);
      const si = Math.sqrt(Math.max(0, 1 - r.z * r.z));
      const last = r.firstPixel + r.pixels - 1;
      const denom = sc * si;
      let thr: number;
      if (denom < 1e-300) {
        thr = zc * r.z >= cosR ? -2 : 2;
      } else {
        thr = (cosR - zc * r.z) / denom;
      }
      if (thr > 1) {
        continue;
      }
      if (thr <= -1) {
        emit(r.firstPixel, last);
        continue;
      }
      const dphi = Math.acos(thr);
      const step = (2 * Math.PI) / r.pixels;
      const jLo = Math.ceil((phic - dphi) / step - r.shift);
      const jHi = Math.floor((phic + dphi) / step - r.shift);
      if (jHi < jLo) {
        continue;
      }
      if (jHi - jLo + 1 >= r.pixels) {
        emit(r.firstPixel, last);
        continue;
      }
      const a = ((jLo % r.pixels) + r.pixels) % r.pixels;
      const b = ((jHi % r.pixels) + r.pixels) % r.pixels;
      if (a <= b) {
        emit(r.firstPixel + a, r.firstPixel + b);
      } else {
        emit(r.firstPixel + a, last);
        emit(r.firstPixel, r.firstPixel + b);
      }
    }
  }
}
