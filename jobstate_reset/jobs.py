"""The job row as the service sees it: its lookup under a row lock, its generation."""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .errors import JobNotFoundError
from .job_id import parse_job_id
from .tables import JobsTable


@dataclass(frozen=True)
class Job:
    job_id: str
    pipeline_id: str
    customer_id: str
    connector: str
    load_type: str | None
    generation: int


def normal_job_id(job_id_as_written: str) -> str:
    """The normal form of a job id; JobNotFoundError if the text is not one."""
    job_id = parse_job_id(job_id_as_written)
    if job_id is None:
        raise JobNotFoundError(job_id_as_written)
    return str(job_id)


def lock_job(
    session: Session,
    jobs: JobsTable,
    job_id: str,
    *,
    shared: bool = False,
    customer_id: str | None = None,
) -> Job | None:
    """Read the job and hold a lock on its row until the transaction ends.

    Every writer of a job's state takes the exclusive lock first, so writers of
    one job queue up instead of interleaving, always in the same order (job row,
    then state rows). ``shared`` takes a share lock instead: enough to read the
    generation and the state with no reset committing in between. SQLite has
    no row locks and renders no FOR UPDATE: there, the database-wide write lock
    is all there is. With ``customer_id``, another customer's job is not found.
    """
    query = _select_jobs(jobs, customer_id).where(jobs.column("job_id") == job_id)
    row = session.execute(query.with_for_update(read=shared)).one_or_none()
    return None if row is None else Job(**row._mapping)


def lock_pipeline_jobs(
    session: Session,
    jobs: JobsTable,
    pipeline_id: str,
    *,
    shared: bool = False,
    customer_id: str | None = None,
) -> list[Job]:
    """Read every job of the pipeline and lock their rows, in job id order.

    One statement, always in the same order, so two pipeline resets queue
    instead of deadlocking; a single-job writer locks one row only, so it
    cannot close a cycle with them either.
    """
    rows = session.execute(
        _select_jobs(jobs, customer_id)
        .where(jobs.column("pipeline_id") == pipeline_id)
        .order_by(jobs.column("job_id"))
        .with_for_update(read=shared)
    )
    return [Job(**row._mapping) for row in rows]


def _select_jobs(jobs: JobsTable, customer_id: str | None):
    query = select(*(jobs.column(f.name).label(f.name) for f in fields(Job)))
    if customer_id is not None:
        query = query.where(jobs.column("customer_id") == customer_id)
    return query


def bump_generation(session: Session, jobs: JobsTable, job: Job) -> int:
    """Move the job to its next state generation; returns the new one.

    A bulk UPDATE, so the increment is written in the statement itself (no ORM
    version counter sees it). The row is locked by the caller.
    """
    generation = jobs.column("generation")
    result = session.execute(
        update(jobs.table)
        .where(jobs.column("job_id") == job.job_id)
        .values({generation: generation + 1})
    )
    if result.rowcount != 1:
        raise RuntimeError(f"job_id {job.job_id} vanished under its own row lock")
    return job.generation + 1
