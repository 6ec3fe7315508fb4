"""One transaction per reset: a database error anywhere leaves everything as it was."""

import logging

import pytest
from sqlalchemy import update

from jobstate_reset import ResetStrategy, models
from jobstate_reset.errors import JobNotFoundError
from tests.helpers import (
    add_job,
    failing_statement,
    object_records,
    recorded_statements,
    snapshot,
)
from tests.test_strategies import SINGER_STATE
from tests.test_views import DATABASE_ERROR_BODY, SUCCESS_BODY, reset_url

CASES = [
    ("jdbc", "incremental", "2026-11-30"),
    ("jdbc", "incremental_with_qualify", "2026-11-30"),
    ("singer", "INCREMENTAL", SINGER_STATE),
    ("s3", "INCREMENTAL", object_records(50)),
    ("azure", "INCREMENTAL", object_records(50)),
]


@pytest.mark.parametrize(("connector", "load_type", "state"), CASES)
def test_a_database_error_at_any_statement_rolls_everything_back(
    client, engine, db, caplog, connector, load_type, state
):
    rehearsal = add_job(engine, connector, load_type, state=state)
    with recorded_statements(db.engine) as statements:
        assert client.post(reset_url(rehearsal)).status_code == 200
    assert statements, "a reset sends statements"

    job_id = add_job(engine, connector, load_type, state=state)
    before = snapshot(engine, job_id)
    for number in range(1, len(statements) + 1):
        caplog.clear()
        with (
            caplog.at_level(logging.ERROR, logger="jobstate_reset"),
            failing_statement(db.engine, number) as seen,
        ):
            response = client.post(reset_url(job_id))
        assert len(seen) == number, "the failed statement ends the reset"
        assert response.status_code == 500
        assert response.get_data(as_text=True) == DATABASE_ERROR_BODY
        assert snapshot(engine, job_id) == before
        # the cause is logged with the job id, and only there
        [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert job_id in record.getMessage()
        assert "jobstate_no_such_table" in caplog.text
        assert "no_such_table" not in response.get_data(as_text=True)

    response = client.post(reset_url(job_id))
    assert response.get_data(as_text=True) == SUCCESS_BODY % job_id


def test_python_api_resets_in_an_app_context(app, engine, extension):
    job_id = add_job(engine, "jdbc", "incremental", state="1")
    with app.app_context():
        outcome = extension.reset(job_id.upper())
    assert outcome.job_id == job_id
    assert outcome.connector == "jdbc"
    assert snapshot(engine, job_id)["jdbc"][0]["incremental_column_value"] is None
    with app.app_context(), pytest.raises(JobNotFoundError):
        extension.reset("invalid_job_id")


class CommittingStrategy(ResetStrategy):
    """Breaks the contract: writes, then commits the service's transaction."""

    connector_types = ("rogue",)
    label = "rogue"

    def _clear(self, session, job):
        session.execute(
            update(models.jobs).where(models.jobs.c.job_id == job.job_id).values(load_type="x")
        )
        session.commit()


class RollingBackStrategy(ResetStrategy):
    """Breaks the contract: rolls back, then writes in a transaction of its own."""

    connector_types = ("unruly",)
    label = "unruly"

    def _clear(self, session, job):
        session.rollback()
        session.execute(
            update(models.jobs).where(models.jobs.c.job_id == job.job_id).values(load_type="x")
        )


class HalfDoneStrategy(ResetStrategy):
    """Changes something, then fails with a non-database error."""

    connector_types = ("flaky",)
    label = "flaky"

    def _clear(self, session, job):
        session.execute(
            update(models.jobs)
            .where(models.jobs.c.job_id == job.job_id)
            .values(load_type="changed")
        )
        raise RuntimeError("strategy bug")


@pytest.mark.parametrize(
    ("strategy", "complaint"),
    [(CommittingStrategy(), "must not commit"), (RollingBackStrategy(), "must not roll back")],
)
def test_a_strategy_cannot_end_the_transaction(
    client, engine, extension, caplog, strategy, complaint
):
    extension.register_strategy(strategy)
    job_id = add_job(engine, strategy.connector_types[0], "incremental")
    before = snapshot(engine, job_id)
    response = client.post(reset_url(job_id))
    assert response.status_code == 500
    assert response.json == {"detail": "Internal server error"}
    assert complaint in caplog.text
    assert snapshot(engine, job_id) == before


def test_an_unexpected_error_rolls_back_and_answers_json(client, engine, extension, caplog):
    extension.register_strategy(HalfDoneStrategy())
    job_id = add_job(engine, "flaky", "incremental")
    before = snapshot(engine, job_id)
    response = client.post(reset_url(job_id))
    assert response.status_code == 500
    assert response.json == {"detail": "Internal server error"}
    assert "strategy bug" not in response.get_data(as_text=True)
    assert "strategy bug" in caplog.text
    assert snapshot(engine, job_id) == before


def test_the_reset_leaves_the_hosts_session_alone(app, client, engine, db, server_database):
    """The reset runs in a session of its own: the host's pending work in the
    request is neither committed nor rolled back by it (and, failing, not
    dragged down with it). Not on SQLite: there a pending write locks out
    every other session."""
    job_id = add_job(engine, "jdbc", "incremental", state="5")
    other = add_job(engine, "jdbc", "incremental", state="6")
    seen_after_reset = []

    @app.before_request
    def host_work():
        db.session.execute(
            update(models.jobs).where(models.jobs.c.job_id == other).values(load_type="full_load")
        )

    @app.after_request
    def host_checks(response):
        seen_after_reset.append(db.session().in_transaction())
        db.session.rollback()  # the host decides: this request's own work is dropped
        return response

    assert client.post(reset_url(job_id)).status_code == 200
    assert seen_after_reset == [True]  # the reset did not end the host's transaction
    assert snapshot(engine, other)["job"]["load_type"] == "incremental"
    assert snapshot(engine, job_id)["jdbc"][0]["incremental_column_value"] is None
