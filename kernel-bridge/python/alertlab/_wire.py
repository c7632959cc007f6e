"""Jupyter-style framing: ``[identities…, b'<IDS|MSG>', HMAC hex, header, parent_header, metadata,
content, buffers…]``. The HMAC (SHA-256) covers the four JSON frames only; buffers (Arrow IPC) are
neither signed nor copied."""

from __future__ import annotations

import hmac
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from hashlib import sha256
from typing import Any

from ._messages import DELIMITER, PROTOCOL_VERSION
from .errors import ProtocolError


@dataclass
class Message:
    header: dict[str, Any]
    parent_header: dict[str, Any]
    metadata: dict[str, Any]
    content: dict[str, Any]
    buffers: list[Any] = field(default_factory=list)  # memoryview / bytes / zmq.Frame buffers
    identities: list[bytes] = field(default_factory=list)

    @property
    def msg_type(self) -> str:
        return str(self.header.get("msg_type", ""))

    @property
    def msg_id(self) -> str:
        return str(self.header.get("msg_id", ""))


def make_header(msg_type: str, session: str) -> dict[str, Any]:
    return {
        "msg_id": uuid.uuid4().hex,
        "msg_type": msg_type,
        "session": session,
        "username": "alertlab",
        "date": datetime.now(UTC).isoformat(),
        "version": PROTOCOL_VERSION,
    }


def sign(key: bytes, frames: list[bytes]) -> bytes:
    if not key:
        return b""
    h = hmac.new(key, digestmod=sha256)
    for f in frames:
        h.update(f)
    return h.hexdigest().encode("ascii")


def encode(key: bytes, msg: Message) -> list[Any]:
    json_frames = [
        json.dumps(part, separators=(",", ":")).encode("utf-8")
        for part in (msg.header, msg.parent_header, msg.metadata, msg.content)
    ]
    return [*msg.identities, DELIMITER, sign(key, json_frames), *json_frames, *msg.buffers]


def _bytes(frame: Any) -> bytes:
    return frame.bytes if hasattr(frame, "bytes") else bytes(frame)


def decode(key: bytes, frames: list[Any]) -> Message:
    """Splits and verifies frames (bytes or zmq.Frame). Buffers stay zero-copy memoryviews.

    Raises ProtocolError on a missing delimiter, a bad signature or unreadable JSON."""
    at = next(
        (i for i, f in enumerate(frames) if len(f) == len(DELIMITER) and _bytes(f) == DELIMITER),
        -1,
    )
    if at < 0:
        raise ProtocolError(
            "Received a message without the <IDS|MSG> delimiter; "
            "is the other side an alertlab bridge?"
        )
    if len(frames) < at + 6:
        raise ProtocolError("Received a truncated message (fewer than 5 frames after <IDS|MSG>).")
    sig = _bytes(frames[at + 1])
    parts = [_bytes(f) for f in frames[at + 2 : at + 6]]
    if not hmac.compare_digest(sig, sign(key, parts)):
        raise ProtocolError(
            "Message signature does not match the connection key. Reconnect with the current "
            "connection file (alertlab.connect())."
        )
    try:
        header, parent, metadata, content = (json.loads(p) for p in parts)
    except ValueError as err:
        raise ProtocolError(f"Unreadable JSON frame in a signed message: {err}") from None
    buffers = [f.buffer if hasattr(f, "buffer") else memoryview(f) for f in frames[at + 6 :]]
    return Message(header, parent, metadata, content, buffers, [_bytes(f) for f in frames[:at]])
