"""JDBC jobs: forget the high-water mark, ``incremental_column_value``."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from ..jobs import Job
from ..tables import JdbcStateTable, StateTables
from .base import ResetStrategy

# A full load reads everything on every run and keeps no high-water mark.
FULL_LOAD = "full_load"


class JdbcResetStrategy(ResetStrategy):
    """Sets ``incremental_column_value`` to SQL NULL.

    The job's load type, incremental column and primary keys are job settings,
    not state: they stay, so an ``incremental_with_qualify`` job still
    deduplicates on its keys after the reset.
    """

    connector_types = ("jdbc",)
    label = "JDBC incremental_column_value"

    def __init__(self, table: JdbcStateTable) -> None:
        self.table = table

    @classmethod
    def from_tables(cls, tables: StateTables) -> JdbcResetStrategy | None:
        return None if tables.jdbc is None else cls(tables.jdbc)

    def _clear(self, session: Session, job: Job) -> None:
        if job.load_type == FULL_LOAD:
            return
        column = self.table.column
        session.execute(
            update(self.table.table)
            .where(column("job_id") == job.job_id)
            .values({column("value"): None})
        )
