"""A bound on how long a statement waits for a job's row lock.

A reset that meets a job row held by a long transaction gives up after
``JOBSTATE_RESET_LOCK_TIMEOUT`` seconds instead of holding a worker. The bound
is put on the locking statement itself, so it costs no extra round trip and
leaves the host's connections as they were:

- PostgreSQL: ``set_config('lock_timeout', ..., true)`` in the statement's
  WHERE clause, evaluated before the row is locked and local to the transaction;
- MariaDB: ``FOR UPDATE WAIT n`` (whole seconds, at least 1);
- SQLite: no row locks; its busy timeout applies.

The session carries the value (``session.info``), set where the extension
opens it.
"""

from __future__ import annotations

import math
from functools import lru_cache

from sqlalchemy import Select, Update, bindparam, func
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

SESSION_KEY = "jobstate_reset.lock_timeout"

# PostgreSQL: lock_not_available. MariaDB: lock wait timeout, NOWAIT/WAIT expired.
_POSTGRESQL_CODES = {"55P03"}
_MARIADB_CODES = {1205, 3572}


def bounded(statement: Select | Update, session: Session) -> tuple[Select | Update, dict]:
    """``statement`` with the session's lock timeout on it, and the parameters it needs."""
    seconds = session.info.get(SESSION_KEY)
    if not seconds:
        return statement, {}
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return _postgresql(statement), {"the_lock_timeout": f"{int(seconds * 1000)}ms"}
    if dialect in ("mysql", "mariadb"):
        return _mariadb(statement, max(1, math.ceil(seconds))), {}
    return statement, {}


def is_lock_timeout(error: BaseException) -> bool:
    """Whether a database error is a lock wait that ran out of time."""
    if not isinstance(error, DBAPIError) or error.orig is None:
        return False
    original = error.orig
    if getattr(original, "sqlstate", None) in _POSTGRESQL_CODES:
        return True
    args = getattr(original, "args", ())
    return bool(args) and args[0] in _MARIADB_CODES


@lru_cache(maxsize=64)
def _postgresql(statement):
    timeout = func.set_config("lock_timeout", bindparam("the_lock_timeout"), True)
    return statement.where(timeout.is_not(None))


@lru_cache(maxsize=64)
def _mariadb(statement, seconds: int):
    return statement.suffix_with(f"WAIT {seconds}")
