"""The one transaction of each use case: commit on success, roll back on anything else."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from .errors import JobBusyError, JobNotFoundError, StateDatabaseError
from .jobs import Job, lock_job, normal_job_id
from .lock_timeout import is_lock_timeout, open_transaction
from .tables import JobsTable

logger = logging.getLogger("jobstate_reset")


@contextmanager
def job_transaction(session: Session, action: str, subject: str) -> Iterator[Session]:
    """Run the block in the session's transaction and commit it.

    A database error rolls back and becomes StateDatabaseError, its cause
    logged with ``action`` and ``subject`` ("job_id ...", "pipeline_id ...")
    but never shown to callers; any other
    exception rolls back and propagates. A block that decides to write nothing
    calls ``session.rollback()`` itself; the commit after it is then a no-op.
    """
    try:
        open_transaction(session)
        yield session
        session.commit()
    except SQLAlchemyError as exc:
        _roll_back(session)
        if is_lock_timeout(exc):
            logger.warning("%s of %s gave up waiting for a lock", action, subject)
            raise JobBusyError(subject) from exc
        logger.error("%s of %s failed and was rolled back", action, subject, exc_info=exc)
        raise StateDatabaseError(action.lower()) from exc
    except BaseException:
        _roll_back(session)
        raise


@contextmanager
def locked_job(
    session: Session,
    jobs: JobsTable,
    job_id_as_written: str,
    action: str,
    *,
    shared: bool = False,
    customer_id: str | None = None,
) -> Iterator[Job]:
    """The job ``job_id_as_written`` names, its row locked, inside ``job_transaction``.

    JobNotFoundError (with the id as written) for an unknown job, for text
    that is not a job id at all, and for a job of a customer other than
    ``customer_id`` (when given): the three are indistinguishable.
    """
    job_id = normal_job_id(job_id_as_written)
    with job_transaction(session, action, f"job_id {job_id}"):
        job = lock_job(session, jobs, job_id, shared=shared, customer_id=customer_id)
        if job is None:
            raise JobNotFoundError(job_id_as_written)
        yield job


def _roll_back(session: Session) -> None:
    try:
        session.rollback()
    except SQLAlchemyError:
        # The connection is gone; the server drops the transaction with it.
        logger.warning("Rollback failed", exc_info=True)
