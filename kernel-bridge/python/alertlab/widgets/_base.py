"""Base class of the alertlab widgets: Arrow IPC bulk data, live appends, a queue of view calls."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import pyarrow as pa
import traitlets

from ._frontend import MODULE_NAME, MODULE_VERSION


def to_ipc(table: pa.Table) -> bytes:
    """Arrow IPC stream bytes of ``table`` (what the views decode)."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


class ArrowWidget(widgets.DOMWidget):
    """A widget whose rows travel as one Arrow IPC binary buffer (``_table``), never as JSON.

    ``append`` sends only the new rows to views already on screen, and keeps ``_table`` complete
    for views created later. Calls made before a view has said it is ready are queued and replayed.
    """

    _model_module = traitlets.Unicode(MODULE_NAME).tag(sync=True)
    _model_module_version = traitlets.Unicode(MODULE_VERSION).tag(sync=True)
    _view_module = traitlets.Unicode(MODULE_NAME).tag(sync=True)
    _view_module_version = traitlets.Unicode(MODULE_VERSION).tag(sync=True)
    _table = traitlets.Bytes(b"").tag(sync=True)
    height = traitlets.Int(420, help="Plot height in pixels.").tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._rows: pa.Table | None = None
        self._ready = False
        self._pending: list[tuple[dict[str, Any], list[bytes]]] = []
        self.on_msg(self._on_view_message)

    # -- data ---------------------------------------------------------------------------------
    @property
    def table(self) -> pa.Table | None:
        """Every row shown so far, as a ``pyarrow.Table``."""
        return self._rows

    def _set_rows(self, table: pa.Table) -> None:
        self._rows = table
        self._table = to_ipc(table)

    def _append_rows(self, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        if self._rows is None or self._rows.num_rows == 0:
            self._set_rows(table)
            return
        self._rows = pa.concat_tables([self._rows, table.cast(self._rows.schema)])
        full = to_ipc(self._rows)
        if not self._ready:
            self._table = full
            return
        # Views on screen get only the new rows; `_table` is updated without echoing it to them,
        # so a view created later (or a page reload) still gets every row.
        with self._lock_property(_table=full):
            self._table = full
        self.send({"method": "append"}, buffers=[to_ipc(table)])

    # -- calls to the view --------------------------------------------------------------------
    def _call_view(self, method: str, buffers: list[bytes] | None = None, **args: Any) -> None:
        message = {"method": method, "args": args}
        if self._ready:
            self.send(message, buffers=buffers or [])
        else:
            self._pending.append((message, buffers or []))

    def _on_view_message(self, _widget: Any, content: dict[str, Any], _buffers: list[Any]) -> None:
        if content.get("event") == "ready":
            self._ready = True
            pending, self._pending = self._pending, []
            for message, buffers in pending:
                self.send(message, buffers=buffers)
