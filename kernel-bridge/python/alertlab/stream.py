"""Batch streams with credit-based flow control: the engine sends at most ``credit`` batches
before this client acknowledges them, so a slow notebook never makes the engine buffer."""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, cast

import pyarrow as pa

from ._convert import iter_ipc_batches
from ._transport import Channel, raise_for_error
from .errors import AlertlabError, BridgeNotReadyError, BridgeTimeoutError
from .reports import StreamEnd, StreamReject


class BatchStream(Iterator[pa.RecordBatch]):
    """Iterator of ``pyarrow.RecordBatch`` from one topic. Use as a context manager or call
    :meth:`close` to stop early (``for`` loops that run to the end close it themselves).

    Made by :meth:`alertlab.Client.attach` (the stream needs only the client's channel and its
    heartbeat, so this module does not import the client). ``rejects`` holds the records that
    could not be decoded (topic, partition, offset as a decimal string, reason); ``end`` the
    engine's closing summary."""

    def __init__(
        self,
        channel: Channel,
        topic: str,
        content: dict[str, Any],
        heartbeat_s: float,
        ping: Callable[[float], object],
    ) -> None:
        self._channel = channel
        self._ping = ping
        self.topic = topic
        self.heartbeat_s = heartbeat_s
        reply = channel.request("attach_request", {"topic": topic, **content})
        self.stream_id: str = str(reply.content["stream_id"])
        self.credit: int = int(reply.content["credit"])
        self._last_seq: int | None = None
        self._pending: deque[pa.RecordBatch] = deque()
        self.done = False
        self.end: StreamEnd = {}
        self.rejects: list[StreamReject] = []

    def __iter__(self) -> BatchStream:
        return self

    def _ack(self) -> None:
        if self._last_seq is not None and not self.done:
            self._channel.send("stream_ack", {"stream_id": self.stream_id, "seq": self._last_seq})
            self._last_seq = None

    def __next__(self) -> pa.RecordBatch:
        if self._pending:
            return self._pending.popleft()
        self._ack()
        while not self.done:
            msg = self._channel.next_stream_message(self.stream_id, self.heartbeat_s)
            if msg is None:
                self._check_engine()
                continue
            if msg.msg_type == "stream_end":
                self._finish(msg.content)
                raise_for_error(msg, f"stream on topic {self.topic!r}")
                break
            self._last_seq = int(msg.content["seq"])
            self.rejects.extend(cast(list[StreamReject], msg.content.get("rejects", [])))
            self._pending.extend(iter_ipc_batches(msg.buffers[0]))
            if self._pending:
                return self._pending.popleft()
            self._ack()
        raise StopIteration

    def _check_engine(self) -> None:
        try:
            self._ping(5.0)
        except BridgeTimeoutError as err:
            self.done = True
            raise BridgeNotReadyError(
                f"The engine stopped answering while streaming topic {self.topic!r} "
                f"(no batch for {self.heartbeat_s:.0f} s and no heartbeat). Restart it with "
                "alertlab.connect(restart=True) and attach again."
            ) from err

    def _finish(self, content: dict[str, Any]) -> None:
        self.done = True
        self.end = cast(StreamEnd, content)
        self._channel.forget_stream(self.stream_id)

    def read_all(self) -> pa.Table:
        """Reads the rest of the stream into one Table. A Kafka topic's stream ends only when
        attached with ``idle_timeout`` (seconds) or ``max_rows``: without them this waits for
        new alerts forever."""
        batches = list(self)
        if not batches:
            return pa.table({})
        return pa.Table.from_batches(batches)

    def close(self) -> None:
        if self.done:
            return
        self.done = True
        with contextlib.suppress(AlertlabError):  # best effort: it may have just ended
            self._channel.request("detach_request", {"stream_id": self.stream_id}, timeout_s=5.0)
        self._channel.forget_stream(self.stream_id)

    def __enter__(self) -> BatchStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
