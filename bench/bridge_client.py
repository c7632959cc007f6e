"""Python side of bench/bridge.ts: times attach -> pyarrow Table over the bridge and the same number
of raw ZeroMQ bytes (received zero-copy into pyarrow), alternating, and prints JSON."""

from __future__ import annotations

import argparse
import json
import statistics
import time

import alertlab
import numpy as np
import pyarrow as pa
import zmq


def bridge_once(client: alertlab.Client, topic: str) -> tuple[float, pa.Table]:
    started = time.perf_counter()
    table = client.attach(topic, credit=2).read_all()
    return time.perf_counter() - started, table


def raw_once(sock: zmq.Socket) -> tuple[float, pa.Buffer]:
    started = time.perf_counter()
    sock.send(b"go")
    frame = sock.recv(copy=False)
    buf = pa.py_buffer(frame.buffer)  # zero-copy view of the received bytes
    return time.perf_counter() - started, buf


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--connection-file", required=True)
    ap.add_argument("--raw-endpoint", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--rows", type=int, required=True)
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()

    client = alertlab.connect(args.connection_file, start=False)
    raw = zmq.Context.instance().socket(zmq.DEALER)
    raw.setsockopt(zmq.LINGER, 0)
    raw.connect(args.raw_endpoint)
    bridge_s: list[float] = []
    raw_s: list[float] = []
    checksum_ok = True
    expected = args.rows * (2**60) + args.rows * (args.rows - 1) // 2
    bridge_once(client, args.topic)  # warm up both paths
    raw_once(raw)
    for _ in range(args.repeats):
        seconds, table = bridge_once(client, args.topic)
        bridge_s.append(seconds)
        ids = table["id"].to_numpy()
        checksum_ok &= (
            table.num_rows == args.rows and int(ids.astype(object).sum()) == expected
        )
        seconds, buf = raw_once(raw)
        raw_s.append(seconds)
        checksum_ok &= np.frombuffer(buf, dtype=np.uint8)[0] == 7
    raw.close()
    client.close()
    print(
        json.dumps(
            {
                "bridge_median_s": statistics.median(bridge_s),
                "bridge_min_s": min(bridge_s),
                "bridge_all_s": [round(s, 4) for s in bridge_s],
                "raw_median_s": statistics.median(raw_s),
                "raw_min_s": min(raw_s),
                "raw_all_s": [round(s, 4) for s in raw_s],
                "checksum_ok": int(bool(checksum_ok)),
            }
        )
    )


if __name__ == "__main__":
    main()
