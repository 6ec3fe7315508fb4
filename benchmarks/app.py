"""The benchmark's host app: the demo, N seeded JDBC jobs, and the baseline view.

The baseline is the same stack without the plugin: a plain Flask view on the
same app, gunicorn and database that performs the same single-row UPDATE in
one transaction and answers the same body. Both are driven at the same jobs.

    gunicorn --preload -w 2 'benchmarks.app:create_app()'

``DATABASE_URL`` names the database; ``BENCH_JOBS`` how many jobs to seed.
"""

from __future__ import annotations

import os

from flask import Flask
from sqlalchemy import text

from jobstate_reset import models
from jobstate_reset.demo import create_app as create_demo_app
from jobstate_reset.responses import json_response
from jobstate_reset.schemas import NEXT_RUN_MESSAGE

BENCH_PIPELINE_PREFIX = "be0c4a1f_0000_4000_8000_"
BASELINE_UPDATE = text(
    "UPDATE jobstate_jdbc_state SET incremental_column_value = NULL WHERE job_id = :job_id"
)


def bench_job_ids(count: int) -> list[str]:
    return [f"{BENCH_PIPELINE_PREFIX}{n:012d}_0" for n in range(count)]


def create_app() -> Flask:
    app = create_demo_app()
    db = app.extensions["sqlalchemy"]

    @app.post("/baseline/jobs/<job_id>/reset-state")
    def baseline_reset(job_id: str):
        db.session.execute(BASELINE_UPDATE, {"job_id": job_id})
        db.session.commit()
        return json_response(
            {
                "status": True,
                "detail": f"Successfully reset state for job_id {job_id}",
                "message": NEXT_RUN_MESSAGE,
            }
        )

    with app.app_context():
        seed_bench_jobs(db, int(os.environ.get("BENCH_JOBS", "20000")))
        # Fork safety under --preload: the master holds no pooled connection,
        # so no worker inherits (and shares) one.
        db.engine.dispose()
    return app


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
