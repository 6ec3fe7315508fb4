"""The benchmark's host app: the demo, N seeded JDBC jobs, and the baseline view.

Two views without the plugin, on the same app, gunicorn and database, that
answer the same body, driven at the same jobs:

- the *baseline* (issue 6's limit) performs the same single-row UPDATE of
  the high-water mark in one transaction;
- the *same-work* view replays, in one transaction, the very statements the
  plugin sent for one reset (captured from a real reset at start-up, the job
  id swapped in): the database work a reset must do, without the plugin's
  Python around it. plugin/same-work is the plugin's own overhead.

    gunicorn --preload -w 2 'benchmarks.app:create_app()'

``DATABASE_URL`` names the database; ``BENCH_JOBS`` how many jobs to seed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from jobstate_reset import models
from jobstate_reset.demo import create_app as create_demo_app
from jobstate_reset.lock_timeout import is_lock_timeout
from jobstate_reset.responses import json_response
from jobstate_reset.schemas import NEXT_RUN_MESSAGE

BENCH_PIPELINE_PREFIX = "be0c4a1f_0000_4000_8000_"
BASELINE_UPDATE = text(
    "UPDATE jobstate_jdbc_state SET incremental_column_value = NULL WHERE job_id = :job_id"
)
REMARK = text(
    "UPDATE jobstate_jdbc_state SET incremental_column_value = '2026-12-01' WHERE job_id = :job_id"
)


def bench_job_ids(count: int) -> list[str]:
    return [f"{BENCH_PIPELINE_PREFIX}{n:012d}_0" for n in range(count)]


def create_app(add_routes: Callable[[Flask], None] | None = None) -> Flask:
    """The benchmark app; ``add_routes(app)`` may add views of an experiment's own."""
    app = create_demo_app()
    db = app.extensions["sqlalchemy"]
    replays: list[ResetReplay] = []  # filled below, once the routes are in

    @app.post("/baseline/jobs/<job_id>/reset-state")
    def baseline_reset(job_id: str):
        db.session.execute(BASELINE_UPDATE, {"job_id": job_id})
        db.session.commit()
        return reset_answer(job_id)

    @app.post("/same-work/jobs/<job_id>/reset-state")
    def same_work_reset(job_id: str):
        replays[0].run(db.session, job_id)
        return reset_answer(job_id)

    @app.get("/same-work/statements")
    def same_work_statements():
        return json_response({"statements": [sql for sql, _ in replays[0].statements]})

    if add_routes is not None:
        add_routes(app)  # before the first request (the capture below), as Flask requires
    with app.app_context():
        job_ids = bench_job_ids(int(os.environ.get("BENCH_JOBS", "20000")))
        seed_bench_jobs(db, len(job_ids))
        # A mark to clear, so the captured reset sends every statement a reset can.
        db.session.execute(REMARK, {"job_id": job_ids[-1]})
        db.session.commit()
        replays.append(ResetReplay.capture(app, db, job_ids[-1]))
        # Fork safety under --preload: the master holds no pooled connection,
        # so no worker inherits (and shares) one.
        db.engine.dispose()
    return app


def reset_answer(job_id: str):
    """The body the plugin answers a reset with."""
    return json_response(
        {
            "status": True,
            "detail": f"Successfully reset state for job_id {job_id}",
            "message": NEXT_RUN_MESSAGE,
        }
    )


class ResetReplay:
    """The statements of one plugin reset, as its driver received them, to send again."""

    def __init__(self, job_id: str, statements: list[tuple[str, Any]]) -> None:
        self.job_id = job_id
        self.pipeline_id = job_id.rsplit("_", 1)[0]
        self.statements = statements

    @classmethod
    def capture(cls, app: Flask, db, job_id: str) -> ResetReplay:
        statements = []

        def record(conn, cursor, statement, parameters, context, executemany):
            statements.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            response = app.test_client().post(
                f"/platform/jobs/{job_id}/reset-state", headers={"Authorization": "demo-token"}
            )
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        if response.status_code != 200:
            raise RuntimeError(f"the reset to capture failed: {response.get_data(as_text=True)}")
        return cls(job_id, statements)

    def run(self, session, job_id: str) -> None:
        """The captured statements for ``job_id``, in one transaction; rows are read.

        Should two requests for one job meet (jobs are walked once per run, so
        only by accident) and one give up on the lock or lose a deadlock, it
        starts again, as a client would retry the plugin's 409.
        """
        swap = {self.job_id: job_id, self.pipeline_id: job_id.rsplit("_", 1)[0]}
        for attempt in range(100):
            try:
                connection = session.connection()
                for statement, parameters in self.statements:
                    result = connection.exec_driver_sql(statement, _swapped(parameters, swap))
                    if result.returns_rows:
                        result.all()
                session.commit()
                return
            except OperationalError as error:
                if not is_lock_timeout(error):
                    raise
                session.rollback()
                time.sleep(0.001 * (attempt + 1))
        raise RuntimeError(f"job_id {job_id} stayed busy")


def _swapped(parameters, swap: dict):
    if isinstance(parameters, dict):
        return {name: swap.get(value, value) for name, value in parameters.items()}
    return tuple(swap.get(value, value) for value in parameters)


def seed_bench_jobs(db, count: int) -> None:
    existing = set(
        db.session.scalars(
            text("SELECT job_id FROM jobstate_jobs WHERE job_id LIKE :prefix"),
            {"prefix": BENCH_PIPELINE_PREFIX + "%"},
        )
    )
    missing = [job_id for job_id in bench_job_ids(count) if job_id not in existing]
    if missing:
        db.session.execute(
            models.jobs.insert(),
            [
                {
                    "job_id": job_id,
                    "pipeline_id": job_id.rsplit("_", 1)[0],
                    "job_index": 0,
                    "customer_id": "demo-customer",
                    "connector": "jdbc",
                    "load_type": "incremental",
                    "incremental_column_name": "updated_at",
                    "incremental_column_type": "timestamp",
                }
                for job_id in missing
            ],
        )
        db.session.execute(
            models.jdbc_state.insert(),
            [{"job_id": job_id, "incremental_column_value": "2026-12-01"} for job_id in missing],
        )
    db.session.commit()
