"""The job row as the service sees it, and its lookup under a row lock."""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy import select
from sqlalchemy.orm import Session

from .tables import JobsTable


@dataclass(frozen=True)
class Job:
    job_id: str
    pipeline_id: str
    customer_id: str
    connector: str
    load_type: str | None


def lock_job(session: Session, jobs: JobsTable, job_id: str) -> Job | None:
    """Read the job and hold its row lock until the transaction ends.

    Every writer of a job's state takes this lock first, so writers of one job
    queue up instead of interleaving. SQLite has no row locks and renders no
    FOR UPDATE: there, the database-wide write lock is all there is.
    """
    columns = [jobs.column(f.name).label(f.name) for f in fields(Job)]
    row = session.execute(
        select(*columns).where(jobs.column("job_id") == job_id).with_for_update()
    ).one_or_none()
    return None if row is None else Job(**row._mapping)
