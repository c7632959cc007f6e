"""fastavro peer of bench/decode.ts: the same protocol (warm-up, repeats, CPU-time statistic).

Usage: decode_fastavro.py BODIES SCHEMA WARMUP REPEATS
BODIES holds length-prefixed (uint32 LE) schemaless Avro bodies, all distinct; the first WARMUP
are decoded untimed, then each repeat decodes the rest once (CPU time of this process). Prints
JSON: alerts per repeat and the rate of every repeat.
"""

import io
import json
import struct
import sys
import time

import fastavro


def main() -> None:
    bodies_path, schema_path, warmup, repeats = sys.argv[1:5]
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
    w = int(warmup)
    for b in bodies[:w]:
        fastavro.schemaless_reader(io.BytesIO(b), schema)
    timed = bodies[w:]
    rates = []
    for _ in range(int(repeats)):
        start = time.process_time()
        for b in timed:
            fastavro.schemaless_reader(io.BytesIO(b), schema)
        rates.append(len(timed) / (time.process_time() - start))
    json.dump({"alertsPerRepeat": len(timed), "alertsPerSecCpu": rates}, sys.stdout)


if __name__ == "__main__":
    main()
