"""A job row held by a long transaction: give up after the lock timeout, say "busy".

On PostgreSQL and MariaDB (SQLite has no row locks to wait for).
"""

import threading
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select, text

from jobstate_reset import JobStateReset, models
from jobstate_reset.errors import JobBusyError
from tests.helpers import add_job, jdbc_value, new_pipeline_id, object_records, snapshot

TIMEOUT = 1


@pytest.fixture
def impatient_app(app, server_database):
    app.config["JOBSTATE_RESET_LOCK_TIMEOUT"] = TIMEOUT
    return app


@contextmanager
def held(engine, job_id):
    """Another transaction holding the job's row, as a long-running one would."""
    with engine.connect() as holder:
        holder.execute(
            select(models.jobs.c.job_id).where(models.jobs.c.job_id == job_id).with_for_update()
        )
        yield
        holder.rollback()


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


@pytest.mark.parametrize(
    ("connector", "state"),
    [("jdbc", "7"), ("s3", object_records(5)), ("singer", {"bookmarks": {}})],
)
def test_a_reset_gives_up_and_says_busy(impatient_app, engine, connector, state):
    job_id = add_job(engine, connector, "INCREMENTAL", state=state)
    before = snapshot(engine, job_id)
    client = impatient_app.test_client()
    with held(engine, job_id):
        response, waited = timed(lambda: client.post(f"/platform/jobs/{job_id}/reset-state"))
    assert response.status_code == 409
    assert response.json == {
        "detail": f"job_id {job_id} is busy: another operation holds it; nothing was changed, "
        "try again"
    }
    assert response.headers["Retry-After"] == "1"
    assert TIMEOUT * 0.9 <= waited < TIMEOUT + 3
    assert snapshot(engine, job_id) == before
    # the lock released, the same request goes through
    assert client.post(f"/platform/jobs/{job_id}/reset-state").status_code == 200


def test_every_use_case_is_bounded(impatient_app, engine, extension):
    pipeline_id = new_pipeline_id()
    job_id = add_job(engine, "jdbc", "incremental", state="7", pipeline_id=pipeline_id)
    run = extension.begin_run(job_id)
    client = impatient_app.test_client()
    with held(engine, job_id):
        for method, url in [
            ("POST", f"/platform/jobs/{job_id}/reset-state?dry_run=true"),
            ("GET", f"/platform/jobs/{job_id}/state"),
            ("GET", f"/platform/jobs/{job_id}/state/history"),
        ]:
            assert client.open(url, method=method).status_code == 409, url
        response = client.post(f"/platform/pipelines/{pipeline_id}/reset-state")
        assert response.status_code == 409
        assert response.json["detail"].startswith(f"pipeline_id {pipeline_id} is busy")
        with pytest.raises(JobBusyError):
            run.commit({"incremental_column_value": "8"})
        with pytest.raises(JobBusyError):
            extension.begin_run(job_id)
    assert run.commit({"incremental_column_value": "8"}) is True


def test_the_timeout_does_not_stay_on_the_hosts_connections(impatient_app, engine, db):
    """Transaction-local on PostgreSQL, one statement on MariaDB: nothing lingers."""
    job_id = add_job(engine, "jdbc", "incremental", state="7")
    client = impatient_app.test_client()
    with held(engine, job_id):
        assert client.post(f"/platform/jobs/{job_id}/reset-state").status_code == 409
    assert client.post(f"/platform/jobs/{job_id}/reset-state").status_code == 200
    as_configured = {
        "postgresql": "SELECT setting = reset_val FROM pg_settings WHERE name = 'lock_timeout'",
        "mysql": "SELECT @@SESSION.innodb_lock_wait_timeout = @@GLOBAL.innodb_lock_wait_timeout",
    }[engine.dialect.name]
    for _ in range(db.engine.pool.size()):
        with db.engine.connect() as conn:
            assert conn.execute(text(as_configured)).scalar() in (True, 1)


def test_no_timeout_configured_waits_as_the_database_does(app, engine, server_database):
    app.config["JOBSTATE_RESET_LOCK_TIMEOUT"] = None
    job_id = add_job(engine, "jdbc", "incremental", state="7")

    def release_later():
        with held(engine, job_id):
            started.set()
            time.sleep(TIMEOUT + 0.5)

    started = threading.Event()
    holder = threading.Thread(target=release_later)
    holder.start()
    started.wait(5)
    response, waited = timed(lambda: app.test_client().post(f"/platform/jobs/{job_id}/reset-state"))
    holder.join()
    assert response.status_code == 200
    assert waited >= TIMEOUT + 0.3


