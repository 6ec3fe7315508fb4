"""The contract every reset strategy follows.

The service calls :meth:`ResetStrategy.reset` inside its one transaction,
with the job's row already locked. ``reset`` is final: it checks the rules
that must hold for every strategy (a transaction is open, and the strategy
leaves it open) around the per-connector step, :meth:`ResetStrategy._clear`.
A strategy never commits or rolls back; the service owns both.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar, final

from sqlalchemy.orm import Session

from ..errors import JobStateResetError
from ..jobs import Job
from ..tables import StateTables


class StrategyContractError(JobStateResetError):
    """A strategy broke the contract, e.g. by ending the service's transaction."""


class ResetStrategy(ABC):
    """Clears the incremental state of the jobs of some connector types.

    Subclasses set ``connector_types`` (lower case, as stored in the job's
    ``connector``) and a human ``label``, and implement ``_clear``.
    """

    connector_types: ClassVar[tuple[str, ...]] = ()
    label: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "reset" in vars(cls):
            raise TypeError(f"{cls.__name__} must implement _clear, not override reset")

    @classmethod
    def from_tables(cls, tables: StateTables) -> ResetStrategy | None:
        """Build the strategy for the extension's tables; None to stay unregistered.

        Used for strategies loaded from entry points. The default suits a
        strategy that needs no tables from us.
        """
        return cls()

    @final
    def reset(self, session: Session, job: Job) -> None:
        """Clear ``job``'s state inside the session's open transaction."""
        transaction = session.get_transaction()
        if transaction is None:
            raise StrategyContractError(f"{self.label}: reset needs an open transaction")
        self._clear(session, job)
        if session.get_transaction() is not transaction:
            raise StrategyContractError(f"{self.label}: a strategy must not commit or roll back")

    @abstractmethod
    def _clear(self, session: Session, job: Job) -> None:
        """Issue the statements that clear ``job``'s state. Never commit."""
