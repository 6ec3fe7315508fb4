"""S3 and Azure jobs: forget every processed object (the ConnectorState)."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from ..jobs import Job
from ..tables import ObjectStateTable, StateTables
from .base import ResetStrategy


class ObjectStoreResetStrategy(ResetStrategy):
    """Deletes the job's processed-object records in one statement.

    One set-based DELETE whatever the count: a job can hold millions of
    records, and none of them is loaded into Python.
    """

    connector_types = ("s3", "azure")
    label = "S3/Azure ConnectorState"

    def __init__(self, table: ObjectStateTable) -> None:
        self.table = table

    @classmethod
    def from_tables(cls, tables: StateTables) -> ObjectStoreResetStrategy | None:
        return None if tables.objects is None else cls(tables.objects)

    def _clear(self, session: Session, job: Job) -> None:
        session.execute(delete(self.table.table).where(self.table.column("job_id") == job.job_id))
