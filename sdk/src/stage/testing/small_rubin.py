"""Small Rubin alert templates from the real samples, for stage tests and benchmarks.

Usage: small_rubin.py SAMPLE_FILE SCHEMA_DIR HISTORY MARKER_ID
Prints a JSON list of base64 lsst.v10 schemaless bodies: each real alert with at most HISTORY
previous sources and forced sources, no cutouts, and diaSourceId (top level and in diaSource)
set to MARKER_ID so the caller can patch in new ids byte for byte.
"""

import base64
import io
import json
import os
import sys

import fastavro


def load_schema(schema_dir):
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


def main(path, schema_dir, history, marker):
    schema = load_schema(schema_dir)
    out = []
    with open(path, "rb") as f:
        for a in fastavro.reader(f):
            for key in ("diaObject", "ssSource", "mpc_orbits"):
                if isinstance(a.get(key), dict) and all(
                    v is None for v in a[key].values()
                ):
                    a[key] = None
            for key in ("prvDiaSources", "prvDiaForcedSources"):
                if isinstance(a.get(key), list):
                    a[key] = a[key][-history:] if history > 0 else []
            for key in ("cutoutDifference", "cutoutScience", "cutoutTemplate"):
                if key in a:
                    a[key] = None
            if "diaSourceId" in a:
                a["diaSourceId"] = marker
            a["diaSource"]["diaSourceId"] = marker
            buf = io.BytesIO()
            fastavro.schemaless_writer(buf, schema, a)
            out.append(base64.b64encode(buf.getvalue()).decode())
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
