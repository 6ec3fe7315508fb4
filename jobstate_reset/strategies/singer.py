"""Singer jobs: the state file and its bookmarks."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, select
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

from ..errors import UnknownStreamsError
from ..jobs import Job
from ..tables import SingerStateTable, StateTables
from ._sql import put_row
from .base import InvalidStateError, ResetStrategy

# Stands for a state file kept as text that does not parse. Not a dict, so a
# reset turns it into an empty state file.
_CORRUPT = object()


def without_bookmarks(state_file: Any) -> dict:
    """The state file with no bookmarks and no ``currently_syncing``.

    Other top-level keys are kept. A state file that is not a JSON object is
    corrupt, which is one reason to reset: it becomes an empty state file.
    """
    kept = state_file if isinstance(state_file, dict) else {}
    kept = {key: value for key, value in kept.items() if key != "currently_syncing"}
    kept["bookmarks"] = {}
    return kept


def _is_json(column_type: TypeEngine) -> bool:
    """JSON, or a TypeDecorator over JSON (a common way hosts wrap it)."""
    return isinstance(column_type, JSON) or isinstance(
        getattr(column_type, "impl_instance", None), JSON
    )


def without_streams(state_file: dict, streams: Sequence[str]) -> dict:
    """The state file without the bookmarks of ``streams``.

    ``currently_syncing`` goes too when it names one of them: the interrupted
    stream would otherwise resume from a bookmark that no longer exists.
    """
    kept = {**state_file, "bookmarks": dict(state_file["bookmarks"])}
    for stream in streams:
        kept["bookmarks"].pop(stream, None)
    if kept.get("currently_syncing") in streams:
        del kept["currently_syncing"]
    return kept


def cleared_part(state_file: dict, streams: Sequence[str]) -> dict:
    """What ``without_streams`` removes, in the state file's shape."""
    part: dict = {"bookmarks": {stream: state_file["bookmarks"][stream] for stream in streams}}
    if state_file.get("currently_syncing") in streams:
        part["currently_syncing"] = state_file["currently_syncing"]
    return part


def known_streams(state_file: Any) -> list[str]:
    """The streams the state file holds a bookmark for."""
    bookmarks = state_file.get("bookmarks") if isinstance(state_file, dict) else None
    return sorted(bookmarks) if isinstance(bookmarks, dict) else []


def _check_known(job: Job, state_file: Any, streams: Sequence[str]) -> None:
    known = known_streams(state_file)
    unknown = [stream for stream in streams if stream not in known]
    if unknown:
        raise UnknownStreamsError(job.job_id, unknown, known)


def _shown(state_file: Any) -> Any:
    return None if state_file is _CORRUPT else state_file


class SingerResetStrategy(ResetStrategy):
    """A reset rewrites the state file without its bookmarks, under the job's lock.

    Runs read the state file (None when the job has none) and commit the new
    state file whole, as a tap's last STATE message gives it.
    """

    connector_types = ("singer",)
    label = "Singer state_file bookmarks"
    supports_streams = True

    def __init__(self, table: SingerStateTable) -> None:
        self.table = table
        # Hosts that keep the state file in a text column get text back.
        self._stored_as_text = not _is_json(table.column("state_file").type)

    @classmethod
    def from_tables(cls, tables: StateTables) -> SingerResetStrategy | None:
        return None if tables.singer is None else cls(tables.singer)

    def _clear(self, session: Session, job: Job) -> Any:
        state_file = self._load(session, job)
        if state_file is None:
            return None
        cleared = without_bookmarks(state_file)
        if cleared != state_file:
            self._store(session, job, cleared)
        return _shown(state_file)

    def _clear_streams(self, session: Session, job: Job, streams: Sequence[str]) -> Any:
        state_file = self._load(session, job)
        _check_known(job, state_file, streams)
        self._store(session, job, without_streams(state_file, streams))
        return state_file

    def _preview_streams(self, session: Session, job: Job, streams: Sequence[str]) -> dict:
        state_file = self._load(session, job)
        _check_known(job, state_file, streams)
        return cleared_part(state_file, streams)

    def _read(self, session: Session, job: Job) -> Any:
        # A run starting from a corrupt state file starts from scratch.
        return _shown(self._load(session, job))

    def _write(self, session: Session, job: Job, new_state: Any) -> None:
        if not isinstance(new_state, dict):
            raise InvalidStateError(f"a Singer state file is a JSON object, got {new_state!r:.200}")
        try:
            json.dumps(new_state)
        except (TypeError, ValueError) as exc:
            raise InvalidStateError(f"the Singer state file is not JSON: {exc}") from None
        self._store(session, job, new_state)

    def _load(self, session: Session, job: Job) -> Any:
        column = self.table.column
        stored = session.execute(
            select(column("state_file")).where(column("job_id") == job.job_id)
        ).scalar_one_or_none()
        if stored is None or not self._stored_as_text:
            return stored
        try:
            return json.loads(stored)
        except ValueError:
            return _CORRUPT

    def _store(self, session: Session, job: Job, state_file: dict) -> None:
        column = self.table.column
        value = json.dumps(state_file) if self._stored_as_text else state_file
        put_row(session, column("job_id"), job.job_id, column("state_file"), value)
