"""Row locking and concurrent resets, on PostgreSQL and MariaDB.

SQLite has no row locks (it renders no FOR UPDATE and locks the whole file),
so these tests prove nothing there and are skipped on it.
"""

import contextlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, text

from jobstate_reset import models
from tests.helpers import (
    add_job,
    jdbc_value,
    new_pipeline_id,
    object_count,
    object_records,
    singer_state_file,
)
from tests.test_strategies import SINGER_STATE
from tests.test_views import reset_url

LOCK_WAITS = {
    "postgresql": "SELECT count(*) FROM pg_stat_activity "
    "WHERE wait_event_type = 'Lock' AND datname = current_database()",
    "mysql": "SELECT count(*) FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'",
}


def wait_for_lock_waiters(engine, backend, timeout=10.0):
    deadline = time.monotonic() + timeout
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            if conn.execute(text(LOCK_WAITS[backend])).scalar() > 0:
                return
            conn.rollback()
            # MariaDB refreshes INNODB_TRX only when unread for 0.1 s.
            time.sleep(0.15)
    raise AssertionError("no session ever waited for the row lock")


@pytest.mark.parametrize(
    ("connector", "load_type", "state"),
    [
        ("jdbc", "incremental", "41"),
        ("singer", "INCREMENTAL", SINGER_STATE),
        ("s3", "INCREMENTAL", object_records(10)),
    ],
)
def test_a_reset_waits_for_the_job_row_lock(
    app, engine, server_database, connector, load_type, state
):
    job_id = add_job(engine, connector, load_type, state=state)
    responses = []

    def reset_in_another_request():
        responses.append(app.test_client().post(reset_url(job_id)))

    with engine.connect() as holder:
        holder.execute(
            select(models.jobs.c.job_id).where(models.jobs.c.job_id == job_id).with_for_update()
        )
        worker = threading.Thread(target=reset_in_another_request)
        worker.start()
        wait_for_lock_waiters(engine, server_database)
        assert worker.is_alive() and not responses
        # the state is untouched while the reset waits
        assert state_of(engine, connector, job_id) == state_before(connector, state)
        holder.commit()
    worker.join(timeout=30)

    assert [r.status_code for r in responses] == [200]
    assert state_of(engine, connector, job_id) == state_after(connector)


def test_a_locked_job_does_not_hold_up_resets_of_other_jobs(app, engine, server_database):
    locked = add_job(engine, "s3", "INCREMENTAL", state=object_records(5))
    other = add_job(engine, "s3", "INCREMENTAL", state=object_records(5))
    with engine.connect() as holder:
        holder.execute(
            select(models.jobs.c.job_id).where(models.jobs.c.job_id == locked).with_for_update()
        )
        # answered while the other job's row is still locked
        assert app.test_client().post(reset_url(other)).status_code == 200
        holder.rollback()
    assert object_count(engine, other) == 0
    assert object_count(engine, locked) == 5


def test_reset_sees_state_committed_after_the_requests_snapshot(app, engine, db, server_database):
    """MariaDB's REPEATABLE READ fixes a snapshot at a transaction's first plain read.

    The host reads in before_request; another connection then commits a new
    state file; the reset must rewrite that one, not the state of its snapshot.
    """
    job_id = add_job(engine, "singer", "INCREMENTAL", state=SINGER_STATE)
    newer = {**SINGER_STATE, "version": 4}

    @app.before_request
    def host_reads_then_someone_commits():
        db.session.execute(select(models.singer_state.c.state_file)).all()
        with engine.begin() as conn:
            conn.execute(
                models.singer_state.update()
                .where(models.singer_state.c.job_id == job_id)
                .values(state_file=newer)
            )

    assert app.test_client().post(reset_url(job_id)).status_code == 200
    assert singer_state_file(engine, job_id) == {"bookmarks": {}, "version": 4}


def test_concurrent_resets_all_succeed(app, engine, server_database):
    """Resets of one job queue on its lock, and none of them fails or deadlocks."""
    job_ids = [add_job(engine, "s3", "INCREMENTAL", state=object_records(200)) for _ in range(4)]
    job_ids += [add_job(engine, "jdbc", "incremental", state="9") for _ in range(4)]
    targets = job_ids * 5

    def reset(job_id):
        return app.test_client().post(reset_url(job_id)).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(reset, targets))

    assert statuses == [200] * len(targets)
    for job_id in job_ids[:4]:
        assert object_count(engine, job_id) == 0
    for job_id in job_ids[4:]:
        assert jdbc_value(engine, job_id) is None


def state_of(engine, connector, job_id):
    if connector == "jdbc":
        return jdbc_value(engine, job_id)
    if connector == "singer":
        return singer_state_file(engine, job_id)
    return object_count(engine, job_id)


def state_before(connector, state):
    return len(state) if connector == "s3" else state


def state_after(connector):
    return {"jdbc": None, "singer": {"bookmarks": {}, "version": 3}, "s3": 0}[connector]


@pytest.mark.parametrize("connector", ["jdbc", "singer"])
def test_first_commits_of_many_jobs_at_once(app, engine, extension, server_database, connector):
    """Jobs of one pipeline finishing their first runs together: their state rows
    do not exist yet, and creating them must not deadlock (MariaDB gap locks)."""
    pipeline_id = new_pipeline_id()
    job_ids = [
        add_job(engine, connector, "incremental", pipeline_id=pipeline_id, index=n)
        for n in range(24)
    ]
    new_state = (
        {"incremental_column_value": "1"} if connector == "jdbc" else {"bookmarks": {"s": {}}}
    )
    runs = [extension.begin_run(job_id) for job_id in job_ids]
    barrier = threading.Barrier(8)

    def commit(run):
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=5)
        try:
            return run.commit(new_state)
        except Exception as error:  # counted: the test fails on any
            return type(error).__name__

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(commit, runs))
    assert results == [True] * len(runs)


def test_a_customers_reset_waits_and_then_clears_what_was_committed_meanwhile(
    database_url, engine, server_database
):
    """A customer's request for its own busy job waits for the row (on MariaDB
    after a plain ownership read), then resets the state the holder committed,
    and records that state as the one it cleared."""
    from jobstate_reset import JobStateReset
    from tests.test_security import ALICE, make_app
    from tests.test_security import identity as token_identity

    for secured_app in make_app(database_url):
        JobStateReset(secured_app, identity=token_identity)
        client = secured_app.test_client()
        job_id = add_job(engine, "jdbc", "incremental", state="41", customer_id="customer-a")
        responses = []
        worker = threading.Thread(
            target=lambda c=client, r=responses, j=job_id: r.append(
                c.post(reset_url(j), headers=ALICE)
            )
        )
        with engine.connect() as holder:
            jobs = models.jobs.c
            holder.execute(select(jobs.job_id).where(jobs.job_id == job_id).with_for_update())
            worker.start()
            wait_for_lock_waiters(engine, server_database)
            holder.execute(
                models.jdbc_state.update()
                .where(models.jdbc_state.c.job_id == job_id)
                .values(incremental_column_value="42")
            )
            holder.commit()
        worker.join(timeout=30)

        assert [r.status_code for r in responses] == [200]
        assert jdbc_value(engine, job_id) is None
        history = client.get(f"/platform/jobs/{job_id}/state/history", headers=ALICE)
        [entry] = history.json["items"]
        assert entry["previous_state"] == {"incremental_column_value": "42"}
