"""A client's heartbeat: pings the engine from its own thread and socket (ZeroMQ sockets are not
shared between threads), so an engine started with an idle exit stays up while a notebook holds a
client - however idle the notebook - and stops a while after the last client is gone."""

from __future__ import annotations

import contextlib
import threading

from ._connection import ConnectionInfo
from ._transport import Channel
from .errors import AlertlabError


class Heartbeat:
    """Pings every ``interval_s`` seconds until :meth:`stop` (a daemon thread: it never keeps
    the Python process alive)."""

    def __init__(self, info: ConnectionInfo, interval_s: float) -> None:
        self.interval_s = interval_s
        self.beats = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(info,), name="alertlab-heartbeat", daemon=True
        )
        self._thread.start()

    def _run(self, info: ConnectionInfo) -> None:
        channel = Channel(info)
        try:
            while not self._stop.wait(self.interval_s):
                with contextlib.suppress(AlertlabError):  # a busy or gone engine: try again
                    channel.request("ping_request", timeout_s=min(5.0, self.interval_s))
                    self.beats += 1
        finally:
            channel.close()

    def stop(self) -> None:
        self._stop.set()
