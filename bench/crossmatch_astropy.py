"""astropy search_around_sky on the same alerts and catalog as bench/crossmatch.ts.

Reads float64 little-endian files written by the TypeScript bench (catalog ra/dec in zone order,
alert ra/dec), runs search_around_sky twice with the catalog's KD-tree cached on its SkyCoord
(the first call builds the tree — its extra time is reported as treeBuildMs — then --warmup
untimed calls, then --repeats timed ones) and writes the pairs of the second
call (alert row, catalog row; int32) for the pair-set comparison. Prints one JSON line of timings.
"""

import argparse
import json
import time

import astropy
import astropy.units as u
import numpy as np
from astropy.coordinates import SkyCoord, search_around_sky


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument(
        "--dir",
        required=True,
        help="directory with cat_ra.f64, cat_dec.f64, alert_ra.f64, alert_dec.f64",
    )
    p.add_argument("--radius-arcsec", type=float, default=2.0)
    p.add_argument("--repeats", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    args = p.parse_args()

    def load(name: str) -> np.ndarray:
        return np.fromfile(f"{args.dir}/{name}.f64", dtype="<f8")

    cat = SkyCoord(ra=load("cat_ra") * u.deg, dec=load("cat_dec") * u.deg)
    alerts = SkyCoord(ra=load("alert_ra") * u.deg, dec=load("alert_dec") * u.deg)
    radius = args.radius_arcsec * u.arcsec

    t0 = time.perf_counter()
    search_around_sky(alerts, cat, radius, storekdtree="_alertlab_kdtree")
    first_ms = (time.perf_counter() - t0) * 1e3

    for _ in range(args.warmup):
        search_around_sky(alerts, cat, radius, storekdtree="_alertlab_kdtree")

    times = []
    result = None
    cpu0 = time.thread_time()
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        result = search_around_sky(alerts, cat, radius, storekdtree="_alertlab_kdtree")
        times.append((time.perf_counter() - t0) * 1e3)
    cpu_ms_per_call = (time.thread_time() - cpu0) * 1e3 / args.repeats
    idx_alert, idx_cat, _sep, _ = result
    np.asarray(idx_alert, dtype="<i4").tofile(f"{args.dir}/astropy_alert.i32")
    np.asarray(idx_cat, dtype="<i4").tofile(f"{args.dir}/astropy_cat.i32")
    print(
        json.dumps(
            {
                "astropyVersion": astropy.__version__,
                "alerts": len(alerts),
                "catalogRows": len(cat),
                "radiusArcsec": args.radius_arcsec,
                "firstCallMs": first_ms,
                "cachedCallMsMedian": float(np.median(times)),
                "cachedCallMsMin": float(np.min(times)),
                "treeBuildMs": first_ms - float(np.median(times)),
                "cpuMsPerCall": cpu_ms_per_call,
                "warmup": args.warmup,
                "repeats": args.repeats,
                "pairs": len(idx_alert),
            }
        )
    )


if __name__ == "__main__":
    main()
