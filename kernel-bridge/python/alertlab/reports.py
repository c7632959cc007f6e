"""The shapes of what the engine and the controller answer, as TypedDicts: plain dicts at run time
(``json.dumps`` and ``reply["version"]`` work), precise types for a type checker. Keys are the
wire's (snake_case from the engine, camelCase from the controller's REST API). Ids and offsets
that can exceed 2**53 travel as decimal strings and are documented as such.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict


class StreamStats(TypedDict):
    """One open stream of an engine (see :class:`PingReply`)."""

    stream_id: str
    #: batches sent, and acknowledged by the client
    sent: int
    acked: int
    #: the most batches that were in flight at once (at most the stream's credit)
    maxOutstanding: int
    outstanding: int
    ended: bool


class PingReply(TypedDict):
    """The engine's heartbeat."""

    status: str
    pid: int
    uptime_ms: float
    protocol_version: str
    streams: int
    stream_stats: list[StreamStats]


class StreamReject(TypedDict, total=False):
    """A record an attached stream could not decode: where it was and why."""

    topic: str
    partition: int
    #: the Kafka offset, as a decimal string (offsets are 64-bit)
    offset: str
    timestampMs: float
    #: machine code: 'decode-error', 'missing-position', 'bad-position', 'unknown-schema', 'empty'
    code: str
    #: what was wrong and what to do
    reason: str
    #: for a record holding several alerts (an Avro container), which one (0-based)
    record: int


class StreamEnd(TypedDict, total=False):
    """How an attached stream ended (``BatchStream.end``)."""

    stream_id: str
    batches: int
    max_outstanding: int
    #: 'end', 'detached', 'credit-timeout' or 'error'
    reason: str
    status: str
    code: str
    ename: str
    evalue: str


class TopicInfo(TypedDict):
    """A buffer topic the engine can attach to."""

    name: str
    #: 'kafka' or 'memory'
    source: str
    partitions: NotRequired[int]
    records: NotRequired[int]


class GateOutput(TypedDict):
    """Alerts one output received in a gate backtest, and the expected count per night."""

    name: str
    count: int
    fraction: float
    estimatedPerNight: float
    #: order-free fingerprint of the routed alert ids; equal to the notebook backtest's
    #: ``OutputReport.digest`` when both routed the same alerts
    digest: str


class GateResult(TypedDict):
    """A gate backtest's counts and timings."""

    filterId: str
    kind: str
    totalAlerts: int
    batches: int
    dropped: int
    outputs: list[GateOutput]
    #: time in the filter's evaluate, milliseconds
    filterMs: float
    #: wall time including reading the batches, milliseconds
    wallMs: float
    alertsPerSecond: float
    alertsPerNight: float


class GateEvidence(TypedDict):
    """What the controller's backtest gate measured on the last buffered alerts of the input."""

    sampledAlerts: int
    #: per partition, the first and last offsets read (decimal strings: offsets are 64-bit)
    offsets: dict[str, list[str]]
    result: GateResult
    gateMs: float
    budgetMs: float
    skipped: NotRequired[str]


class PromoteResult(TypedDict):
    """The controller's answer to a promotion: the deployed stage's version and its topics."""

    id: str
    version: int
    sourceHash: str
    #: output name -> Kafka topic (``<stage id>.<output>``)
    outputTopics: dict[str, str]
    evidence: GateEvidence
    #: the stage's summary as ``GET /stages`` lists it
    stage: dict[str, object]
