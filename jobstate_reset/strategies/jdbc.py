"""JDBC jobs: the high-water mark, ``incremental_column_value``."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from ..jobs import Job
from ..tables import JdbcStateTable, StateTables
from ._sql import put_row
from .base import InvalidStateError, ResetStrategy

STATE_KEY = "incremental_column_value"


class JdbcResetStrategy(ResetStrategy):
    """A reset sets ``incremental_column_value`` to SQL NULL (no statement when it is already).

    The job's load type, incremental column and primary keys are job settings,
    not state: they stay, so an ``incremental_with_qualify`` job still
    deduplicates on its keys after the reset. Runs read and write
    ``{"incremental_column_value": value}``; the value is stored as text
    (dates and timestamps in ISO 8601), whatever the column's type.
    """

    connector_types = ("jdbc",)
    label = "JDBC incremental_column_value"

    def __init__(self, table: JdbcStateTable) -> None:
        self.table = table
        column = table.column
        of_job = column("job_id") == bindparam("the_job_id")
        self._select_value = select(column("value")).where(of_job)
        self._clear_value = (
            update(table.table)
            .where(of_job, column("value").is_not(None))
            .values({column("value"): None})
        )
        # PostgreSQL reads the old mark and clears it in one statement, the old
        # value taken from a self-join (RETURNING shows the new row); the job's
        # row lock keeps it stable. MariaDB's UPDATE returns no rows, and
        # SQLite's RETURNING may not name a joined table: two statements there.
        before = (
            select(column("job_id").label("job_id"), column("value").label("previous"))
            .where(of_job)
            .subquery()
        )
        self._clear_value_returning = (
            update(table.table)
            .where(column("job_id") == before.c.job_id, column("value").is_not(None))
            .values({column("value"): None})
            .returning(before.c.previous)
        )

    @classmethod
    def from_tables(cls, tables: StateTables) -> JdbcResetStrategy | None:
        return None if tables.jdbc is None else cls(tables.jdbc)

    def _clear(self, session: Session, job: Job) -> dict:
        # Whatever the load type: a full_load job keeps no mark, but one left
        # from an earlier incremental life must not survive a reset either.
        job_parameter = {"the_job_id": job.job_id}
        if session.get_bind().dialect.name == "postgresql":
            returned = session.execute(self._clear_value_returning, job_parameter)
            previous = returned.scalar_one_or_none()
            return {STATE_KEY: previous}
        previous = self._load(session, job)
        if previous[STATE_KEY] is not None:
            session.execute(self._clear_value, job_parameter)
        return previous

    def _read(self, session: Session, job: Job) -> dict:
        return self._load(session, job)

    def _write(self, session: Session, job: Job, new_state: Any) -> None:
        value = _as_text(new_state)
        column = self.table.column
        put_row(session, column("job_id"), job.job_id, column("value"), value)

    def _load(self, session: Session, job: Job) -> dict:
        value = session.execute(self._select_value, {"the_job_id": job.job_id}).scalar_one_or_none()
        return {STATE_KEY: value}


def _as_text(new_state: Any) -> str | None:
    if not isinstance(new_state, dict) or set(new_state) != {STATE_KEY}:
        raise InvalidStateError(
            f'JDBC state must be {{"{STATE_KEY}": value}}, got {new_state!r:.200}'
        )
    value = new_state[STATE_KEY]
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    raise InvalidStateError(f"{STATE_KEY} must be text, a number, a date or a timestamp")
