"""Test data: jobs with real state, read back through a connection of our own.

Reads go through the engine, not the app's session: pytest-flask keeps one
app context (and so one Flask-SQLAlchemy session) for the whole test, and a
check should see what is committed, not what that session remembers.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, event, insert, select

from jobstate_reset import models
from jobstate_reset.models import object_key_digest

NO_STATE = object()


def new_pipeline_id() -> str:
    return str(uuid.uuid4()).replace("-", "_")


def object_records(count: int, prefix: str = "data/") -> list[tuple[str, datetime]]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return [(f"{prefix}part-{n:07d}.parquet", start + timedelta(seconds=n)) for n in range(count)]


def add_job(
    engine: Engine,
    connector: str,
    load_type: str | None = None,
    *,
    state=NO_STATE,
    pipeline_id: str | None = None,
    index: int = 0,
    customer_id: str = "customer-1",
    primary_keys: list[str] | None = None,
    incremental_column: tuple[str, str] = ("updated_at", "timestamp"),
) -> str:
    """Insert a job and its state; returns its job id.

    ``state`` by connector: jdbc, the incremental_column_value; singer, the
    state file; s3/azure, a list of (object key, LastModified). Left out: no
    state row at all.
    """
    pipeline_id = pipeline_id or new_pipeline_id()
    job_id = f"{pipeline_id}_{index}"
    with engine.begin() as conn:
        conn.execute(
            insert(models.jobs),
            {
                "job_id": job_id,
                "pipeline_id": pipeline_id,
                "job_index": index,
                "customer_id": customer_id,
                "connector": connector,
                "load_type": load_type,
                "incremental_column_name": incremental_column[0] if connector == "jdbc" else None,
                "incremental_column_type": incremental_column[1] if connector == "jdbc" else None,
                "primary_keys": primary_keys,
                "input": {"column_include_list": None},
            },
        )
        if state is NO_STATE:
            return job_id
        if connector == "jdbc":
            conn.execute(
                insert(models.jdbc_state), {"job_id": job_id, "incremental_column_value": state}
            )
        elif connector == "singer":
            conn.execute(insert(models.singer_state), {"job_id": job_id, "state_file": state})
        else:
            add_objects(conn, job_id, state)
    return job_id


def add_objects(conn, job_id: str, records: list[tuple[str, datetime]]) -> None:
    if records:
        conn.execute(
            insert(models.object_state),
            [
                {
                    "job_id": job_id,
                    "object_key": key,
                    "object_key_sha256": object_key_digest(key),
                    "last_modified": modified,
                }
                for key, modified in records
            ],
        )


def snapshot(engine: Engine, job_id: str) -> dict:
    """Everything stored about a job, to compare before and after."""
    with engine.connect() as conn:
        job = conn.execute(select(models.jobs).where(models.jobs.c.job_id == job_id)).one()
        jdbc = conn.execute(
            select(models.jdbc_state).where(models.jdbc_state.c.job_id == job_id)
        ).all()
        singer = conn.execute(
            select(models.singer_state).where(models.singer_state.c.job_id == job_id)
        ).all()
        objects = conn.execute(
            select(models.object_state.c.object_key, models.object_state.c.last_modified)
            .where(models.object_state.c.job_id == job_id)
            .order_by(models.object_state.c.object_key)
        ).all()
    return {
        "job": dict(job._mapping),
        "jdbc": [dict(r._mapping) for r in jdbc],
        "singer": [dict(r._mapping) for r in singer],
        "objects": [tuple(r) for r in objects],
    }


def without_generation(stored: dict) -> dict:
    """A snapshot minus the job's state generation, which every reset bumps."""
    job = {k: v for k, v in stored["job"].items() if k != "state_generation"}
    return {**stored, "job": job}


def generation(engine: Engine, job_id: str) -> int:
    with engine.connect() as conn:
        return conn.execute(
            select(models.jobs.c.state_generation).where(models.jobs.c.job_id == job_id)
        ).scalar_one()


def jdbc_value(engine: Engine, job_id: str):
    with engine.connect() as conn:
        return conn.execute(
            select(models.jdbc_state.c.incremental_column_value).where(
                models.jdbc_state.c.job_id == job_id
            )
        ).scalar_one()


def singer_state_file(engine: Engine, job_id: str):
    with engine.connect() as conn:
        return conn.execute(
            select(models.singer_state.c.state_file).where(models.singer_state.c.job_id == job_id)
        ).scalar_one()


def object_count(engine: Engine, job_id: str) -> int:
    with engine.connect() as conn:
        return len(
            conn.execute(
                select(models.object_state.c.object_key).where(
                    models.object_state.c.job_id == job_id
                )
            ).all()
        )


@contextmanager
def recorded_statements(engine: Engine) -> Iterator[list[str]]:
    """Collect the SQL text of every statement sent on ``engine``."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


@contextmanager
def failing_statement(engine: Engine, number: int) -> Iterator[list[str]]:
    """Make the database reject the ``number``-th statement (1-based) sent on ``engine``.

    The statement is swapped for one naming a table that does not exist, so
    the error is a genuine one raised by the database and its driver. Yields
    the statements seen, the failed one last.
    """
    seen: list[str] = []

    def swap(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)
        if len(seen) == number:
            # executemany runs the statement once per parameter set: give it one
            return "SELECT no_such_column FROM jobstate_no_such_table", [()] if executemany else ()
        return statement, parameters

    event.listen(engine, "before_cursor_execute", swap, retval=True)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", swap)
