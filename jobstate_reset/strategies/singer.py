"""Singer jobs: drop every bookmark of the state file."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import JSON, select, update
from sqlalchemy.orm import Session

from ..jobs import Job
from ..tables import SingerStateTable, StateTables
from .base import ResetStrategy


def without_bookmarks(state_file: Any) -> dict:
    """The state file with no bookmarks and no ``currently_syncing``.

    Other top-level keys are kept. A state file that is not a JSON object is
    corrupt, which is one reason to reset: it becomes an empty state file.
    """
    kept = state_file if isinstance(state_file, dict) else {}
    kept = {key: value for key, value in kept.items() if key != "currently_syncing"}
    kept["bookmarks"] = {}
    return kept


def _parse_text(stored: str) -> Any:
    try:
        return json.loads(stored)
    except ValueError:
        return None  # corrupt: without_bookmarks turns it into an empty state file


class SingerResetStrategy(ResetStrategy):
    """Rewrites the state file without its bookmarks, under the job's lock."""

    connector_types = ("singer",)
    label = "Singer state_file bookmarks"

    def __init__(self, table: SingerStateTable) -> None:
        self.table = table
        # Hosts that keep the state file in a text column get text back.
        self._stored_as_text = not isinstance(table.column("state_file").type, JSON)

    @classmethod
    def from_tables(cls, tables: StateTables) -> SingerResetStrategy | None:
        return None if tables.singer is None else cls(tables.singer)

    def _clear(self, session: Session, job: Job) -> None:
        column = self.table.column
        # FOR UPDATE: a locking read sees the newest committed state file even
        # when the transaction's snapshot is older (MariaDB's REPEATABLE READ).
        stored = session.execute(
            select(column("state_file")).where(column("job_id") == job.job_id).with_for_update()
        ).scalar_one_or_none()
        if stored is None:
            return
        state_file = _parse_text(stored) if self._stored_as_text else stored
        cleared = without_bookmarks(state_file)
        if cleared == state_file:
            return
        session.execute(
            update(self.table.table)
            .where(column("job_id") == job.job_id)
            .values(
                {column("state_file"): json.dumps(cleared) if self._stored_as_text else cleared}
            )
        )
