"""The executor API: begin_run / commit, and a reset that a run cannot undo."""

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, select

from jobstate_reset import models
from jobstate_reset.errors import JobNotFoundError
from jobstate_reset.strategies.base import InvalidStateError
from tests.helpers import (
    add_job,
    jdbc_value,
    object_count,
    object_records,
    recorded_statements,
    singer_state_file,
    snapshot,
)
from tests.test_strategies import SINGER_STATE


def processed_files(engine, job_id):
    table = models.object_state
    with engine.connect() as conn:
        rows = conn.execute(
            select(table.c.object_key, table.c.last_modified).where(table.c.job_id == job_id)
        )
        return {key: modified.isoformat() for key, modified in rows}


def test_jdbc_run_reads_and_commits_its_high_water_mark(extension, engine):
    job_id = add_job(engine, "jdbc", "incremental", state="100")
    run = extension.begin_run(job_id)
    assert (run.job_id, run.connector, run.load_type) == (job_id, "jdbc", "incremental")
    assert run.state == {"incremental_column_value": "100"}
    assert run.generation == 0
    assert run.commit({"incremental_column_value": 250}) is True
    assert jdbc_value(engine, job_id) == "250"
    # checkpoints: a run may commit more than once while no reset intervenes
    assert run.commit({"incremental_column_value": datetime(2026, 12, 1, 8, 30)}) is True
    assert jdbc_value(engine, job_id) == "2026-12-01T08:30:00"


def test_jdbc_run_creates_the_state_row_it_lacks(extension, engine):
    job_id = add_job(engine, "jdbc", "incremental")
    run = extension.begin_run(job_id)
    assert run.state == {"incremental_column_value": None}
    assert run.commit({"incremental_column_value": "7"}) is True
    assert jdbc_value(engine, job_id) == "7"


@pytest.mark.parametrize(
    ("connector", "load_type", "state", "new_state"),
    [
        ("jdbc", "incremental", "1", {"incremental_column_value": "2"}),
        ("singer", "INCREMENTAL", SINGER_STATE, {"bookmarks": {"orders": {"v": 9}}}),
        ("s3", "INCREMENTAL", object_records(3), {"files": {"new.csv": "2026-12-01T00:00:00Z"}}),
        ("azure", "INCREMENTAL", object_records(3), {"files": {"n.csv": "2026-12-01T00:00:00Z"}}),
    ],
)
def test_a_reset_since_begin_run_makes_the_commit_write_nothing(
    app, extension, engine, connector, load_type, state, new_state
):
    job_id = add_job(engine, connector, load_type, state=state)
    run = extension.begin_run(job_id)
    assert app.test_client().post(f"/platform/jobs/{job_id}/reset-state").status_code == 200
    after_reset = snapshot(engine, job_id)

    assert run.commit(new_state) is False

    assert snapshot(engine, job_id) == after_reset
    # a run that began after the reset commits as usual
    fresh = extension.begin_run(job_id)
    assert fresh.generation == run.generation + 1
    assert fresh.commit(new_state) is True
    assert snapshot(engine, job_id) != after_reset


def test_singer_run_round_trip(extension, engine):
    job_id = add_job(engine, "singer", "INCREMENTAL", state=SINGER_STATE)
    run = extension.begin_run(job_id)
    assert run.state == SINGER_STATE
    new_state = {"bookmarks": {"orders": {"replication_key_value": "2026-12-02"}}}
    assert run.commit(new_state) is True
    assert singer_state_file(engine, job_id) == new_state


def test_singer_run_without_state(extension, engine):
    job_id = add_job(engine, "singer", "INCREMENTAL")
    run = extension.begin_run(job_id)
    assert run.state is None
    assert run.commit({"bookmarks": {"a": {"v": 1}}}) is True
    assert singer_state_file(engine, job_id) == {"bookmarks": {"a": {"v": 1}}}


def test_object_store_state_is_a_summary_and_commits_add_or_update(extension, engine):
    records = object_records(4)
    job_id = add_job(engine, "s3", "INCREMENTAL", state=records)
    run = extension.begin_run(job_id)
    assert run.state == {"files": 4, "last_modified": records[-1][1].isoformat()}

    first_key = records[0][0]
    assert run.processed([first_key, "never-seen.csv", first_key]) == {
        first_key: records[0][1].isoformat()
    }
    assert (
        run.commit(
            {
                "files": {
                    first_key: "2026-12-03T10:00:00.123456+00:00",  # updated
                    "fresh.csv": "2026-12-03T11:00:00Z",  # added
                }
            }
        )
        is True
    )
    files = processed_files(engine, job_id)
    assert len(files) == 5  # the others were left alone
    assert files[first_key] == "2026-12-03T10:00:00.123456+00:00"
    assert files["fresh.csv"] == "2026-12-03T11:00:00+00:00"
    assert files[records[1][0]] == records[1][1].isoformat()


