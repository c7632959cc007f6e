"""Python side of bench/crossmatch_python.ts: ``alertlab.crossmatch`` as a notebook user calls it
(a pyarrow Table of positions in, the pair table out — the conversions and the bridge on the
clock), and astropy's ``search_around_sky`` on the same positions, in phases the driver runs one
after the other (so it can read the engine's CPU over ours).

  --phase alertlab   time client.crossmatch(pyarrow Table) and client.crossmatch(SkyCoord)
  --phase astropy    time search_around_sky (KD-tree cached on the catalog SkyCoord; the first
                     call's extra time is reported as treeBuildMs, apart)

Each phase: --warmup untimed calls, then --repeats timed ones; medians and best; the calling
thread's CPU over the timed calls. Writes the pairs of its last call as int32/int64 files for the
pair-set comparison and prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

import numpy as np


def timed(
    call: Callable[[], object], warmup: int, repeats: int
) -> tuple[dict[str, float], object]:
    first_t0 = time.perf_counter()
    out = call()
    first_ms = (time.perf_counter() - first_t0) * 1e3
    for _ in range(warmup - 1):
        out = call()
    times: list[float] = []
    cpu0 = time.thread_time()
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = call()
        times.append((time.perf_counter() - t0) * 1e3)
    cpu_ms = (time.thread_time() - cpu0) * 1e3 / repeats
    return (
        {
            "firstCallMs": first_ms,
            "callMsMedian": statistics.median(times),
            "callMsMin": min(times),
            "callMsAll": [round(t, 2) for t in times],
            "threadCpuMsPerCall": cpu_ms,
        },
        out,
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--phase", choices=["alertlab", "astropy"], required=True)
    p.add_argument(
        "--dir", required=True, help="cat_ra/cat_dec/alert_ra/alert_dec .f64 files"
    )
    p.add_argument("--connection-file", default="")
    p.add_argument("--catalog", default="hipparcos")
    p.add_argument("--radius-arcsec", type=float, default=10.0)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--repeats", type=int, default=10)
    args = p.parse_args()

    import astropy.units as u
    import pyarrow as pa
    from astropy.coordinates import SkyCoord, search_around_sky

    def load(name: str) -> np.ndarray:
        return np.fromfile(f"{args.dir}/{name}.f64", dtype="<f8")

    ra, dec = load("alert_ra"), load("alert_dec")
    # what a notebook holds: a table of positions, and the same positions as a SkyCoord
    table = pa.table({"ra": ra, "dec": dec})
    coords = SkyCoord(ra=ra * u.deg, dec=dec * u.deg)
    result: dict[str, object] = {"phase": args.phase, "positions": len(ra)}

    if args.phase == "alertlab":
        import alertlab

        client = alertlab.connect(args.connection_file, start=False)
        try:
            fig, out = timed(
                lambda: client.crossmatch(table, args.catalog, args.radius_arcsec),
                args.warmup,
                args.repeats,
            )
            assert isinstance(out, pa.Table)
            result["pyarrow"] = {**fig, "pairs": out.num_rows}
            out.column("alertRow").to_numpy().astype("<i4").tofile(
                f"{args.dir}/ours_alert.i32"
            )
            out.column("catalogId").to_numpy().astype("<i8").tofile(
                f"{args.dir}/ours_id.i64"
            )
            fig, sky = timed(
                lambda: client.crossmatch(coords, args.catalog, args.radius_arcsec),
                args.warmup,
                args.repeats,
            )
            result["skycoord"] = {
                **fig,
                "pairs": len(sky),
                "returns": type(sky).__name__,
            }
        finally:
            client.close()
    else:
        cat = SkyCoord(ra=load("cat_ra") * u.deg, dec=load("cat_dec") * u.deg)
        radius = args.radius_arcsec * u.arcsec
        fig, out = timed(
            lambda: search_around_sky(
                coords, cat, radius, storekdtree="_alertlab_kdtree"
            ),
            args.warmup,
            args.repeats,
        )
        idx_alert, idx_cat, _sep, _ = out
        fig["treeBuildMs"] = fig["firstCallMs"] - fig["callMsMedian"]
        result["astropy"] = {**fig, "pairs": len(idx_alert)}
        np.asarray(idx_alert, dtype="<i4").tofile(f"{args.dir}/astropy_alert.i32")
        np.asarray(idx_cat, dtype="<i4").tofile(f"{args.dir}/astropy_cat.i32")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
