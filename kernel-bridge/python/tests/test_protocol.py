"""Protocol behaviour against the real engine: errors are replies, never crashes."""

from __future__ import annotations

import time

import pytest

import alertlab
from alertlab._transport import Channel


def test_bad_signature_gets_an_error_reply_and_the_engine_survives(client):
    evil = Channel({**client.info, "key": "not-the-key"})
    try:
        msg_id = evil.send("ping_request", {})
        # the engine signs its error with the real key, which this channel cannot verify
        assert evil.socket.poll(5000)
        frames = evil.socket.recv_multipart()
        with pytest.raises(alertlab.ProtocolError, match="signature"):
            from alertlab._wire import decode

            decode(evil.key, frames)
        from alertlab._wire import decode as decode_real

        reply = decode_real(client.channel.key, frames)
        assert reply.msg_type == "error"
        assert reply.content["code"] == "bad-signature"
        assert reply.parent_header["msg_id"] == msg_id
    finally:
        evil.close()
    assert client.ping()["status"] == "ok"


def test_unknown_type_gets_an_error_reply(client):
    msg_id = client.channel.send("frobnicate_request", {})
    reply = client.channel.wait_reply(msg_id, "frobnicate_request", 5.0)
    assert reply.msg_type == "error"
    assert reply.content["code"] == "unknown-type"
    assert client.ping()["status"] == "ok"


def test_timeouts_name_the_request():
    silent = alertlab.Client(
        {"transport": "tcp", "ip": "127.0.0.1", "shell_port": 9, "key": "k"}, timeout=0.3
    )
    try:
        with pytest.raises(alertlab.BridgeTimeoutError) as info:
            silent.topics()
        err = info.value
        assert isinstance(err, TimeoutError)
        assert err.msg_type == "topics_request" and len(err.msg_id) == 32
        assert 0.3 <= err.elapsed_s < 5
        assert "topics_request" in str(err) and err.msg_id in str(err)
    finally:
        silent.close()


def test_a_table_the_client_cannot_send_is_a_clear_error(client):
    # cone, crossmatch, lightcurve and backtest results are asserted where their services are
    # tested (kernel-bridge/src/public-calls.test.ts, tests/test_backtest.py, ...)
    with pytest.raises(alertlab.ProtocolError, match="pandas DataFrame"):
        client.crossmatch({"ra": [1.0], "dec": [2.0]}, "tycho2", 2.0)


def test_a_slow_reader_holds_the_engine_to_its_credit(client):
    stream = client.attach("test.many", credit=2)
    try:
        first = next(stream)
        assert first.num_rows == 1000
        time.sleep(0.5)  # a slow notebook: the engine must wait, not buffer 19 batches
        stats = {s["stream_id"]: s for s in client.ping()["stream_stats"]}[stream.stream_id]
        assert stats["sent"] <= 3 and stats["outstanding"] <= 2
        rest = list(stream)
        assert len(rest) == 19
        assert stream.end["max_outstanding"] <= 2
    finally:
        stream.close()


def test_detach_stops_a_stream(client):
    stream = client.attach("test.many", credit=1)
    next(stream)
    stream.close()
    time.sleep(0.2)
    ids = [s["stream_id"] for s in client.ping()["stream_stats"]]
    assert stream.stream_id not in ids
