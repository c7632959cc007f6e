"""The bridge's message types, declared once on the Python side. Mirrors
``kernel-bridge/src/messages.ts`` (a Node unit test checks the two tables agree)."""

from __future__ import annotations

PROTOCOL_VERSION = "1.0"
DELIMITER = b"<IDS|MSG>"

# type -> reply type (None for one-way messages)
MESSAGE_TYPES: dict[str, str | None] = {
    "ping_request": "ping_reply",
    "topics_request": "topics_reply",
    "attach_request": "attach_reply",
    "stream_ack": None,
    "detach_request": "detach_reply",
    "stream_batch": None,
    "stream_end": None,
    "echo_request": "echo_reply",
    "crossmatch_request": "crossmatch_reply",
    "cone_request": "cone_reply",
    "lightcurve_request": "lightcurve_reply",
    "backtest_request": "backtest_reply",
    "shutdown_request": "shutdown_reply",
    "worker_hello": "worker_welcome",
    "filter_batch_request": "filter_batch_reply",
    "error": None,
}


def reply_type_of(msg_type: str) -> str:
    return MESSAGE_TYPES.get(msg_type) or "error"
