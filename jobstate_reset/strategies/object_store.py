"""S3 and Azure jobs: the ConnectorState, one record per processed object."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..jobs import Job
from ..models import object_key_digest
from ..tables import ObjectStateTable, StateTables
from ._sql import upsert_rows
from .base import InvalidStateError, ResetStrategy

# Keys per statement when a run asks which objects it processed before.
LOOKUP_BATCH = 500


class ObjectStoreResetStrategy(ResetStrategy):
    """A reset deletes the job's processed-object records in one statement.

    One set-based DELETE whatever the count: a job can hold millions of
    records, and none of them is loaded into Python. For the same reason runs
    read only a summary, ``{"files": count, "last_modified": newest}``, ask
    about the keys they list with :meth:`processed`, and commit
    ``{"files": {key: last_modified}}``, which adds or updates those records
    and leaves the others alone.
    """

    connector_types = ("s3", "azure")
    label = "S3/Azure ConnectorState"

    def __init__(self, table: ObjectStateTable) -> None:
        self.table = table
        # A host column without a zone gets naive UTC: given an aware value,
        # PostgreSQL would store it in the session's time zone instead.
        self._naive_times = not getattr(table.column("last_modified").type, "timezone", True)

    @classmethod
    def from_tables(cls, tables: StateTables) -> ObjectStoreResetStrategy | None:
        return None if tables.objects is None else cls(tables.objects)

    def _clear(self, session: Session, job: Job) -> dict:
        newest = self._newest(session, job)
        # No count(*) first: the DELETE counts what it removes, in the same pass.
        deleted = session.execute(
            delete(self.table.table).where(self.table.column("job_id") == job.job_id)
        ).rowcount
        return {"files": deleted, "last_modified": newest if deleted else None}

    def _read(self, session: Session, job: Job) -> dict:
        column = self.table.column
        count, newest = session.execute(
            select(func.count(), func.max(column("last_modified"))).where(
                column("job_id") == job.job_id
            )
        ).one()
        return {"files": count, "last_modified": None if newest is None else _iso(newest)}

    def _newest(self, session: Session, job: Job) -> str | None:
        column = self.table.column
        newest = session.execute(
            select(func.max(column("last_modified"))).where(column("job_id") == job.job_id)
        ).scalar()
        return None if newest is None else _iso(newest)

    def _write(self, session: Session, job: Job, new_state: Any) -> None:
        files = _files(new_state)
        names = self.table
        rows = [
            {
                names.job_id: job.job_id,
                names.object_key: key,
                names.last_modified: modified.replace(tzinfo=None)
                if self._naive_times
                else modified,
                **({names.key_digest: object_key_digest(key)} if names.key_digest else {}),
            }
            for key, modified in files.items()
        ]
        identity = names.key_digest or names.object_key
        upsert_rows(session, names.table, rows, [names.job_id, identity], [names.last_modified])

    def processed(self, session: Session, job_id: str, keys: Iterable[str]) -> dict[str, str]:
        """The LastModified (ISO 8601) recorded for each of ``keys`` that was processed."""
        column = self.table.column
        found: dict[str, str] = {}
        for batch in _batches(list(dict.fromkeys(keys)), LOOKUP_BATCH):
            if self.table.key_digest:
                match = column("key_digest").in_([object_key_digest(k) for k in batch])
            else:
                match = column("object_key").in_(batch)
            rows = session.execute(
                select(column("object_key"), column("last_modified")).where(
                    column("job_id") == job_id, match
                )
            )
            found.update((key, _iso(modified)) for key, modified in rows)
        return found


def _files(new_state: Any) -> dict[str, datetime]:
    files = new_state.get("files") if isinstance(new_state, dict) else None
    if not isinstance(files, dict) or len(new_state) != 1:
        raise InvalidStateError(
            'object-store state must be {"files": {object_key: last_modified, ...}}'
        )
    parsed = {}
    for key, modified in files.items():
        if not isinstance(key, str) or not key:
            raise InvalidStateError(f"object keys are non-empty text, got {key!r:.200}")
        parsed[key] = _parse_time(key, modified)
    return parsed


def _parse_time(key: str, value: Any) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidStateError(f"LastModified of {key!r:.200} is not ISO 8601") from None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidStateError(f"LastModified of {key!r:.200} needs a time zone")
    return value.astimezone(UTC)


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:  # a host column without a zone: UTC by convention
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def _batches(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
