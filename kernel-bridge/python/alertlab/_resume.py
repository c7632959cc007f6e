"""Resuming a stream from a notebook: a consumer group id that stays the same for one user, stream
and notebook (so running a cell again goes on where it stopped), and ``reset_to`` values as the
engine takes them ('earliest', 'latest' or epoch milliseconds)."""

from __future__ import annotations

import getpass
import hashlib
import os
import re
import sys
from datetime import UTC, datetime
from typing import Any, TypeAlias

ResetTo: TypeAlias = Any
"""'earliest' | 'latest' | a datetime, astropy Time or ISO 8601 string | epoch milliseconds
(``Any``: an astropy Time is accepted without importing astropy)."""


def current_user() -> str:
    """The user a group belongs to: ``$JUPYTERHUB_USER``, else the login name."""
    return os.environ.get("JUPYTERHUB_USER") or getpass.getuser()


def notebook_path() -> str:
    """The running notebook's path (Jupyter Server gives kernels ``$JPY_SESSION_NAME``; IPython
    keeps ``__session__``), else the script's path, else ``"interactive"``."""
    path = os.environ.get("JPY_SESSION_NAME")
    if path:
        return path
    try:
        from IPython import get_ipython

        shell = get_ipython()
        session = shell.user_ns.get("__session__") if shell is not None else None
        if isinstance(session, str) and session:
            return session
    except ImportError:
        pass
    main = getattr(sys.modules.get("__main__"), "__file__", None)
    return os.path.abspath(main) if isinstance(main, str) else "interactive"


def _part(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text)[:60] or "_"


def resume_group_id(stream: str, reader: str | None = None, user: str | None = None) -> str:
    """``alertlab.<user>.<stream>.<reader name>.<8 hex>`` (the user's dots written ``~``, so one
    user's segment is never another's prefix): the same for the same user, stream
    and reader (default: this notebook), different for another of any of them. The scheme of
    sdk/src/profiles/connect.ts ``resumeGroupId``."""
    who = user if user is not None else current_user()
    where = reader if reader is not None else notebook_path()
    digest = hashlib.sha256(f"{who}\n{stream}\n{where}".encode()).hexdigest()[:8]
    name = where.replace("\\", "/").split("/")[-1]
    return f"alertlab.{_part(who).replace('.', '~')}.{_part(stream)}.{_part(name)}.{digest}"


def reset_to_wire(value: ResetTo) -> str | int:
    """'earliest' / 'latest' as they are; anything naming a time as epoch milliseconds."""
    if isinstance(value, str):
        if value in ("earliest", "latest"):
            return value
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as err:
            raise ValueError(
                "reset_to must be 'earliest', 'latest', a time or epoch milliseconds; "
                f"got {value!r}"
            ) from err
        return _ms(when)
    if isinstance(value, datetime):
        return _ms(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"reset_to epoch milliseconds must be >= 0; got {value}")
        return int(value)
    to_datetime = getattr(value, "to_datetime", None)  # astropy Time
    if callable(to_datetime):
        return _ms(to_datetime(timezone=UTC))
    raise TypeError(
        "reset_to must be 'earliest', 'latest', a datetime, an astropy Time, an ISO 8601 string "
        f"or epoch milliseconds; got {type(value).__name__}"
    )


def _ms(when: datetime) -> int:
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return int(when.timestamp() * 1000)
