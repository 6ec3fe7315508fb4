"""What a reset clears for each connector type and load type, and what it keeps."""

import pytest
from sqlalchemy import text

from jobstate_reset.strategies.singer import without_bookmarks
from tests.helpers import (
    add_job,
    generation,
    jdbc_value,
    object_count,
    object_records,
    recorded_statements,
    singer_state_file,
    snapshot,
    without_generation,
)

SINGER_STATE = {
    "bookmarks": {
        "orders": {"replication_key": "updated_at", "replication_key_value": "2026-11-30"},
        "customers": {"replication_key": "id", "replication_key_value": 1200},
    },
    "currently_syncing": "orders",
    "version": 3,
}


def reset(client, job_id):
    return client.post(f"/platform/jobs/{job_id}/reset-state")


@pytest.mark.parametrize("load_type", ["incremental", "incremental_with_qualify"])
def test_jdbc_incremental_clears_the_value_and_keeps_the_settings(client, engine, load_type):
    job_id = add_job(engine, "jdbc", load_type, state="2026-11-30 23:59:59", primary_keys=["id"])
    sibling = add_job(engine, "jdbc", load_type, state="7")
    before = snapshot(engine, job_id)

    assert reset(client, job_id).status_code == 200

    assert jdbc_value(engine, job_id) is None  # SQL NULL, not 'null' or ''
    after = snapshot(engine, job_id)
    # load type, incremental column and primary keys (the qualify settings) stay
    assert without_generation(after)["job"] == without_generation(before)["job"]
    assert after["job"]["primary_keys"] == ["id"]
    assert generation(engine, job_id) == before["job"]["state_generation"] + 1
    assert jdbc_value(engine, sibling) == "7"


def test_jdbc_full_load_has_nothing_to_clear(client, engine):
    """The state row is not written at all: no new row version, no write lock held."""
    job_id = add_job(engine, "jdbc", "full_load", state=None)
    before = snapshot(engine, job_id)
    version_before = jdbc_row_version(engine, job_id)
    with recorded_statements(engine_of(client)) as statements:
        assert reset(client, job_id).status_code == 200
    assert without_generation(snapshot(engine, job_id)) == without_generation(before)
    if engine.dialect.name == "postgresql":
        # One UPDATE reads and clears, and matches no row (xmin names the
        # transaction that last wrote the row).
        assert version_before is not None
        assert jdbc_row_version(engine, job_id) == version_before
    else:
        updates = [s for s in statements if s.lstrip().upper().startswith("UPDATE")]
        assert [s.split()[1] for s in updates] == ["jobstate_jobs"]  # the generation only


def jdbc_row_version(engine, job_id):
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as conn:
        return conn.scalar(
            text("SELECT xmin::text FROM jobstate_jdbc_state WHERE job_id = :job_id"),
            {"job_id": job_id},
        )


def test_jdbc_full_load_loses_a_stale_mark(client, engine):
    """Left from an earlier incremental life, it must not survive a reset."""
    job_id = add_job(engine, "jdbc", "full_load", state="2026-01-01")
    assert reset(client, job_id).status_code == 200
    assert jdbc_value(engine, job_id) is None


def test_jdbc_job_without_state_row(client, engine):
    job_id = add_job(engine, "jdbc", "incremental")
    assert reset(client, job_id).status_code == 200
    assert snapshot(engine, job_id)["jdbc"] == []


@pytest.mark.parametrize("replication", ["INCREMENTAL", "FULL_TABLE"])
def test_singer_drops_every_bookmark_and_keeps_other_keys(client, engine, replication):
    job_id = add_job(engine, "singer", replication, state=SINGER_STATE)
    sibling = add_job(engine, "singer", replication, state=SINGER_STATE)

    assert reset(client, job_id).status_code == 200

    assert singer_state_file(engine, job_id) == {"bookmarks": {}, "version": 3}
    assert singer_state_file(engine, sibling) == SINGER_STATE


def test_singer_job_without_state_row(client, engine):
    job_id = add_job(engine, "singer", "INCREMENTAL")
    assert reset(client, job_id).status_code == 200
    assert snapshot(engine, job_id)["singer"] == []


@pytest.mark.parametrize("corrupt", [["not", "an", "object"], "text", 12])
def test_singer_corrupt_state_file_becomes_empty(client, engine, corrupt):
    job_id = add_job(engine, "singer", "INCREMENTAL", state=corrupt)
    assert reset(client, job_id).status_code == 200
    assert singer_state_file(engine, job_id) == {"bookmarks": {}}


def test_without_bookmarks_does_not_touch_its_argument():
    state = {"bookmarks": {"a": {}}, "currently_syncing": "a"}
    assert without_bookmarks(state) == {"bookmarks": {}}
    assert state == {"bookmarks": {"a": {}}, "currently_syncing": "a"}


@pytest.mark.parametrize("connector", ["s3", "azure"])
@pytest.mark.parametrize("replication", ["INCREMENTAL", "FULL_TABLE"])
def test_object_store_forgets_every_processed_object(client, engine, connector, replication):
    job_id = add_job(engine, connector, replication, state=object_records(25))
    sibling = add_job(engine, connector, replication, state=object_records(3))

    assert reset(client, job_id).status_code == 200

    assert object_count(engine, job_id) == 0
    assert object_count(engine, sibling) == 3


def test_object_store_clears_thousands_in_one_statement(client, engine):
    job_id = add_job(engine, "s3", "INCREMENTAL", state=object_records(5000))
    with recorded_statements(engine_of(client)) as statements:
        assert reset(client, job_id).status_code == 200
    assert object_count(engine, job_id) == 0
    deletes = [s for s in statements if s.lstrip().upper().startswith("DELETE")]
    assert len(deletes) == 1
    # the transaction's setting (not on SQLite), the job's row lock and
    # generation (one UPDATE ... RETURNING where the database has it), the
    # newest LastModified (for the history), the DELETE, the history record
    assert len(statements) == {"sqlite": 4, "postgresql": 5, "mysql": 6}[engine.dialect.name]


@pytest.mark.parametrize(
    ("connector", "load_type", "state"),
    [
        ("jdbc", "incremental", "99"),
        ("jdbc", "incremental_with_qualify", "99"),
        ("jdbc", "full_load", None),
        ("singer", "INCREMENTAL", SINGER_STATE),
        ("s3", "INCREMENTAL", object_records(4)),
        ("azure", "INCREMENTAL", object_records(4)),
    ],
)
def test_a_repeated_reset_succeeds_and_changes_nothing_more(
    client, engine, connector, load_type, state
):
    job_id = add_job(engine, connector, load_type, state=state)
    assert reset(client, job_id).status_code == 200
    after_first = snapshot(engine, job_id)
    second = reset(client, job_id)
    assert second.status_code == 200
    assert second.json["status"] is True
    assert without_generation(snapshot(engine, job_id)) == without_generation(after_first)
    assert generation(engine, job_id) == after_first["job"]["state_generation"] + 1


def engine_of(client):
    """The engine the app under test sends its statements on."""
    return client.application.extensions["sqlalchemy"].engine
