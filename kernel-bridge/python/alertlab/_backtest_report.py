"""What :func:`alertlab.backtest` returns: :class:`BacktestReport` (and its parts), built from
the engine's ``backtest_reply``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ._convert import read_ipc

#: ``_output`` of a dead-lettered row in the rows the engine sends back.
DEAD_LETTER = -2


@dataclass(frozen=True)
class OutputReport:
    """One output of a backtest."""

    name: str
    count: int
    #: count / total alerts
    fraction: float
    #: count / the nights the data stand for (see :class:`EventTime`); None without ``mjd``
    per_night: float | None
    #: fraction x alerts_per_night (10 million: Rubin's rate), the rate-based estimate
    estimated_per_night: int
    #: order-free fingerprint of the routed alert ids (equal digests: the same alerts)
    digest: str


@dataclass(frozen=True)
class EventTime:
    """The data's event-time span and the nights it stands for."""

    mjd_min: float
    mjd_max: float
    span_hours: float
    distinct_nights: int
    nights: float
    alerts_with_time: int
    rule: str


@dataclass(frozen=True)
class DeadLetterGroup:
    """Dead letters of one reason: ``code`` is the stage's (``filter-error``,
    ``filter-timeout``); ``chunks`` are the ``_batch`` numbers of the failed chunks."""

    code: str
    reason: str
    traceback: str
    alerts: int
    chunks: list[int]


@dataclass(repr=False)
class BacktestReport:
    """What :func:`alertlab.backtest` returns. Its ``repr`` is a short summary (the routed rows
    are in :attr:`routed`, one pyarrow Table per output; :meth:`summary` gives a table)."""

    kind: str
    language: str
    total_alerts: int
    chunks: int
    dropped: int
    dead_lettered: int
    outputs: dict[str, OutputReport]
    #: routed rows per output (every enriched column: features, cross-match columns)
    routed: dict[str, pa.Table]
    #: dead-lettered rows with ``dead_letter_code`` and ``dead_letter_reason``
    dead_letters: pa.Table
    dead_letter_groups: list[DeadLetterGroup]
    event_time: EventTime | None
    #: False when only the first ``keep_rows`` rows came back (archive spans)
    rows_complete: bool
    filter_ms: float
    wall_ms: float
    source: dict[str, Any] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        """Alerts per output."""
        return {name: o.count for name, o in self.outputs.items()}

    @property
    def per_night(self) -> dict[str, float | None]:
        """Expected alerts per night per output, from the data's event times."""
        return {name: o.per_night for name, o in self.outputs.items()}

    def __repr__(self) -> str:
        lines = [
            f"BacktestReport({self.language} {self.kind} filter: {self.total_alerts} alerts in "
            f"{self.chunks} chunks, {self.dropped} dropped, {self.dead_lettered} dead-lettered)"
        ]
        for o in self.outputs.values():
            rows = self.routed[o.name].num_rows if o.name in self.routed else 0
            night = "-" if o.per_night is None else f"{o.per_night:,.1f}"
            lines.append(
                f"  {o.name}: {o.count} alerts ({o.fraction:.1%}), {night} per night, "
                f"{rows} rows in .routed[{o.name!r}]"
            )
        for g in self.dead_letter_groups:
            lines.append(f"  dead letters ({g.code}): {g.alerts} alerts - {g.reason:.200}")
        if self.event_time is not None:
            lines.append(f"  nights: {self.event_time.rule}")
        if not self.rows_complete:
            lines.append("  rows: only the first keep_rows came back (counts cover every alert)")
        return "\n".join(lines)

    def summary(self) -> pa.Table:
        """One row per output: count, fraction, per_night, estimated_per_night."""
        rows = list(self.outputs.values())
        return pa.table(
            {
                "output": [o.name for o in rows],
                "count": pa.array([o.count for o in rows], pa.int64()),
                "fraction": [o.fraction for o in rows],
                "per_night": pa.array([o.per_night for o in rows], pa.float64()),
                "estimated_per_night": pa.array([o.estimated_per_night for o in rows], pa.int64()),
            }
        )


def _rows(buffers: list[Any]) -> pa.Table | None:
    tables = [read_ipc(b) for b in buffers]
    if not tables:
        return None
    return pa.concat_tables(tables, promote_options="permissive") if len(tables) > 1 else tables[0]


def report_of(content: dict[str, Any], buffers: list[Any]) -> BacktestReport:
    """Builds the report from the engine's reply."""
    rows = _rows(buffers)
    groups = [
        DeadLetterGroup(
            str(g["code"]),
            str(g["reason"]),
            str(g.get("traceback", "")),
            int(g["alerts"]),
            [int(c) for c in g["chunks"]],
        )
        for g in content.get("dead_letters", [])
    ]
    outputs: dict[str, OutputReport] = {}
    routed: dict[str, pa.Table] = {}
    for k, o in enumerate(content["outputs"]):
        outputs[o["name"]] = OutputReport(
            o["name"],
            int(o["count"]),
            float(o["fraction"]),
            None if o["per_night"] is None else float(o["per_night"]),
            int(o["estimated_per_night"]),
            str(o["digest"]),
        )
        if rows is not None:
            routed[o["name"]] = rows.filter(pc.equal(rows["_output"], k)).drop_columns(
                ["_batch", "_output"]
            )
        else:
            routed[o["name"]] = pa.table({})
    if rows is not None:
        dead = rows.filter(pc.equal(rows["_output"], DEAD_LETTER))
        chunk_of = {c: g for g in groups for c in g.chunks}
        chunks = dead["_batch"].to_pylist()
        dead = (
            dead.drop_columns(["_output"])
            .append_column(
                "dead_letter_code", pa.array([chunk_of[c].code for c in chunks], pa.string())
            )
            .append_column(
                "dead_letter_reason", pa.array([chunk_of[c].reason for c in chunks], pa.string())
            )
        )
    else:
        dead = pa.table({})
    et = content.get("event_time")
    return BacktestReport(
        kind=str(content["kind"]),
        language=str(content["language"]),
        total_alerts=int(content["total_alerts"]),
        chunks=int(content["chunks"]),
        dropped=int(content["dropped"]),
        dead_lettered=int(content["dead_lettered"]),
        outputs=outputs,
        routed=routed,
        dead_letters=dead,
        dead_letter_groups=groups,
        event_time=None
        if et is None
        else EventTime(
            float(et["mjd_min"]),
            float(et["mjd_max"]),
            float(et["span_hours"]),
            int(et["distinct_nights"]),
            float(et["nights"]),
            int(et["alerts_with_time"]),
            str(et["rule"]),
        ),
        rows_complete=bool(content["rows_complete"]),
        filter_ms=float(content["filter_ms"]),
        wall_ms=float(content["wall_ms"]),
        source=dict(content.get("source") or {}),
    )
