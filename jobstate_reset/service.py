"""The reset use cases: one function each, one transaction each.

The HTTP routes, the CLI and the Python API all call these; no business rule
lives anywhere else.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from . import history
from .errors import JobNotFoundError, PipelineNotFoundError, RequestValidationError
from .job_id import normalize_pipeline_id
from .jobs import Job, bump_generations, lock_and_bump, lock_pipeline_jobs, normal_job_id
from .signals import state_reset
from .strategies import ResetStrategy, StrategyRegistry
from .tables import StateTables
from .transaction import job_transaction, locked_job

logger = logging.getLogger("jobstate_reset")


@dataclass(frozen=True)
class ResetRequest:
    """What to reset and on whose behalf."""

    streams: tuple[str, ...] | None = None  # Singer only; None: the whole state
    dry_run: bool = False
    actor: str = "anonymous"
    request_id: str | None = None
    customer_id: str | None = None  # only this customer's jobs; None: any (trusted callers)


@dataclass(frozen=True)
class ResetOutcome:
    """What a reset did (or, for a dry run, would do)."""

    job_id: str
    pipeline_id: str
    customer_id: str
    connector: str
    load_type: str | None
    strategy: str
    generation_before: int
    generation_after: int
    streams: tuple[str, ...] | None
    previous_state: Any  # for a dry run: what would be cleared
    actor: str
    request_id: str | None
    at: datetime
    dry_run: bool


@dataclass(frozen=True)
class PipelineOutcome:
    pipeline_id: str
    jobs: list[ResetOutcome]
    dry_run: bool


@dataclass(frozen=True)
class JobStateView:
    """A job's state as inspect shows it."""

    job_id: str
    connector: str
    load_type: str | None
    generation: int
    state: Any
    last_reset: history.HistoryEntry | None


def reset_job_state(
    session: Session,
    tables: StateTables,
    registry: StrategyRegistry,
    job_id_as_written: str,
    request: ResetRequest = ResetRequest(),
) -> ResetOutcome:
    """Clear the state of the job ``job_id_as_written`` names, and commit.

    Inside one transaction: lock the job's row, clear its state (or only the
    requested streams) through the strategy of its connector type, bump the
    job's state generation (so a run that began before cannot write
    afterwards), record the reset in the history, commit; then send
    ``state_reset``. A dry run only reads what would be cleared. Any failure
    rolls back everything. Raises JobNotFoundError (also for text that is not
    a job id), UnsupportedConnectorError, RequestValidationError (streams) or
    StateDatabaseError.
    """
    if request.streams is not None and not request.streams:
        raise RequestValidationError("No streams given", {"streams": ["Name at least one."]})
    if request.dry_run:
        with locked_job(
            session,
            tables.jobs,
            job_id_as_written,
            "State reset",
            shared=True,
            customer_id=request.customer_id,
        ) as job:
            strategy = registry.for_connector(job.connector)
            return _preview(session, job, strategy, request)
    job_id = normal_job_id(job_id_as_written)
    with job_transaction(session, "State reset", f"job_id {job_id}"):
        job = lock_and_bump(session, tables.jobs, job_id, customer_id=request.customer_id)
        if job is None:
            raise JobNotFoundError(job_id_as_written)
        strategy = registry.for_connector(job.connector)
        outcome = _reset(session, job, strategy, request)
        history.record_reset(session, outcome)
    _announce([outcome])
    return outcome


