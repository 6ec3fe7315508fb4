"""The reset use case: one function, one transaction.

The HTTP route and the Python API (and later the CLI) all call
:func:`reset_job_state`; no business rule lives anywhere else.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from .errors import JobNotFoundError
from .jobs import bump_generation, lock_job, normal_job_id
from .strategies import StrategyRegistry
from .tables import StateTables
from .transaction import job_transaction

logger = logging.getLogger("jobstate_reset")


@dataclass(frozen=True)
class ResetOutcome:
    """What a successful reset did."""

    job_id: str
    connector: str
    load_type: str | None
    strategy: str
    generation_before: int
    generation_after: int


def reset_job_state(
    session: Session,
    tables: StateTables,
    registry: StrategyRegistry,
    job_id_as_written: str,
) -> ResetOutcome:
    """Clear the state of the job ``job_id_as_written`` names, and commit.

    Inside one transaction: lock the job's row, clear its state through the
    strategy of its connector type, bump the job's state generation (so a run
    that began before cannot write afterwards), commit. Any failure rolls back
    everything. Raises JobNotFoundError (also for text that is not a job id),
    UnsupportedConnectorError or StateDatabaseError.
    """
    job_id = normal_job_id(job_id_as_written)
    with job_transaction(session, "State reset", job_id):
        job = lock_job(session, tables.jobs, job_id)
        if job is None:
            raise JobNotFoundError(job_id_as_written)
        strategy = registry.for_connector(job.connector)
        strategy.reset(session, job)
        generation = bump_generation(session, tables.jobs, job)
    logger.info("State of job_id %s reset (%s), generation %d", job_id, strategy.label, generation)
    return ResetOutcome(
        job_id=job.job_id,
        connector=job.connector,
        load_type=job.load_type,
        strategy=strategy.label,
        generation_before=job.generation,
        generation_after=generation,
    )
