"""A synchronous DEALER channel: signed requests, replies matched by ``parent_header.msg_id``,
stream messages queued per stream, and timeouts that name the request."""

from __future__ import annotations

import math
import time
import uuid
from collections import deque
from typing import Any

import zmq

from ._connection import ConnectionInfo, endpoint_of
from ._messages import MESSAGE_TYPES
from ._wire import Message, decode, encode, make_header
from .errors import BridgeTimeoutError, ProtocolError, RemoteError


def raise_for_error(msg: Message, what: str) -> None:
    """Raises RemoteError for a ``status: 'error'`` reply or an ``error`` message."""
    c = msg.content
    if c.get("status") == "error" or msg.msg_type == "error":
        code = str(c.get("code", "remote-exception"))
        hint = {
            "unknown-type": " The engine is older or newer than this client; update both.",
            "bad-signature": " Reconnect with alertlab.connect() to read the current key.",
        }.get(code, "")
        raise RemoteError(
            f"{what} failed ({code}): {c.get('ename', 'Error')}: {c.get('evalue', '')}{hint}",
            code=code,
            ename=str(c.get("ename", "")),
            remote_traceback=[str(x) for x in c.get("traceback", [])],
        )


class Channel:
    """One DEALER socket to one ROUTER peer (an engine or a filter host)."""

    def __init__(
        self, info: ConnectionInfo, *, context: zmq.Context[zmq.Socket[bytes]] | None = None
    ) -> None:
        self.info = info
        self.endpoint = endpoint_of(info)
        self.key = str(info["key"]).encode("utf-8")
        self.session = uuid.uuid4().hex
        self._ctx = context or zmq.Context.instance()
        self.socket = self._ctx.socket(zmq.DEALER)
        self.socket.setsockopt(zmq.LINGER, 0)
        self.socket.connect(self.endpoint)
        self._replies: dict[str, Message] = {}
        self._streams: dict[str, deque[Message]] = {}
        self.requests: deque[Message] = deque()  # requests sent to us (worker side)

    def send(
        self,
        msg_type: str,
        content: dict[str, Any] | None = None,
        buffers: list[Any] | tuple[Any, ...] = (),
        parent: dict[str, Any] | None = None,
    ) -> str:
        header = make_header(msg_type, self.session)
        msg = Message(header, parent or {}, {}, content or {}, list(buffers))
        self.socket.send_multipart(encode(self.key, msg), copy=False)
        return str(header["msg_id"])

    def _route(self, msg: Message) -> None:
        stream_id = msg.content.get("stream_id")
        if msg.msg_type.startswith("stream_") and isinstance(stream_id, str):
            self._streams.setdefault(stream_id, deque()).append(msg)
        elif msg.parent_header.get("msg_id"):
            self._replies[str(msg.parent_header["msg_id"])] = msg
        elif MESSAGE_TYPES.get(msg.msg_type, "") is not None:
            self.requests.append(msg)

    def pump(self, timeout_s: float) -> bool:
        """Receives and routes at most one message; False if none arrived in time."""
        if not self.socket.poll(math.ceil(max(0.0, timeout_s) * 1000)):
            return False
        frames = self.socket.recv_multipart(copy=False)
        self._route(decode(self.key, frames))
        return True

    def wait_reply(self, msg_id: str, msg_type: str, timeout_s: float) -> Message:
        started = time.monotonic()
        while msg_id not in self._replies:
            left = timeout_s - (time.monotonic() - started)
            if left <= 0 or not self.pump(left):
                if msg_id in self._replies:
                    break
                elapsed = time.monotonic() - started
                raise BridgeTimeoutError(
                    f"No reply to {msg_type} (msg_id {msg_id}) after {elapsed:.1f} s from the "
                    f"engine at {self.endpoint}. It may be busy or gone: check alertlab.ping(), "
                    "or restart "
                    "it with alertlab.connect(restart=True). Pass timeout= for long requests.",
                    msg_type=msg_type,
                    msg_id=msg_id,
                    elapsed_s=elapsed,
                )
        return self._replies.pop(msg_id)

    def request(
        self,
        msg_type: str,
        content: dict[str, Any] | None = None,
        buffers: list[Any] | tuple[Any, ...] = (),
        *,
        timeout_s: float = 30.0,
        check: bool = True,
    ) -> Message:
        if msg_type not in MESSAGE_TYPES:
            raise ProtocolError(f"{msg_type!r} is not a bridge message type.")
        msg_id = self.send(msg_type, content, buffers)
        reply = self.wait_reply(msg_id, msg_type, timeout_s)
        if check:
            raise_for_error(reply, msg_type)
        return reply

    def next_stream_message(self, stream_id: str, timeout_s: float) -> Message | None:
        started = time.monotonic()
        queue = self._streams.setdefault(stream_id, deque())
        while not queue:
            left = timeout_s - (time.monotonic() - started)
            if left <= 0:
                return None
            self.pump(left)
        return queue.popleft()

    def forget_stream(self, stream_id: str) -> None:
        self._streams.pop(stream_id, None)

    def close(self, linger_ms: int = 0) -> None:
        if not self.socket.closed:
            self.socket.close(linger=linger_ms)