def reset_pipeline(
    session: Session,
    tables: StateTables,
    registry: StrategyRegistry,
    pipeline_id_as_written: str,
    request: ResetRequest = ResetRequest(),
) -> PipelineOutcome:
    """Reset every job of a pipeline in one transaction: all of them or none.

    The jobs' rows are locked in one statement, in a fixed order, before any
    state is touched; a job whose connector has no strategy fails the whole
    reset before anything changed.
    """
    pipeline_id = normalize_pipeline_id(pipeline_id_as_written)
    if pipeline_id is None:
        raise PipelineNotFoundError(pipeline_id_as_written)
    with job_transaction(session, "Pipeline reset", f"pipeline_id {pipeline_id}"):
        jobs = lock_pipeline_jobs(
            session,
            tables.jobs,
            pipeline_id,
            shared=request.dry_run,
            customer_id=request.customer_id,
        )
        if not jobs:
            raise PipelineNotFoundError(pipeline_id_as_written)
        strategies = [registry.for_connector(job.connector) for job in jobs]
        if request.dry_run:
            return PipelineOutcome(
                pipeline_id,
                [
                    _preview(session, job, strategy, request)
                    for job, strategy in zip(jobs, strategies, strict=True)
                ],
                dry_run=True,
            )
        bump_generations(session, tables.jobs, jobs)
        outcomes = [
            _reset(session, job, strategy, request)
            for job, strategy in zip(jobs, strategies, strict=True)
        ]
        history.record_resets(session, outcomes)
    _announce(outcomes)
    return PipelineOutcome(pipeline_id, outcomes, request.dry_run)


def inspect_job(
    session: Session,
    tables: StateTables,
    registry: StrategyRegistry,
    job_id_as_written: str,
    customer_id: str | None = None,
) -> JobStateView:
    """The job's connector, generation, state and last reset, read consistently."""
    with locked_job(
        session,
        tables.jobs,
        job_id_as_written,
        "State inspection",
        shared=True,
        customer_id=customer_id,
    ) as job:
        state = registry.for_connector(job.connector).read_state(session, job)
        last = history.last_reset(session, job.job_id)
    return JobStateView(job.job_id, job.connector, job.load_type, job.generation, state, last)


def job_history(
    session: Session,
    tables: StateTables,
    job_id_as_written: str,
    limit: int,
    cursor: int | None,
    customer_id: str | None = None,
) -> history.HistoryPage:
    """The job's resets, newest first, a page at a time."""
    with locked_job(
        session,
        tables.jobs,
        job_id_as_written,
        "History read",
        shared=True,
        customer_id=customer_id,
    ) as job:
        return history.history_page(session, job.job_id, limit, cursor)


def _outcome(
    job: Job, strategy: ResetStrategy, request: ResetRequest, previous_state: Any
) -> ResetOutcome:
    return ResetOutcome(
        job_id=job.job_id,
        pipeline_id=job.pipeline_id,
        customer_id=job.customer_id,
        connector=job.connector,
        load_type=job.load_type,
        strategy=strategy.label,
        generation_before=job.generation,
        generation_after=job.generation if request.dry_run else job.generation + 1,
        streams=request.streams,
        previous_state=previous_state,
        actor=request.actor,
        request_id=request.request_id,
        at=datetime.now(UTC),
        dry_run=request.dry_run,
    )


def _preview(
    session: Session, job: Job, strategy: ResetStrategy, request: ResetRequest
) -> ResetOutcome:
    """What a reset of ``job`` (locked, shared) would clear."""
    would_clear = strategy.preview(session, job, request.streams)
    return _outcome(job, strategy, request, previous_state=would_clear)


def _reset(
    session: Session, job: Job, strategy: ResetStrategy, request: ResetRequest
) -> ResetOutcome:
    """Clear ``job``'s state; its row is locked and its generation already bumped."""
    previous = strategy.reset(session, job, request.streams)
    return _outcome(job, strategy, request, previous_state=previous)


def _announce(outcomes: Sequence[ResetOutcome]) -> None:
    """After the commit: log each real reset and send ``state_reset`` for it."""
    app = current_app._get_current_object()
    for outcome in outcomes:
        if outcome.dry_run:
            continue
        logger.info(
            "State of job_id %s reset by %s (%s%s), generation %d",
            outcome.job_id,
            outcome.actor,
            outcome.strategy,
            f", streams {', '.join(outcome.streams)}" if outcome.streams else "",
            outcome.generation_after,
        )
        try:
            state_reset.send(app, outcome=outcome)
        except Exception:
            # The reset is committed; a failing receiver must not make it look failed.
            logger.exception("A state_reset receiver failed for job_id %s", outcome.job_id)
