"""The notebook-facing client: one connection to the engine, methods that speak astropy / pandas /
pyarrow and send Arrow IPC and plain degrees on the wire.

The angle rule, everywhere: an astropy ``Angle``/``Quantity`` is taken in any angular unit; a bare
number is degrees for a position (ra, dec) and arcseconds for a radius.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from typing import Any, cast

import pyarrow as pa

from ._config import heartbeat_s
from ._connection import ConnectionInfo
from ._convert import (
    AngleLike,
    MatchResult,
    PositionLike,
    TableLike,
    arcsec,
    degrees,
    ipc_bytes,
    like_input,
    read_ipc,
    to_arrow_table,
    with_ra_dec,
)
from ._heartbeat import Heartbeat
from ._lightcurve import MjdLike, mjd_of
from ._resume import ResetTo, reset_to_wire, resume_group_id
from ._security import SecurityLike, security_content
from ._transport import Channel
from .backtesting import AnyFilter, BacktestData, BacktestReport, CrossmatchSpec, run_backtest
from .reports import PingReply, TopicInfo
from .stream import BatchStream


class Client:
    """A connection to the engine. Create it with :func:`alertlab.connect`; close it with
    :meth:`close`."""

    def __init__(
        self, info: ConnectionInfo, connection_file: str | None = None, timeout: float = 30.0
    ) -> None:
        self.info = info
        self.connection_file = connection_file
        self.timeout = timeout
        self.channel = Channel(info)
        #: the engine process, when this client started it (see alertlab.connect)
        self.engine_process: subprocess.Popen[bytes] | None = None
        #: pings the engine while this client is open (an idle-exit engine stays up)
        self.heartbeat = Heartbeat(info, heartbeat_s())
        #: brokers and security settings attach() uses when not given (set by connect())
        self.bootstrap_servers: str | None = None
        self.security: SecurityLike | None = None

    # -- plumbing ------------------------------------------------------------------------------
    def ping(self, timeout: float = 5.0) -> PingReply:
        """Heartbeat: the engine's pid, uptime and open streams. ``timeout`` in seconds; raises
        :class:`~alertlab.BridgeTimeoutError` past it."""
        return cast(PingReply, self.channel.request("ping_request", timeout_s=timeout).content)

    def echo(self, table: TableLike, timeout: float | None = None) -> pa.Table:
        """Sends a table through the Node engine's Arrow reader and writer and back
        (diagnostics)."""
        msg = self.channel.request(
            "echo_request",
            {},
            [ipc_bytes(to_arrow_table(table))],
            timeout_s=timeout or self.timeout,
        )
        return read_ipc(msg.buffers[0])

    def shutdown(self, timeout: float = 10.0) -> None:
        """Stops the engine process (and reaps it, if this client started it)."""
        self.channel.request("shutdown_request", timeout_s=timeout)
        if self.engine_process is not None:
            self.engine_process.wait(timeout)

    def close(self) -> None:
        """Closes the connection (the engine keeps running; one that ``connect()`` started exits
        once no client has spoken to it for ``$ALERTLAB_ENGINE_IDLE_EXIT_S``)."""
        self.heartbeat.stop()
        self.channel.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- data ----------------------------------------------------------------------------------
    def topics(self) -> list[TopicInfo]:
        """Buffer topics the engine can attach to: name, source ('kafka' or 'memory'), and for
        Kafka the partitions and records."""
        reply = self.channel.request("topics_request", timeout_s=self.timeout)
        return cast(list[TopicInfo], list(reply.content["topics"]))

    def attach(
        self,
        topic: str,
        *,
        group: str | None = None,
        from_beginning: bool = True,
        max_rows: int | None = None,
        idle_timeout: float | None = None,
        credit: int = 4,
        heartbeat: float = 10.0,
        profile: str | None = None,
        resume: bool | None = None,
        reset_to: ResetTo | None = None,
        bootstrap_servers: str | None = None,
        security: SecurityLike | None = None,
    ) -> BatchStream:
        """Iterator of ``pyarrow.RecordBatch`` from ``topic`` (call ``.to_pandas()`` on each).

        ``credit`` batches may be in flight before you consume them (flow control). ``group``
        commits offsets as batches are consumed; without it the read is anonymous. ``idle_timeout``
        (seconds) ends the stream when the topic is quiet.

        ``profile`` reads a public alert stream through its stream profile (a name such as
        ``"lasair-lsst"`` or a .json path: brokers, security settings, alert format) instead of the
        local buffer. ``resume`` (default: on with a profile, off without) reads through a
        consumer group that is the same for you, this stream and this notebook, so running the
        cell again goes on where the last run stopped. ``reset_to`` rewinds first, whatever was
        committed: ``'earliest'``, ``'latest'``, a datetime / astropy Time / ISO 8601 string, or
        epoch milliseconds.

        ``bootstrap_servers`` (``"host:port,host:port"``) and ``security`` read another Kafka than
        the engine's buffer (default: what :func:`alertlab.connect` was given). ``security`` is a
        dict or the path of a JSON file of Kafka security settings (``protocol`` PLAINTEXT | SSL |
        SASL_PLAINTEXT | SASL_SSL, ``sasl`` with ``mechanism``/``username``/``passwordEnv``,
        ``tls`` with ``caFile``...); secrets come from the variables and files it names, never
        from the dict itself."""
        content: dict[str, Any] = {"credit": credit, "from_beginning": from_beginning}
        servers = bootstrap_servers or self.bootstrap_servers
        if servers is not None:
            content["bootstrap_servers"] = servers
        content.update(security_content(security if security is not None else self.security))
        if (resume if resume is not None else profile is not None) and group is None:
            group = resume_group_id(f"{profile or 'buffer'}/{topic}")
        if group is not None:
            content["group"] = group
        if profile is not None:
            content["profile"] = profile
        if reset_to is not None:
            content["reset_to"] = reset_to_wire(reset_to)
        if max_rows is not None:
            content["max_rows"] = int(max_rows)
        if idle_timeout is not None:
            content["idle_timeout_ms"] = int(idle_timeout * 1000)
        return BatchStream(self.channel, topic, content, heartbeat, self.ping)

    def crossmatch(
        self,
        table: TableLike,
        catalogs: str | list[str],
        radius: AngleLike = 1.0,
        timeout: float | None = None,
    ) -> MatchResult:
        """Cross-matches rows against catalogs within ``radius``.

        Positions are the table's ``ra``/``dec`` columns (or aliases such as ``RAJ2000``) in
        degrees, or a SkyCoord. ``radius`` is an astropy Angle/Quantity, or a bare number in
        arcseconds. Returns the caller's flavour: pandas in, pandas out (64-bit ids stay exact,
        as nullable ``Int64`` where there are nulls); astropy in, astropy out; else a pyarrow
        Table. Match columns are appended; separations are in arcseconds."""
        names = [catalogs] if isinstance(catalogs, str) else list(catalogs)
        # only the positions travel: the engine matches every row (moving objects included) and
        # returns the match columns alone, so an alert table's other columns would be sent for
        # nothing
        with_pos = with_ra_dec(to_arrow_table(table))
        arrow = pa.table(
            {
                "ra": with_pos.column("ra").cast(pa.float64()),
                "dec": with_pos.column("dec").cast(pa.float64()),
            }
        )
        msg = self.channel.request(
            "crossmatch_request",
            {"catalogs": names, "radius_arcsec": arcsec(radius)},
            [ipc_bytes(arrow)],
            timeout_s=timeout or self.timeout,
        )
        # one Arrow IPC stream, split over the reply's buffers (the engine sends the column
        # buffers as they are): joined here, one copy, unless it came in one piece
        parts = msg.buffers
        return like_input(read_ipc(parts[0] if len(parts) == 1 else b"".join(parts)), table)

    def cone(
        self,
        ra: AngleLike | PositionLike,
        dec: AngleLike | None = None,
        radius: AngleLike = 1.0,
        catalog: str = "",
        timeout: float | None = None,
    ) -> pa.Table:
        """Catalog rows within ``radius`` of (ra, dec), as a pyarrow Table.

        ``ra`` may be a SkyCoord (then omit ``dec``). Angles are astropy Angle/Quantity in any
        unit, or bare numbers: degrees for ``ra``/``dec``, arcseconds for ``radius``."""
        if dec is None and hasattr(ra, "icrs"):
            ra_deg, dec_deg = float(ra.icrs.ra.deg), float(ra.icrs.dec.deg)
        else:
            ra_deg, dec_deg = degrees(ra, "ra"), degrees(dec, "dec")
        msg = self.channel.request(
            "cone_request",
            {
                "ra_deg": ra_deg,
                "dec_deg": dec_deg,
                "radius_arcsec": arcsec(radius),
                "catalog": catalog,
            },
            timeout_s=timeout or self.timeout,
        )
        return read_ipc(msg.buffers[0])

    def lightcurve(
        self,
        object_id: str | int,
        topic: str | None = None,
        since: float | MjdLike | None = None,
        timeout: float | None = None,
        *,
        all_topics: bool = False,
    ) -> pa.Table:
        """The whole lightcurve of one object: every point of every alert of ``object_id`` in the
        buffer topics (only ``topic`` when given) and in the archive, merged (one point per mjd,
        band and forced flag, the latest alert's values winning) and sorted by MJD.

        Where it looks: ``topic`` when given (indexed first if new). Otherwise the alert buffer
        topics: the topics of the buffer sets in ``alertlab.buffers.json`` (the nearest one from
        the engine's working directory) plus every topic already indexed (each topic once named
        with ``topic=`` stays indexed). ``all_topics=True`` searches every topic of the cluster
        instead — the first time, it indexes each topic once (minutes on a busy broker). A
        sample put on a topic of its own is found with ``topic=`` (then also without it).

        ``object_id``: a ZTF objectId (``"ZTF19acihgng"``) or a Rubin diaObjectId (int or str).
        ``since``: keep points at or after this time — a bare number is an MJD in days (the
        alerts' own scale: TAI for Rubin, UTC for ZTF), or an astropy ``Time``.

        Returns a pyarrow Table: ``mjd`` (days), ``band``, ``flux``/``fluxErr`` (nJy, Rubin),
        ``mag``/``magErr`` (AB), ``totalMag``/``totalMagErr`` (total-flux magnitudes: ZTF's DC
        magnitude, Rubin's from scienceFlux), ``isDetection``, ``upperLimitMag`` (non-detections),
        ``forced`` (forced photometry), ``alertId`` (int64, the alert that gave the point) and
        ``source`` (topic name or ``"archive"``). An unknown object gives an empty table of that
        schema. The schema metadata says how many alerts were found: ``found`` (``b"0"`` for an
        unknown object, with ``message`` saying what was searched), ``buffer_alerts``,
        ``archive_alerts``. pandas: ``alertlab.to_pandas(table)``."""
        content: dict[str, Any] = {"object_id": str(object_id)}
        if topic is not None:
            content["topic"] = topic
        if all_topics:
            content["all_topics"] = True
        if since is not None:
            content["since_mjd"] = mjd_of(since)
        msg = self.channel.request("lightcurve_request", content, timeout_s=timeout or self.timeout)
        table = read_ipc(msg.buffers[0])
        meta = dict(table.schema.metadata or {})
        for key in ("found", "buffer_alerts", "archive_alerts", "message"):
            if key in msg.content:
                meta[key.encode()] = str(msg.content[key]).encode()
        return table.replace_schema_metadata(meta)

    def backtest(
        self,
        filter: AnyFilter,
        data: BacktestData | None = None,
        *,
        crossmatch: Sequence[CrossmatchSpec] | None = None,
        archive: str | None = None,
        nights: tuple[str, str] | None = None,
        batch_rows: int | None = None,
        keep_rows: int | None = None,
        timeout: float | None = None,
    ) -> BacktestReport:
        """Runs ``filter`` in the engine with a deployed stage's semantics (chunks of
        ``batch_rows``, cross-match columns of ``crossmatch``, lightcurve features, dead letters)
        over ``data`` — a pyarrow RecordBatch or Table, a list of them, a pandas DataFrame or an
        astropy Table — or over ``archive`` (an archive stage's id or directory) for ``nights``
        (first, last, ``YYYY-MM-DD``). ``crossmatch`` items are catalog names (1 arcsec) or
        (name, radius) with radius an astropy Angle/Quantity or arcseconds. ``keep_rows`` caps
        the rows sent back (default: all for ``data``, 100 000 for an archive); ``timeout`` in
        seconds (default 600). See :mod:`alertlab.backtesting`."""
        return run_backtest(
            self,
            filter,
            data,
            crossmatch=crossmatch,
            archive=archive,
            nights=nights,
            batch_rows=batch_rows,
            keep_rows=keep_rows,
            timeout=timeout,
        )
