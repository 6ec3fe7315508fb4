"""The reset use case: one function, one transaction.

The HTTP route, the Python API (and later the CLI) all call
:func:`reset_job_state`; no business rule lives anywhere else.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from .errors import JobNotFoundError, StateDatabaseError
from .job_id import parse_job_id
from .jobs import lock_job
from .strategies import StrategyRegistry
from .tables import StateTables

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ResetOutcome:
    """What a successful reset did."""

    job_id: str
    connector: str
    load_type: str | None
    strategy: str


def reset_job_state(
    session: Session,
    tables: StateTables,
    registry: StrategyRegistry,
    job_id_as_written: str,
) -> ResetOutcome:
    """Clear the state of the job ``job_id_as_written`` names, and commit.

    Inside one transaction: lock the job's row, clear its state through the
    strategy of its connector type, commit. Any failure rolls back everything
    and leaves the state as it was. Raises JobNotFoundError (also for text
    that is not a job id), UnsupportedConnectorError or StateDatabaseError.
    """
    job_id = parse_job_id(job_id_as_written)
    if job_id is None:
        raise JobNotFoundError(job_id_as_written)
    try:
        job = lock_job(session, tables.jobs, str(job_id))
        if job is None:
            raise JobNotFoundError(job_id_as_written)
        strategy = registry.for_connector(job.connector)
        strategy.reset(session, job)
        session.commit()
    except SQLAlchemyError as exc:
        _roll_back(session)
        # The cause (SQL, driver message) is for the logs only, never the caller.
        logger.error("State reset of job_id %s failed and was rolled back", job_id, exc_info=exc)
        raise StateDatabaseError() from exc
    except BaseException:
        _roll_back(session)
        raise
    logger.info("State of job_id %s reset (%s)", job_id, strategy.label)
    return ResetOutcome(str(job_id), job.connector, job.load_type, strategy.label)


def _roll_back(session: Session) -> None:
    try:
        session.rollback()
    except SQLAlchemyError:
        # The connection is gone; the server drops the transaction with it.
        logger.warning("Rollback failed after a failed reset", exc_info=True)
