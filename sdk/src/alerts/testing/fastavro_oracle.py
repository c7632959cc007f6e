"""Independent decoding/encoding of alert samples with fastavro, for tests and benchmarks.

Usage (prints JSON on stdout; 64-bit ids as strings):
  fastavro_oracle.py dump FILE...                 one summary per alert in each container file
  fastavro_oracle.py rubin-bodies FILE SCHEMA_DIR [MAX_HISTORY]
                                                   each alert re-encoded as an lsst.v10_0 body
                                                   (history lists cut to MAX_HISTORY rows if given)
  fastavro_oracle.py bench BODIES_FILE SCHEMA_FILE REPEAT  time fastavro on length-prefixed bodies
  fastavro_oracle.py deflate FILE                  the container rewritten with the deflate codec
"""

import base64
import io
import json
import math
import os
import struct
import sys
import time

import fastavro


def ident(v):
    return None if v is None else str(v)


def rubin_summary(a):
    src = a["diaSource"]
    obj = a.get("diaObject") or {}
    dia_object_id = obj.get("diaObjectId") or src.get("diaObjectId") or None
    ss_object_id = src.get("ssObjectId") or None
    prv = a.get("prvDiaSources") or []
    forced = a.get("prvDiaForcedSources") or []
    flux = src.get("psfFlux")
    return {
        "survey": "rubin",
        "alertId": ident(src["diaSourceId"]),
        "objectId": ident(dia_object_id if dia_object_id is not None else ss_object_id),
        "diaObjectId": ident(dia_object_id),
        "ssObjectId": ident(ss_object_id),
        "ra": src["ra"],
        "dec": src["dec"],
        "mjd": src.get("midpointMjdTai"),
        "band": src.get("band"),
        "psfFlux": flux,
        "mag": 31.4 - 2.5 * math.log10(flux) if flux is not None and flux > 0 else None,
        "lightcurveLength": len(prv) + len(forced) + 1,
        "forcedCount": len(forced),
        "lightcurveBands": [p.get("band") for p in prv]
        + [p.get("band") for p in forced]
        + [src.get("band")],
    }


def ztf_summary(a):
    c = a["candidate"]
    prv = a.get("prv_candidates") or []
    nondet = [p for p in prv if p.get("candid") is None or p.get("magpsf") is None]
    return {
        "survey": "ztf",
        "alertId": ident(a.get("candid") or c.get("candid")),
        "objectId": a["objectId"],
        "ra": c["ra"],
        "dec": c["dec"],
        "mjd": c["jd"] - 2400000.5,
        "band": {1: "g", 2: "r", 3: "i"}.get(c["fid"]),
        "mag": c.get("magpsf"),
        "lightcurveLength": len(prv) + 1,
        "nonDetections": len(nondet),
        "lightcurveBands": [
            {1: "g", 2: "r", 3: "i"}.get(p.get("fid")) for p in prv + [c]
        ],
    }


def dump(paths):
    out = []
    for path in paths:
        with open(path, "rb") as f:
            for a in fastavro.reader(f):
                out.append(rubin_summary(a) if "diaSource" in a else ztf_summary(a))
    json.dump(out, sys.stdout)


def load_rubin_schema(schema_dir):
    named = {}
    files = sorted(os.listdir(schema_dir))
    for name in files:
        if name.endswith(".avsc") and not name.endswith(".alert.avsc"):
            fastavro.schema.load_schema(
                os.path.join(schema_dir, name), named_schemas=named
            )
    alert = next(n for n in files if n.endswith(".alert.avsc"))
    return fastavro.schema.load_schema(
        os.path.join(schema_dir, alert), named_schemas=named
    )


def rubin_bodies(path, schema_dir, max_history=None):
    schema = load_rubin_schema(schema_dir)
    bodies = []
    with open(path, "rb") as f:
        for a in fastavro.reader(f):
            for key in ("diaObject", "ssSource", "mpc_orbits"):
                if isinstance(a.get(key), dict) and all(
                    v is None for v in a[key].values()
                ):
                    a[key] = None
            if max_history is not None:
                for key in ("prvDiaSources", "prvDiaForcedSources"):
                    if a.get(key):
                        a[key] = a[key][-max_history:]
            buf = io.BytesIO()
            fastavro.schemaless_writer(buf, schema, a)
            bodies.append(base64.b64encode(buf.getvalue()).decode())
    json.dump(bodies, sys.stdout)


def bench(bodies_path, schema_path, repeat):
    with open(schema_path) as f:
        schema = fastavro.parse_schema(json.load(f))
    with open(bodies_path, "rb") as f:
        data = f.read()
    bodies = []
    p = 0
    while p < len(data):
        (n,) = struct.unpack_from("<I", data, p)
        bodies.append(data[p + 4 : p + 4 + n])
        p += 4 + n
    count = 0
    start = time.process_time()
    for _ in range(repeat):
        for b in bodies:
            fastavro.schemaless_reader(io.BytesIO(b), schema)
            count += 1
    seconds = time.process_time() - start
    json.dump(
        {"alerts": count, "seconds": seconds, "alertsPerSec": count / seconds},
        sys.stdout,
    )


def deflate(path):
    with open(path, "rb") as f:
        reader = fastavro.reader(f)
        schema = reader.writer_schema
        records = list(reader)
    buf = io.BytesIO()
    fastavro.writer(buf, schema, records, codec="deflate", sync_interval=200_000)
    json.dump(base64.b64encode(buf.getvalue()).decode(), sys.stdout)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "dump":
        dump(sys.argv[2:])
    elif cmd == "rubin-bodies":
        cap = int(sys.argv[4]) if len(sys.argv) > 4 else None
        rubin_bodies(sys.argv[2], sys.argv[3], cap)
    elif cmd == "deflate":
        deflate(sys.argv[2])
    elif cmd == "bench":
        bench(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit(f"unknown command {cmd}")