def test_another_customers_busy_job_is_still_just_not_found(database_url, engine, server_database):
    """Waiting on the row, then answering 409, would reveal the job: the other
    customer gets the 404 of a missing job at once, even while the row is held."""
    from tests.test_security import ALICE, BOB, make_app
    from tests.test_security import identity as token_identity

    for app in make_app(database_url, JOBSTATE_RESET_LOCK_TIMEOUT=TIMEOUT):
        JobStateReset(app, identity=token_identity)
        client = app.test_client()
        pipeline_id = new_pipeline_id()
        job_id = add_job(
            engine, "jdbc", "incremental", state="7", pipeline_id=pipeline_id,
            customer_id="customer-a",
        )  # fmt: skip
        routes = [
            ("POST", f"/platform/jobs/{job_id}/reset-state"),
            ("POST", f"/platform/jobs/{job_id}/reset-state?dry_run=true"),
            ("GET", f"/platform/jobs/{job_id}/state"),
            ("GET", f"/platform/jobs/{job_id}/state/history"),
            ("POST", f"/platform/pipelines/{pipeline_id}/reset-state"),
        ]
        with held(engine, job_id):
            for method, url in routes:
                response, waited = timed(
                    lambda c=client, m=method, u=url: c.open(u, method=m, headers=BOB)
                )
                assert response.status_code == 404, url
                assert waited < TIMEOUT / 2, url
            owner = client.post(f"/platform/jobs/{job_id}/reset-state", headers=ALICE)
            assert owner.status_code == 409


def test_a_table_lock_is_bounded_too(impatient_app, engine):
    """A deploy's ALTER TABLE holds the whole table, not a row."""
    job_id = add_job(engine, "jdbc", "incremental", state="7")
    lock = {
        "postgresql": "LOCK TABLE jobstate_jobs IN ACCESS EXCLUSIVE MODE",
        "mysql": "LOCK TABLES jobstate_jobs WRITE",
    }[engine.dialect.name]
    with engine.connect() as holder:
        holder.execute(text(lock))
        response, waited = timed(
            lambda: impatient_app.test_client().post(f"/platform/jobs/{job_id}/reset-state")
        )
        if engine.dialect.name == "mysql":
            holder.execute(text("UNLOCK TABLES"))
        holder.rollback()
    assert response.status_code == 409
    assert waited < TIMEOUT + 3


def test_a_table_lock_bounds_a_customers_request_as_well(database_url, engine, server_database):
    """A customer's request checks ownership with a plain read, which MariaDB
    would let wait for the table lock as long as the lock lasts."""
    from tests.test_security import ALICE, make_app
    from tests.test_security import identity as token_identity

    pipeline_id = new_pipeline_id()
    job_id = add_job(
        engine, "jdbc", "incremental", state="7", pipeline_id=pipeline_id, customer_id="customer-a"
    )
    lock = {
        "postgresql": "LOCK TABLE jobstate_jobs IN ACCESS EXCLUSIVE MODE",
        "mysql": "LOCK TABLES jobstate_jobs WRITE",
    }[engine.dialect.name]
    for app in make_app(database_url, JOBSTATE_RESET_LOCK_TIMEOUT=TIMEOUT):
        JobStateReset(app, identity=token_identity)
        client = app.test_client()
        for url in (
            f"/platform/jobs/{job_id}/reset-state",
            f"/platform/pipelines/{pipeline_id}/reset-state",
        ):
            answers = []
            request = threading.Thread(
                target=lambda c=client, u=url, a=answers: a.append(
                    timed(lambda: c.post(u, headers=ALICE))
                )
            )
            with engine.connect() as holder:
                holder.execute(text(lock))
                request.start()
                request.join(TIMEOUT + 3)  # a request that waits on is not let hang the test
                if engine.dialect.name == "mysql":
                    holder.execute(text("UNLOCK TABLES"))
                holder.rollback()
            request.join()
            [(response, waited)] = answers
            assert response.status_code == 409, url
            assert waited < TIMEOUT + 3, url
    assert jdbc_value(engine, job_id) == "7"


def test_a_reset_in_progress_does_not_stall_a_neighbouring_jobs_commit(
    impatient_app, engine, extension, db
):
    """MariaDB at REPEATABLE READ would lock the gap after a reset's deleted
    records, where the next job's new records fall. The plugin's transactions
    run at READ COMMITTED there: a real reset is paused right after its DELETE
    while the neighbouring job's run commits."""
    pipeline_id = new_pipeline_id()
    first = add_job(engine, "s3", "INCREMENTAL", state=object_records(50), pipeline_id=pipeline_id)
    second = add_job(engine, "s3", "INCREMENTAL", state=[], pipeline_id=pipeline_id, index=1)
    run = extension.begin_run(second)
    deleted, go_on = threading.Event(), threading.Event()

    def pause_after_the_delete(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("DELETE FROM JOBSTATE_OBJECT_STATE"):
            deleted.set()
            go_on.wait(10)

    event.listen(db.engine, "after_cursor_execute", pause_after_the_delete)
    resets = []
    resetting = threading.Thread(
        target=lambda: resets.append(
            impatient_app.test_client().post(f"/platform/jobs/{first}/reset-state").status_code
        )
    )
    try:
        resetting.start()
        assert deleted.wait(10)
        committed, waited = timed(
            lambda: run.commit({"files": {"data/part-0000001.parquet": "2026-12-01T00:00:00Z"}})
        )
    finally:
        go_on.set()
        resetting.join()
        event.remove(db.engine, "after_cursor_execute", pause_after_the_delete)
    assert committed is True
    assert waited < TIMEOUT / 2
    assert resets == [200]
