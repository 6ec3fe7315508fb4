"""The job row as the service sees it: its lookup under a row lock, its generation.

The statements are built once per jobs-table binding, with bind parameters, so
a request pays only for executing them (building a statement costs about as
much as a database round trip on loopback).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from functools import lru_cache

from sqlalchemy import Select, Update, bindparam, select, update
from sqlalchemy.orm import Session

from .errors import JobNotFoundError
from .job_id import parse_job_id
from .lock_timeout import bounded, bounded_read
from .tables import JobsTable


@dataclass(frozen=True)
class Job:
    job_id: str
    pipeline_id: str
    customer_id: str
    connector: str
    load_type: str | None
    generation: int  # as it was when the job was read or locked


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
    statements = job_statements(jobs)
    scoped = customer_id is not None
    parameters = _parameters(job_id, customer_id)
    if scoped and _checks_owner_first(session):
        owned = session.execute(bounded_read(statements.owned, session), parameters)
        if owned.first() is None:
            return None
    query = bounded(statements.lock(shared=shared, scoped=scoped), session)
    row = session.execute(query, parameters).one_or_none()
    return None if row is None else Job(**row._mapping)


def lock_and_bump(
    session: Session, jobs: JobsTable, job_id: str, *, customer_id: str | None = None
) -> Job | None:
    """Lock the job's row and move it to its next state generation, for a reset.

    One ``UPDATE ... RETURNING`` where the database has it (PostgreSQL,
    SQLite): the update takes the row lock. Elsewhere (MariaDB) a locking
    SELECT, then the UPDATE. The Job returned holds the generation before.
    """
    statements = job_statements(jobs)
    scoped = customer_id is not None
    parameters = _parameters(job_id, customer_id)
    if session.get_bind().dialect.update_returning:
        row = session.execute(statements.bump_returning(scoped), parameters).one_or_none()
        if row is None:
            return None
        job = row._asdict()
        job["generation"] -= 1  # RETURNING shows the bumped row
        return Job(**job)
    job = lock_job(session, jobs, job_id, customer_id=customer_id)
    if job is not None:
        session.execute(statements.bump_one, {"the_job_id": job.job_id})
    return job


def bump_generations(session: Session, jobs: JobsTable, locked: Sequence[Job]) -> None:
    """Move every job of ``locked`` (rows the caller has locked) to its next generation.

    A bulk UPDATE, so the increment is written in the statement itself (no ORM
    version counter sees it).
    """
    result = session.execute(
        job_statements(jobs).bump_many, {"the_job_ids": [job.job_id for job in locked]}
    )
    if result.rowcount != len(locked):
        raise RuntimeError("a job vanished under its own row lock")


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
    c = jobs.column
    query = select(*_job_columns(jobs)).where(c("pipeline_id") == pipeline_id)
    if customer_id is not None:
        mine = c("pipeline_id") == pipeline_id, c("customer_id") == customer_id
        if _checks_owner_first(session) and not _exists(session, jobs, *mine):
            return []
        query = query.where(c("customer_id") == customer_id)
    query = bounded(query.order_by(c("job_id")).with_for_update(read=shared), session)
    return [Job(**row._mapping) for row in session.execute(query)]


def _checks_owner_first(session: Session) -> bool:
    """Whether a locking read would wait on another customer's row before filtering it.

    MariaDB (InnoDB) locks the row its key lookup finds, then applies the rest
    of the WHERE clause: a caller's request for another customer's busy job
    would wait, and its 409 would reveal the job. PostgreSQL filters first.
    So on MariaDB ownership is checked by a plain read first (at READ
    COMMITTED it takes no lock and sees the newest rows; see lock_timeout).
    Not a NOWAIT lock first: it would lock another customer's free row until
    the transaction ends, and answer a busy one's 404 measurably later.
    """
    return session.get_bind().dialect.name in ("mysql", "mariadb")


def _exists(session: Session, jobs: JobsTable, *conditions) -> bool:
    query = select(jobs.column("job_id")).where(*conditions).limit(1)
    return session.execute(bounded_read(query, session)).first() is not None


class JobStatements:
    """The per-request statements on one jobs table, with bind parameters."""

    def __init__(self, jobs: JobsTable) -> None:
        c = jobs.column
        generation = c("generation")
        # Parameter names differ from column names: UPDATE reserves those.
        by_id = c("job_id") == bindparam("the_job_id")
        of_customer = c("customer_id") == bindparam("the_customer_id")
        read = select(*_job_columns(jobs)).where(by_id)
        bump = update(jobs.table).where(by_id).values({generation: generation + 1})
        returning = _job_columns(jobs)
        self._lock: dict[tuple[bool, bool], Select] = {
            (shared, scoped): (read.where(of_customer) if scoped else read).with_for_update(
                read=shared
            )
            for shared in (False, True)
            for scoped in (False, True)
        }
        self._bump_returning: dict[bool, Update] = {
            scoped: (bump.where(of_customer) if scoped else bump).returning(*returning)
            for scoped in (False, True)
        }
        self.owned = select(c("job_id")).where(by_id, of_customer)
        self.bump_one = bump
        self.bump_many = (
            update(jobs.table)
            .where(c("job_id").in_(bindparam("the_job_ids", expanding=True)))
            .values({generation: generation + 1})
        )

    def lock(self, *, shared: bool, scoped: bool) -> Select:
        return self._lock[shared, scoped]

    def bump_returning(self, scoped: bool) -> Update:
        return self._bump_returning[scoped]


@lru_cache(maxsize=32)
def job_statements(jobs: JobsTable) -> JobStatements:
    return JobStatements(jobs)


def _job_columns(jobs: JobsTable) -> list:
    return [jobs.column(f.name).label(f.name) for f in fields(Job)]


def _parameters(job_id: str, customer_id: str | None) -> dict:
    if customer_id is None:
        return {"the_job_id": job_id}
    return {"the_job_id": job_id, "the_customer_id": customer_id}
