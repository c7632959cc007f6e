"""Run by test/security-sasl-ssl.test.ts: alertlab.connect()/attach() over SASL_SSL.

argv: connection file, bootstrap servers, security settings file, topic, wrong password env name.
Prints one JSON line: rows read with the right settings, and the error of a wrong password."""

import json
import sys
import time

import alertlab

conn_file, servers, settings, topic, bad_env = sys.argv[1:6]
client = alertlab.connect(conn_file, bootstrap_servers=servers, security=settings)
try:
    rows = 0
    with client.attach(topic, idle_timeout=5, max_rows=500) as stream:
        for batch in stream:
            rows += batch.num_rows
    with open(settings) as f:
        wrong = json.load(f)
    wrong["sasl"].pop("passwordFile")
    wrong["sasl"]["passwordEnv"] = bad_env
    start = time.monotonic()
    error = ""
    try:
        for _ in client.attach(topic, idle_timeout=5, security=wrong):
            pass
    except alertlab.AlertlabError as e:
        error = str(e)
    seconds = time.monotonic() - start
    print(json.dumps({"rows": rows, "error": error, "seconds": seconds}))
finally:
    client.shutdown()
    client.close()
