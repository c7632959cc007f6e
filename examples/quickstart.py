"""Attach to a buffer topic from Python and get pandas (run `make demo` first)."""

import alertlab

alertlab.connect()  # finds the engine, or starts it
for batch in alertlab.attach(
    "alerts-ztf", from_beginning=True, max_rows=1000, idle_timeout=5
):
    df = alertlab.to_pandas(batch)  # int64 ids stay exact
    print(df[["objectId", "alertId", "ra", "dec", "band", "mag"]].head())
    print(
        len(df),
        "alerts; lightcurve points of the first:",
        len(df["lightcurve"].iloc[0]),
    )
    break