def test_processed_looks_up_many_keys_in_batches(extension, engine):
    records = object_records(1200)
    job_id = add_job(engine, "s3", "INCREMENTAL", state=records)
    run = extension.begin_run(job_id)
    asked = [key for key, _ in records[::2]] + [f"missing-{n}" for n in range(300)]
    with recorded_statements(extension_engine(extension)) as statements:
        found = run.processed(asked)
    assert found == {key: modified.isoformat() for key, modified in records[::2]}
    lookups = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(lookups) == 2  # 900 keys, 500 a statement


@pytest.mark.parametrize(
    ("connector", "bad"),
    [
        ("jdbc", {"incremental_column_value": True}),
        ("jdbc", {"incremental_column_value": "1", "extra": 2}),
        ("jdbc", "5"),
        ("singer", ["not", "an", "object"]),
        ("singer", {"bookmarks": {"a": object()}}),
        ("s3", {"files": ["a.csv"]}),
        ("s3", {"files": {"a.csv": "yesterday"}}),
        ("s3", {"files": {"a.csv": "2026-12-01T00:00:00"}}),  # no zone
        ("s3", {"files": {"": "2026-12-01T00:00:00Z"}}),
        ("s3", {"files": {}, "more": 1}),
        ("s3", ["files"]),
    ],
)
def test_a_malformed_state_is_refused_and_writes_nothing(extension, engine, connector, bad):
    job_id = add_job(engine, connector, "INCREMENTAL", state=None if connector != "s3" else [])
    before = snapshot(engine, job_id)
    run = extension.begin_run(job_id)
    with pytest.raises(InvalidStateError):
        run.commit(bad)
    assert snapshot(engine, job_id) == before


def test_begin_run_holds_no_transaction_or_lock(app, extension, engine, db):
    job_id = add_job(engine, "jdbc", "incremental", state="1")
    run = extension.begin_run(job_id)
    assert db.engine.pool.checkedout() == 0
    # another transaction can take the row lock at once (NOWAIT would fail otherwise)
    with engine.connect() as conn:
        query = select(models.jobs.c.job_id).where(models.jobs.c.job_id == job_id)
        if engine.dialect.name != "sqlite":
            query = query.with_for_update(nowait=True)
        assert conn.execute(query).scalar_one() == job_id
        conn.rollback()
    assert run.commit({"incremental_column_value": "2"}) is True
    assert db.engine.pool.checkedout() == 0


def test_the_handle_outlives_its_context(extension, engine):
    """Commit from a thread that has no app context of its own."""
    job_id = add_job(engine, "s3", "INCREMENTAL", state=[])
    run = extension.begin_run(job_id)
    results = []
    worker = threading.Thread(
        target=lambda: results.append(run.commit({"files": {"k": datetime.now(UTC)}}))
    )
    worker.start()
    worker.join()
    assert results == [True]
    assert object_count(engine, job_id) == 1


def test_the_run_does_not_touch_the_callers_session(extension, engine, db, server_database):
    """Not on SQLite: there the caller's pending write locks out every other session."""
    job_id = add_job(engine, "jdbc", "incremental", state="1")
    other = add_job(engine, "jdbc", "incremental", state="1")
    db.session.execute(delete(models.jdbc_state).where(models.jdbc_state.c.job_id == other))
    run = extension.begin_run(job_id)
    assert run.commit({"incremental_column_value": "2"}) is True
    db.session.rollback()
    assert jdbc_value(engine, other) == "1"


def test_begin_run_of_an_unknown_or_malformed_job(extension, engine):
    with pytest.raises(JobNotFoundError):
        extension.begin_run("invalid_job_id")
    with pytest.raises(JobNotFoundError):
        extension.begin_run("1b33ad2f_33d3_4837_9eeb_83c82c8b909d_0")


def test_commit_of_a_deleted_job(extension, engine):
    job_id = add_job(engine, "jdbc", "incremental", state="1")
    run = extension.begin_run(job_id)
    with engine.begin() as conn:
        conn.execute(delete(models.jdbc_state).where(models.jdbc_state.c.job_id == job_id))
        conn.execute(delete(models.jobs).where(models.jobs.c.job_id == job_id))
    with pytest.raises(JobNotFoundError):
        run.commit({"incremental_column_value": "2"})


def extension_engine(extension):
    return extension._db_by_app[next(iter(extension._db_by_app))].engine
