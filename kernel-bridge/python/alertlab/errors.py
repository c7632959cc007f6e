"""Errors raised by the alertlab client. Each subclasses a built-in and says what to do next."""

from __future__ import annotations


class AlertlabError(Exception):
    """Base class mixed into every alertlab error (catch this to catch them all)."""


class BridgeNotReadyError(AlertlabError, ConnectionError):
    """The engine cannot be reached or started."""


class BridgeTimeoutError(AlertlabError, TimeoutError):
    """No reply in time. ``msg_type``, ``msg_id`` and ``elapsed_s`` name the request."""

    def __init__(self, message: str, msg_type: str = "", msg_id: str = "", elapsed_s: float = 0.0):
        super().__init__(message)
        self.msg_type = msg_type
        self.msg_id = msg_id
        self.elapsed_s = elapsed_s


class RemoteError(AlertlabError, RuntimeError):
    """The engine (or a worker) answered with an error. ``code`` is machine-readable
    (``bad-request``, ``not-found``, ``unknown-type``, ``bad-signature``,
    ``remote-exception``…);
    ``remote_traceback`` holds the other side's traceback lines."""

    def __init__(
        self,
        message: str,
        code: str = "remote-exception",
        ename: str = "",
        remote_traceback: list[str] | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.ename = ename
        self.remote_traceback = list(remote_traceback or [])

    def __str__(self) -> str:
        base = super().__str__()
        if self.remote_traceback and self.code == "remote-exception":
            return base + "\n\nRemote traceback:\n" + "\n".join(self.remote_traceback)
        return base


class ProtocolError(AlertlabError, ValueError):
    """A message broke the bridge protocol (frames, signature, content)."""


class FilterDefinitionError(AlertlabError, TypeError):
    """A filter was declared or returned values inconsistent with its declaration."""


class ShipError(FilterDefinitionError):
    """Something a filter uses cannot be shipped to a stage worker (an open file, a socket, a
    big value, code without source, a module that is not installed). ``name`` is the notebook
    name it is bound to."""

    def __init__(self, message: str, name: str = "") -> None:
        super().__init__(message)
        self.name = name
