"""flask jobstate ...: the same use cases and messages as the routes."""

import json

from sqlalchemy import inspect

from jobstate_reset import models
from tests.helpers import add_job, jdbc_value, new_pipeline_id, singer_state_file, snapshot
from tests.test_strategies import SINGER_STATE


def test_reset_asks_first(runner, engine):
    job_id = add_job(engine, "jdbc", "incremental", state="3")
    refused = runner.invoke(args=["jobstate", "reset", job_id], input="n\n")
    assert refused.exit_code == 1
    assert "This cannot be undone" in refused.output
    assert jdbc_value(engine, job_id) == "3"

    accepted = runner.invoke(args=["jobstate", "reset", job_id], input="y\n")
    assert accepted.exit_code == 0
    assert f"Successfully reset state for job_id {job_id}" in accepted.output
    assert jdbc_value(engine, job_id) is None


def test_reset_with_yes_prints_the_api_body(runner, engine):
    job_id = add_job(engine, "jdbc", "incremental", state="3")
    result = runner.invoke(args=["jobstate", "reset", job_id, "--yes"])
    assert result.exit_code == 0
    assert json.loads(result.output) == {
        "status": True,
        "detail": f"Successfully reset state for job_id {job_id}",
        "message": "Next job execution will start from beginning (full load/extraction)",
    }


def test_reset_records_cli_as_the_actor(runner, engine):
    job_id = add_job(engine, "jdbc", "incremental", state="3")
    runner.invoke(args=["jobstate", "reset", job_id, "--yes"])
    result = runner.invoke(args=["jobstate", "history", job_id])
    assert result.exit_code == 0
    [entry] = json.loads(result.output)["items"]
    assert entry["actor"] == "cli"


def test_dry_run_needs_no_confirmation_and_changes_nothing(runner, engine):
    job_id = add_job(engine, "jdbc", "incremental", state="3")
    before = snapshot(engine, job_id)
    result = runner.invoke(args=["jobstate", "reset", job_id, "--dry-run"])
    assert result.exit_code == 0
    assert json.loads(result.output)["would_clear"] == {"incremental_column_value": "3"}
    assert snapshot(engine, job_id) == before


def test_streams(runner, engine):
    job_id = add_job(engine, "singer", "INCREMENTAL", state=SINGER_STATE)
    result = runner.invoke(
        args=["jobstate", "reset", job_id, "--stream", "orders", "--stream", "customers", "--yes"]
    )
    assert result.exit_code == 0
    assert json.loads(result.output)["streams"] == ["orders", "customers"]
    assert singer_state_file(engine, job_id) == {"bookmarks": {}, "version": 3}


def test_errors_exit_non_zero_with_the_apis_message(runner, engine):
    result = runner.invoke(args=["jobstate", "reset", "invalid_job_id", "--yes"])
    assert result.exit_code == 1
    assert json.loads(result.output) == {"detail": "job_id invalid_job_id not found"}

    job_id = add_job(engine, "singer", "INCREMENTAL", state=SINGER_STATE)
    result = runner.invoke(args=["jobstate", "reset", job_id, "--stream", "nope", "--yes"])
    assert result.exit_code == 1
    assert json.loads(result.output) == {
        "detail": f"Unknown streams for job_id {job_id}: nope",
        "errors": {"streams": ["Unknown stream: nope"]},
        "known_streams": ["customers", "orders"],
    }


def test_reset_pipeline(runner, engine):
    pipeline_id = new_pipeline_id()
    jobs = [
        add_job(engine, "jdbc", "incremental", state="1", pipeline_id=pipeline_id, index=n)
        for n in range(2)
    ]
    refused = runner.invoke(args=["jobstate", "reset-pipeline", pipeline_id], input="n\n")
    assert refused.exit_code == 1
    assert [jdbc_value(engine, job) for job in jobs] == ["1", "1"]
    result = runner.invoke(args=["jobstate", "reset-pipeline", pipeline_id, "--yes"])
    assert result.exit_code == 0
    assert json.loads(result.output)["job_ids"] == jobs
    assert [jdbc_value(engine, job) for job in jobs] == [None, None]
    missing = runner.invoke(args=["jobstate", "reset-pipeline", "nope", "--yes"])
    assert missing.exit_code == 1
    assert json.loads(missing.output) == {"detail": "pipeline_id nope not found"}


def test_show(runner, engine):
    job_id = add_job(engine, "jdbc", "incremental", state="3")
    result = runner.invoke(args=["jobstate", "show", job_id])
    assert result.exit_code == 0
    assert json.loads(result.output)["state"] == {"incremental_column_value": "3"}


def test_history_rejects_a_bad_cursor(runner, engine):
    job_id = add_job(engine, "jdbc", "incremental", state="3")
    result = runner.invoke(args=["jobstate", "history", job_id, "--cursor", "abc"])
    assert result.exit_code == 1
    assert "cursor" in result.output


def test_init_db_creates_the_missing_tables(runner, engine):
    models.reset_history.drop(engine)
    assert "jobstate_reset_history" not in inspect(engine).get_table_names()
    result = runner.invoke(args=["jobstate", "init-db"])
    assert result.exit_code == 0, result.output
    assert "jobstate_reset_history" in inspect(engine).get_table_names()
    assert "jobstate_reset_history" in result.output
