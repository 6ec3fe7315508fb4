"""The one transaction of each use case: commit on success, roll back on anything else."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from .errors import StateDatabaseError

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
        yield session
        session.commit()
    except SQLAlchemyError as exc:
        _roll_back(session)
        logger.error("%s of %s failed and was rolled back", action, subject, exc_info=exc)
        raise StateDatabaseError() from exc
    except BaseException:
        _roll_back(session)
        raise


def _roll_back(session: Session) -> None:
    try:
        session.rollback()
    except SQLAlchemyError:
        # The connection is gone; the server drops the transaction with it.
        logger.warning("Rollback failed", exc_info=True)
