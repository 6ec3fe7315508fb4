"""The executor use cases: begin a run, commit its new state unless a reset intervened.

A run reads the job's state and generation, works for as long as it takes
holding no transaction and no lock, then commits its new state. The commit
takes the same row lock, in the same order, as a reset, and writes only if
the generation is still the one the run read. A reset in between bumped it,
so the run's state (built on what the reset cleared) is refused: the reset is
never undone by a run that was already going.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Flask
from sqlalchemy.orm import Session

from .jobs import Job
from .strategies import ObjectStoreResetStrategy, StrategyRegistry
from .tables import StateTables
from .transaction import job_transaction, locked_job

if TYPE_CHECKING:
    from .ext import JobStateReset

logger = logging.getLogger("jobstate_reset")


@dataclass(frozen=True)
class RunStart:
    """What a run starts from: the job, its state generation and its state."""

    job: Job
    state: Any


def begin_run(
    session: Session, tables: StateTables, registry: StrategyRegistry, job_id_as_written: str
) -> RunStart:
    """Read the job's generation and state, consistently, in one short transaction.

    The share lock on the job's row keeps a reset from committing between the
    two reads; it is released when this returns.
    """
    with locked_job(session, tables.jobs, job_id_as_written, "Run start", shared=True) as job:
        state = registry.for_connector(job.connector).read_state(session, job)
    return RunStart(job, state)


def commit_run(
    session: Session,
    tables: StateTables,
    registry: StrategyRegistry,
    job_id: str,
    generation: int,
    new_state: Any,
) -> bool:
    """Write ``new_state`` if the job is still at ``generation``; True if written.

    False, with nothing written, when a reset happened since the run began.
    Raises JobNotFoundError if the job is gone, InvalidStateError for a state
    of the wrong shape, StateDatabaseError on a database failure.
    """
    with locked_job(session, tables.jobs, job_id, "Run commit") as job:
        if job.generation != generation:
            session.rollback()  # nothing was written; this only releases the lock
            logger.info(
                "Run of job_id %s (generation %d) not committed: reset since (now %d)",
                job_id,
                generation,
                job.generation,
            )
            return False
        registry.for_connector(job.connector).write_state(session, job, new_state)
    return True


def processed_objects(
    session: Session, registry: StrategyRegistry, job_id: str, connector: str, keys: Iterable[str]
) -> dict[str, str]:
    """For an S3/Azure job: the recorded LastModified of each of ``keys`` already processed."""
    strategy = registry.for_connector(connector)
    if not isinstance(strategy, ObjectStoreResetStrategy):
        raise TypeError(f"job_id {job_id} ({connector}) keeps no processed objects")
    with job_transaction(session, "Processed-object lookup", f"job_id {job_id}"):
        return strategy.processed(session, job_id, keys)


@dataclass(frozen=True)
class Run:
    """A run's handle, from ``JobStateReset.begin_run``.

    Holds plain data only (no session, no connection), so it may outlive the
    request or CLI context that created it; each call pushes an app context
    and opens a session of its own.
    """

    job_id: str
    connector: str
    load_type: str | None
    generation: int
    state: Any
    _extension: JobStateReset = field(repr=False, compare=False)
    _app: Flask = field(repr=False, compare=False)

    def commit(self, new_state: Any) -> bool:
        """Store ``new_state`` unless the job was reset since the run began.

        Returns False, writing nothing, after such a reset; the run's work is
        then to be thrown away and the next run starts from the cleared state.
        May be called more than once (checkpoints) while no reset intervenes.
        """
        ext = self._extension
        with self._app.app_context(), ext.session() as session:
            return commit_run(
                session, ext.tables, ext.registry, self.job_id, self.generation, new_state
            )

    def processed(self, keys: Iterable[str]) -> dict[str, str]:
        """S3/Azure: which of ``keys`` were processed, with their recorded LastModified."""
        ext = self._extension
        with self._app.app_context(), ext.session() as session:
            return processed_objects(session, ext.registry, self.job_id, self.connector, keys)
