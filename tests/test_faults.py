"""Fault injection: a database error at every statement of every writing use case.

For a reset, a per-stream reset, a pipeline reset and an executor commit, the
database rejects the 1st, 2nd, ... statement in turn, and then the COMMIT.
Each time: the documented answer (the API's 500 body; StateDatabaseError for
an executor), and nothing changed: state, generation, history. Then the same
operation succeeds.
"""

from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from jobstate_reset import models
from jobstate_reset.errors import StateDatabaseError
from tests.helpers import (
    add_job,
    failing_statement,
    new_pipeline_id,
    object_records,
    recorded_statements,
    snapshot,
)
from tests.test_strategies import SINGER_STATE

RESET_500 = """{
  "detail": "Unable to complete state reset due to database error"
}"""
PIPELINE_500 = """{
  "detail": "Unable to complete pipeline reset due to database error"
}"""


@contextmanager
def failing_commit(engine):
    """The database refuses the COMMIT (as it may, on a serialization failure)."""

    def refuse(conn):
        raise OperationalError("COMMIT", {}, RuntimeError("injected commit failure"))

    event.listen(engine, "commit", refuse)
    try:
        yield
    finally:
        event.remove(engine, "commit", refuse)


def history_count(engine, job_ids):
    with engine.connect() as conn:
        return conn.execute(
            select(func.count())
            .select_from(models.reset_history)
            .where(models.reset_history.c.job_id.in_(job_ids))
        ).scalar()


def everything(engine, job_ids):
    return [snapshot(engine, job_id) for job_id in job_ids], history_count(engine, job_ids)


def faults(engine, count):
    """Each statement in turn, then the commit."""
    for number in range(1, count + 1):
        yield f"statement {number}", failing_statement(engine, number)
    yield "commit", failing_commit(engine)


def check_every_fault(app_engine, engine, make_jobs, operation, succeeds, fails):
    """Fail each statement of an operation (and its commit) in turn.

    ``operation(jobs)`` prepares the operation (outside any fault) and returns
    the call to make; ``succeeds`` and ``fails`` make it and check the answer.
    A rehearsal on other jobs counts the statements first.
    """
    with recorded_statements(app_engine) as statements:
        call = operation(make_jobs())
        statements.clear()  # only the call's own statements
        succeeds(call)
    jobs = make_jobs()
    before = everything(engine, jobs)
    for where, fault in faults(app_engine, len(statements)):
        call = operation(jobs)
        with fault:
            fails(call)
        assert everything(engine, jobs) == before, where
    succeeds(operation(jobs))  # and now it works
    assert everything(engine, jobs) != before
    return len(statements)


def http_ok(call):
    response = call()
    assert response.status_code == 200, response.get_data()


def http_500(body):
    def fails(call):
        response = call()
        assert (response.status_code, response.get_data(as_text=True)) == (500, body)

    return fails


RESET_CASES = [
    ("jdbc", "incremental", "2026-11-30"),
    ("jdbc", "full_load", "1"),
    ("singer", "INCREMENTAL", SINGER_STATE),
    ("s3", "INCREMENTAL", object_records(20)),
    ("azure", "INCREMENTAL", object_records(20)),
]


@pytest.mark.parametrize(("connector", "load_type", "state"), RESET_CASES)
def test_reset(client, engine, db, report, connector, load_type, state):
    count = check_every_fault(
        db.engine,
        engine,
        lambda: [add_job(engine, connector, load_type, state=state)],
        lambda jobs: lambda: client.post(f"/platform/jobs/{jobs[0]}/reset-state"),
        http_ok,
        http_500(RESET_500),
    )
    report(f"fault injection ({engine.dialect.name}), reset {connector}/{load_type}: "
           f"{count} statements + commit")  # fmt: skip


def test_per_stream_reset(client, engine, db):
    check_every_fault(
        db.engine,
        engine,
        lambda: [add_job(engine, "singer", "INCREMENTAL", state=SINGER_STATE)],
        lambda jobs: (
            lambda: client.post(
                f"/platform/jobs/{jobs[0]}/reset-state", json={"streams": ["orders"]}
            )
        ),
        http_ok,
        http_500(RESET_500),
    )


def test_pipeline_reset_is_all_or_nothing(client, engine, db):
    def make_jobs():
        pipeline_id = new_pipeline_id()
        return [
            add_job(engine, "jdbc", "incremental", state=state, pipeline_id=pipeline_id, index=n)
            for n, state in enumerate(["1", "2", None, "4"])
        ]

    check_every_fault(
        db.engine,
        engine,
        make_jobs,
        lambda jobs: (
            lambda: client.post(f"/platform/pipelines/{jobs[0].rsplit('_', 1)[0]}/reset-state")
        ),
        http_ok,
        http_500(PIPELINE_500),
    )


@pytest.mark.parametrize(
    ("connector", "state", "new_state"),
    [
        ("jdbc", "1", {"incremental_column_value": "2"}),
        ("jdbc", None, {"incremental_column_value": "2"}),
        ("singer", SINGER_STATE, {"bookmarks": {}}),
        ("s3", object_records(2), {"files": {"x": "2026-12-01T00:00:00Z"}}),
    ],
)
def test_executor_commit(extension, engine, db, connector, state, new_state):
    def committed(call):
        assert call() is True

    def raises(call):
        with pytest.raises(StateDatabaseError, match="Unable to complete run commit"):
            call()

    check_every_fault(
        db.engine,
        engine,
        lambda: [add_job(engine, connector, "INCREMENTAL", state=state)],
        # the run begins outside the fault: only the commit's statements fail
        lambda jobs: (lambda run: lambda: run.commit(new_state))(extension.begin_run(jobs[0])),
        committed,
        raises,
    )
