"""The record of every real reset: written in the reset's transaction, read newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from .models import reset_history

if TYPE_CHECKING:
    from .service import ResetOutcome

# Largest page a caller may ask for.
MAX_PAGE = 100


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    job_id: str
    connector: str
    load_type: str | None
    actor: str
    at: datetime
    request_id: str | None
    generation_before: int
    generation_after: int
    streams: list[str] | None
    previous_state: Any


@dataclass(frozen=True)
class HistoryPage:
    items: list[HistoryEntry]
    next: str | None  # the cursor of the next (older) page, if there is one


def record_reset(session: Session, outcome: ResetOutcome) -> None:
    session.execute(_INSERT, _row(outcome))


def record_resets(session: Session, outcomes: list[ResetOutcome]) -> None:
    """One INSERT for all of them (a pipeline reset records each of its jobs)."""
    session.execute(_INSERT, [_row(outcome) for outcome in outcomes])


_INSERT = insert(reset_history)


def _row(o: ResetOutcome) -> dict:
    return {
        "job_id": o.job_id,
        "pipeline_id": o.pipeline_id,
        "customer_id": o.customer_id,
        "connector": o.connector,
        "load_type": o.load_type,
        "actor": _fit(o.actor, _ACTOR_LENGTH),
        "reset_at": o.at,
        "request_id": _fit(o.request_id, _REQUEST_ID_LENGTH),
        "generation_before": o.generation_before,
        "generation_after": o.generation_after,
        "streams": list(o.streams) if o.streams is not None else None,
        "previous_state": o.previous_state,
    }


_ACTOR_LENGTH = reset_history.c.actor.type.length
_REQUEST_ID_LENGTH = reset_history.c.request_id.type.length


def _fit(text: str | None, length: int) -> str | None:
    """Cut ``text`` to the column's length: a long actor name must not fail a reset."""
    return None if text is None else text[:length]


def history_page(session: Session, job_id: str, limit: int, cursor: int | None) -> HistoryPage:
    """Up to ``limit`` entries older than ``cursor`` (a value of ``HistoryPage.next``)."""
    query = select(*_ENTRY_COLUMNS).where(reset_history.c.job_id == job_id)
    if cursor is not None:
        query = query.where(reset_history.c.id < cursor)
    rows = session.execute(query.order_by(reset_history.c.id.desc()).limit(limit + 1)).all()
    items = [HistoryEntry(**row._mapping) for row in rows[:limit]]
    return HistoryPage(items, str(items[-1].id) if len(rows) > limit else None)


def last_reset(session: Session, job_id: str) -> HistoryEntry | None:
    page = history_page(session, job_id, 1, None)
    return page.items[0] if page.items else None


_ENTRY_COLUMNS = [
    reset_history.c.id,
    reset_history.c.job_id,
    reset_history.c.connector,
    reset_history.c.load_type,
    reset_history.c.actor,
    reset_history.c.reset_at.label("at"),
    reset_history.c.request_id,
    reset_history.c.generation_before,
    reset_history.c.generation_after,
    reset_history.c.streams,
    reset_history.c.previous_state,
]
