"""How the plugin's transactions wait for locks, per database.

A reset that meets a job row held by a long transaction gives up after
``JOBSTATE_RESET_LOCK_TIMEOUT`` seconds instead of holding a worker. Nothing
is left behind on the host's pooled connections:

- PostgreSQL: ``SET LOCAL lock_timeout`` opens each transaction. It bounds
  every wait of the transaction, row locks and table locks (a deploy's ALTER
  TABLE) alike, and ends with it.
- MariaDB: each transaction runs at READ COMMITTED (``SET TRANSACTION``
  applies to the next transaction only): plain reads always see the newest
  committed rows, and a DELETE of one job's records takes no gap locks that
  would stall a neighbouring job's writes. Locking statements carry
  ``WAIT n`` (whole seconds), which bounds their row and metadata lock waits;
  the plain reads that check a job's owner before a wait run under ``SET
  STATEMENT lock_wait_timeout=n FOR``, which bounds their metadata lock wait.
- SQLite: no row locks; its busy timeout applies.

The session carries the timeout (``session.info``), set where the extension
opens it.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import ClassVar

from sqlalchemy import Select, Update, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ClauseElement, Executable
from sqlalchemy.sql.visitors import InternalTraversal

SESSION_KEY = "jobstate_reset.lock_timeout"

# Ran out of time waiting (PostgreSQL lock_not_available; MariaDB lock wait
# timeout, and WAIT n expired), or chosen as a deadlock's victim (PostgreSQL
# 40P01, MariaDB 1213): either way the job was busy and nothing changed.
_POSTGRESQL_CODES = {"55P03", "40P01"}
_MARIADB_CODES = {1205, 1213, 3572}

_READ_COMMITTED = text("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")


def open_transaction(session: Session) -> None:
    """Settings that must come before the transaction's first statement."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        milliseconds = _milliseconds(session)
        if milliseconds:
            session.execute(_set_local_lock_timeout(milliseconds))
    elif dialect in ("mysql", "mariadb"):
        session.execute(_READ_COMMITTED)


def bounded(statement: Select | Update, session: Session) -> Select | Update:
    """A locking ``statement`` with the session's wait bound on it, where the database needs it."""
    seconds = _mariadb_seconds(session)
    return statement if seconds is None else _mariadb_wait(statement, seconds)


def bounded_read(statement: Select, session: Session) -> Executable:
    """A plain read that gives up on table locks after the session's bound, where it would not.

    A plain read takes no row lock, but waits for a table's metadata lock (a
    deploy's ALTER TABLE, LOCK TABLES). PostgreSQL's lock_timeout covers it;
    MariaDB needs ``SET STATEMENT lock_wait_timeout=n FOR`` the read.
    """
    seconds = _mariadb_seconds(session)
    return statement if seconds is None else _WithLockWaitTimeout(statement, seconds)


class _WithLockWaitTimeout(Executable, ClauseElement):
    """MariaDB's ``SET STATEMENT lock_wait_timeout=<seconds> FOR <statement>``."""

    # Cached like any statement: its key is the inner statement's and the seconds.
    inherit_cache = True
    _traverse_internals: ClassVar[list] = [
        ("statement", InternalTraversal.dp_clauseelement),
        ("seconds", InternalTraversal.dp_plain_obj),
    ]

    def __init__(self, statement: Select, seconds: int) -> None:
        self.statement = statement
        self.seconds = seconds

    @property
    def _all_selected_columns(self):
        # What a cached result's columns are matched against: the inner SELECT's.
        return self.statement._all_selected_columns


@compiles(_WithLockWaitTimeout)
def _compile_with_lock_wait_timeout(element: _WithLockWaitTimeout, compiler, **kw) -> str:
    inner = compiler.process(element.statement, **kw)
    return f"SET STATEMENT lock_wait_timeout={int(element.seconds)} FOR {inner}"


def is_lock_timeout(error: BaseException) -> bool:
    """Whether a database error means the job was busy (a lock wait ran out, or a deadlock)."""
    if not isinstance(error, DBAPIError) or error.orig is None:
        return False
    original = error.orig
    if getattr(original, "sqlstate", None) in _POSTGRESQL_CODES:
        return True
    args = getattr(original, "args", ())
    return bool(args) and args[0] in _MARIADB_CODES


def _milliseconds(session: Session) -> int | None:
    """The timeout in whole milliseconds (at least 1); None or 0 means no bound."""
    seconds = session.info.get(SESSION_KEY)
    return max(1, round(seconds * 1000)) if seconds else None


def _mariadb_seconds(session: Session) -> int | None:
    """On MariaDB, the bound in whole seconds (at least 1), as its waits take it; else None."""
    milliseconds = _milliseconds(session)
    if milliseconds and session.get_bind().dialect.name in ("mysql", "mariadb"):
        return max(1, math.ceil(milliseconds / 1000))
    return None


@lru_cache(maxsize=64)
def _set_local_lock_timeout(milliseconds: int):
    # An integer we computed: safe to put in the SQL (SET takes no parameters).
    return text(f"SET LOCAL lock_timeout = {milliseconds}")


@lru_cache(maxsize=64)
def _mariadb_wait(statement, seconds: int):
    return statement.suffix_with(f"WAIT {seconds}")
