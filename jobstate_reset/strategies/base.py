"""The contract every strategy follows.

A strategy knows one kind of job state: how to clear it (a reset), and, for
executors, how to read it and how to write a run's new state. The service
calls these inside its one transaction, with the job's row already locked.
The public methods are final: they check the rules that hold for every
strategy (a transaction is open, and the strategy leaves it open) around the
per-connector steps ``_clear``, ``_read`` and ``_write``. A strategy never
commits or rolls back; the service owns both. The service's session is fresh
and the job's row locked before a strategy runs, so plain reads inside a step
see the newest committed state (PostgreSQL's READ COMMITTED; on MariaDB the
plugin's transactions run at READ COMMITTED too, see lock_timeout).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, final

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..errors import JobStateResetError, RequestValidationError
from ..jobs import Job
from ..tables import StateTables


class StrategyContractError(JobStateResetError):
    """A strategy broke the contract, e.g. by ending the service's transaction."""


class InvalidStateError(JobStateResetError, ValueError):
    """A run tried to commit state of the wrong shape for its connector."""


class UnsupportedOperationError(JobStateResetError):
    """The connector's strategy can reset, but not read or write state."""

    status_code = 501


class StreamsNotSupportedError(RequestValidationError):
    """A per-stream reset of a job whose state has no streams."""

    def __init__(self, job: Job) -> None:
        message = f"streams apply to Singer jobs only; job_id {job.job_id} is {job.connector}"
        super().__init__(message, {"streams": [message]})


class ResetStrategy(ABC):
    """Clears (and for runs, reads and writes) the state of some connector types.

    Subclasses set ``connector_types`` (lower case, as stored in the job's
    ``connector``) and a human ``label``, and implement ``_clear``; to serve
    executors and previews, also ``_read`` and ``_write``; to reset single
    streams, ``supports_streams = True`` and ``_clear_streams`` and
    ``_preview_streams``.
    """

    connector_types: ClassVar[tuple[str, ...]] = ()
    label: ClassVar[str] = ""
    supports_streams: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        for name in ("reset", "preview", "read_state", "write_state"):
            if name in vars(cls):
                raise TypeError(
                    f"{cls.__name__} overrides {name}: implement _clear, _read or _write instead"
                )

    @classmethod
    def from_tables(cls, tables: StateTables) -> ResetStrategy | None:
        """Build the strategy for the extension's tables; None to stay unregistered.

        Used for strategies loaded from entry points. The default suits a
        strategy that needs no tables from us.
        """
        return cls()

    @final
    def reset(self, session: Session, job: Job, streams: Sequence[str] | None = None) -> Any:
        """Clear ``job``'s state (or only ``streams``) in the session's open transaction.

        Returns the state as it was, for the history (None if unknown).
        """
        if streams is None:
            return self._inside_transaction(session, lambda: self._clear(session, job))
        self._check_streams_supported(job)
        return self._inside_transaction(session, lambda: self._clear_streams(session, job, streams))

    @final
    def preview(self, session: Session, job: Job, streams: Sequence[str] | None = None) -> Any:
        """What ``reset`` would clear, changing nothing."""
        if streams is None:
            return self._inside_transaction(session, lambda: self._preview(session, job))
        self._check_streams_supported(job)
        return self._inside_transaction(
            session, lambda: self._preview_streams(session, job, streams)
        )

    @final
    def read_state(self, session: Session, job: Job) -> Any:
        """``job``'s state as plain data (JSON types; datetimes as ISO 8601 text)."""
        return self._inside_transaction(session, lambda: self._read(session, job))

    @final
    def write_state(self, session: Session, job: Job, new_state: Any) -> None:
        """Store a run's ``new_state`` for ``job`` (raises InvalidStateError if malformed)."""
        self._inside_transaction(session, lambda: self._write(session, job, new_state))

    @abstractmethod
    def _clear(self, session: Session, job: Job) -> Any:
        """Issue the statements that clear ``job``'s state. Never commit.

        Return the state as it was before (as ``_read`` shapes it), or None.
        """

    def _preview(self, session: Session, job: Job) -> Any:
        """What ``_clear`` would clear: by default, the whole state."""
        return self._read(session, job)

    def _clear_streams(self, session: Session, job: Job, streams: Sequence[str]) -> Any:
        raise NotImplementedError

    def _preview_streams(self, session: Session, job: Job, streams: Sequence[str]) -> Any:
        raise NotImplementedError

    def _check_streams_supported(self, job: Job) -> None:
        if not self.supports_streams:
            raise StreamsNotSupportedError(job)

    def _read(self, session: Session, job: Job) -> Any:
        raise UnsupportedOperationError(f"{self.label}: this strategy cannot read state for runs")

    def _write(self, session: Session, job: Job, new_state: Any) -> None:
        raise UnsupportedOperationError(f"{self.label}: this strategy cannot write state for runs")

    def _inside_transaction(self, session: Session, step: Callable[[], Any]) -> Any:
        transaction = session.get_transaction()
        if transaction is None:
            raise StrategyContractError(f"{self.label}: needs the service's open transaction")
        # A commit is refused before it happens (see _refuse_commit_in_a_strategy):
        # it would make half a reset durable.
        session.info[_RUNNING_STRATEGY] = self.label
        try:
            result = step()
        finally:
            del session.info[_RUNNING_STRATEGY]
        # A rollback cannot be refused, but everything it undid was ours; the
        # service rolls back whatever came after.
        if session.get_transaction() is not transaction:
            raise StrategyContractError(f"{self.label}: a strategy must not roll back")
        return result


_RUNNING_STRATEGY = "jobstate_reset.running_strategy"


@event.listens_for(Session, "before_commit")
def _refuse_commit_in_a_strategy(session: Session) -> None:
    """Registered once for all sessions (an instance listener per call costs more
    than a database round trip); it acts only while one of our strategies runs."""
    label = session.info.get(_RUNNING_STRATEGY)
    if label is not None:
        raise StrategyContractError(f"{label}: a strategy must not commit")
