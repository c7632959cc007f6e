"""Python filter worker: ``python -m alertlab.worker --connect HOST.json --filter module:name``.

Connects (DEALER) to a Node ``PythonFilterHost``, announces its filter with ``worker_hello``, then
answers each ``filter_batch_request`` (one Arrow IPC batch) with a ``filter_batch_reply`` whose
buffer is the routing: little-endian Int32 output index per row (-1 = no output). A Python
exception is replied with its traceback and the worker carries on; the host kills and restarts a
worker that hangs past its time limit or dies. The worker exits when its parent process goes away.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys
import traceback
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from ._connection import read_connection_file
from ._convert import read_ipc
from ._messages import reply_type_of
from ._transport import Channel
from ._wire import Message
from .errors import FilterDefinitionError, ShipError
from .filters import Filter, FilterSpec


def load_filter(target: str) -> Filter:
    """``package.module:name`` or ``path/to/file.py:name`` -> the decorated Filter."""
    where, _, attr = target.rpartition(":")
    if not where or not attr:
        raise FilterDefinitionError(f"--filter needs module:name or file.py:name (got {target!r}).")
    if where.endswith(".py"):
        path = Path(where).resolve()
        spec = importlib.util.spec_from_file_location(path.stem, path)
        if spec is None or spec.loader is None:
            raise FilterDefinitionError(f"Cannot load filter file {path}.")
        module = importlib.util.module_from_spec(spec)
        sys.modules[path.stem] = module
        spec.loader.exec_module(module)
    else:
        module = importlib.import_module(where)
    obj = getattr(module, attr, None)
    if not isinstance(obj, Filter):
        raise FilterDefinitionError(
            f"{target} is {type(obj).__name__}, not a filter: decorate it with "
            "@alertlab.filter(kind=..., outputs=[...])."
        )
    return obj


def _one_batch(table: pa.Table) -> pa.RecordBatch:
    batches = table.combine_chunks().to_batches()
    if len(batches) == 1:
        return batches[0]
    return pa.RecordBatch.from_pylist([], schema=table.schema)


def _error(err: BaseException) -> dict[str, Any]:
    return {
        "status": "error",
        "code": "remote-exception",
        "ename": type(err).__name__,
        "evalue": str(err),
        "traceback": traceback.format_exception(err),
    }


def handle(flt: Filter, msg: Message) -> tuple[dict[str, Any], list[Any]]:
    if msg.msg_type != "filter_batch_request":
        return {
            "status": "error",
            "code": "unknown-type",
            "ename": "ProtocolError",
            "evalue": f"A filter worker does not handle {msg.msg_type!r}.",
            "traceback": [],
        }, []
    try:
        if not msg.buffers:
            raise FilterDefinitionError("filter_batch_request carried no Arrow IPC buffer.")
        batch = _one_batch(read_ipc(msg.buffers[0]))
        routing = flt.evaluate(batch)
    except Exception as err:  # every filter error goes back to the host
        return _error(err), []
    data = np.ascontiguousarray(routing, dtype="<i4")
    return {"status": "ok", "num_rows": int(data.shape[0])}, [data.data.cast("B")]


def _hello_spec(flt: Filter, target: str) -> FilterSpec:
    """The filter's spec, with the file it was loaded from as its source (already shipped)."""
    where = target.rpartition(":")[0]
    if where.endswith(".py"):
        return flt.spec(source=Path(where).read_text())
    try:
        return flt.spec()
    except ShipError:  # loaded from an installed module: the module is its source
        return flt.spec(source="")


def serve(channel: Channel, flt: Filter, parent_pid: int) -> int:
    while True:
        if not channel.requests:
            if not channel.pump(1.0) and os.getppid() != parent_pid:
                return 0  # the host went away
            continue
        msg = channel.requests.popleft()
        if msg.msg_type == "shutdown_request":
            channel.send("shutdown_reply", {"status": "ok"}, parent=msg.header)
            return 0
        content, buffers = handle(flt, msg)
        channel.send(reply_type_of(msg.msg_type), content, buffers, parent=msg.header)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m alertlab.worker", description=__doc__)
    ap.add_argument("--connect", required=True, help="the host's connection file (JSON)")
    ap.add_argument("--filter", required=True, help="module:name or path/to/file.py:name")
    args = ap.parse_args(argv)
    parent_pid = os.getppid()
    info = read_connection_file(args.connect)
    channel = Channel(info)
    try:
        try:
            flt = load_filter(args.filter)
        except Exception as err:  # reported to the host, then exit
            channel.send("worker_hello", {**_error(err), "pid": os.getpid()})
            print(traceback.format_exc(), file=sys.stderr)
            channel.close(linger_ms=2000)  # let the error hello reach the host
            return 3
        channel.request(
            "worker_hello",
            {"status": "ok", "pid": os.getpid(), "filter": _hello_spec(flt, args.filter)},
            timeout_s=30,
        )
        return serve(channel, flt, parent_pid)
    finally:
        channel.close()


if __name__ == "__main__":
    sys.exit(main())
