"""The demo's jobs: the three of the API doc, two more JDBC load types, another customer's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import models
from ..models import object_key_digest

CUSTOMER_ID = "demo-customer"
OTHER_CUSTOMER_ID = "other-demo-customer"

JDBC_PIPELINE = "1b33ad2f_33d3_4837_9eeb_83c82c8b909d"
SINGER_PIPELINE = "a9f82c14_7e21_4b5a_8c9d_12345abcdef0"
S3_PIPELINE = "c5d92e18_4f31_4a2b_9c8d_67890fghijk0"
OTHER_PIPELINE = "d7e4f1a2_5b6c_4d8e_9f01_23456789abcd"


def _job(pipeline_id: str, index: int, connector: str, load_type: str, **settings) -> dict:
    return {
        "job_id": f"{pipeline_id}_{index}",
        "pipeline_id": pipeline_id,
        "job_index": index,
        "customer_id": settings.get("customer_id", CUSTOMER_ID),
        "connector": connector,
        "load_type": load_type,
        "incremental_column_name": settings.get("incremental_column_name"),
        "incremental_column_type": settings.get("incremental_column_type"),
        "primary_keys": settings.get("primary_keys"),
        "input": settings.get("input"),
    }


def _files(count: int) -> list[tuple[str, datetime]]:
    start = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
    return [
        (f"exports/orders/2026-11-{day:02d}.csv", start + timedelta(days=day))
        for day in range(1, count + 1)
    ]


# job row, then the state that goes with it: (table, rows)
DEMO_JOBS = [
    (
        _job(
            JDBC_PIPELINE,
            0,
            "jdbc",
            "incremental",
            incremental_column_name="updated_at",
            incremental_column_type="timestamp",
            primary_keys=["id"],
            input={"table_schema": "public", "table_name": "orders", "column_include_list": None},
        ),
        [(models.jdbc_state, [{"incremental_column_value": "2026-11-30T23:59:59"}])],
    ),
    (
        _job(
            JDBC_PIPELINE,
            1,
            "jdbc",
            "full_load",
            input={
                "table_schema": "public",
                "table_name": "countries",
                "column_include_list": None,
            },
        ),
        [(models.jdbc_state, [{"incremental_column_value": None}])],
    ),
    (
        _job(
            JDBC_PIPELINE,
            2,
            "jdbc",
            "incremental_with_qualify",
            incremental_column_name="id",
            incremental_column_type="number",
            primary_keys=["customer_id", "order_id"],
            input={
                "table_schema": "public",
                "table_name": "order_lines",
                "column_include_list": ["order_id", "customer_id", "amount"],
            },
        ),
        [(models.jdbc_state, [{"incremental_column_value": "48213"}])],
    ),
    (
        _job(SINGER_PIPELINE, 0, "singer", "INCREMENTAL", input={"plugin": "tap-github"}),
        [
            (
                models.singer_state,
                [
                    {
                        "state_file": {
                            "bookmarks": {
                                "issues": {"since": "2026-11-28T10:00:00Z"},
                                "pull_requests": {"since": "2026-11-29T08:30:00Z"},
                            },
                            "currently_syncing": "pull_requests",
                        }
                    }
                ],
            )
        ],
    ),
    (
        _job(
            S3_PIPELINE,
            0,
            "s3",
            "INCREMENTAL",
            input={"bucket": "demo-exports", "prefix": "exports/orders/"},
        ),
        [
            (
                models.object_state,
                [
                    {
                        "object_key": key,
                        "object_key_sha256": object_key_digest(key),
                        "last_modified": modified,
                    }
                    for key, modified in _files(5)
                ],
            )
        ],
    ),
    (
        _job(
            OTHER_PIPELINE,
            0,
            "jdbc",
            "incremental",
            customer_id=OTHER_CUSTOMER_ID,
            incremental_column_name="id",
            incremental_column_type="number",
            primary_keys=["id"],
            input={"table_schema": "sales", "table_name": "invoices", "column_include_list": None},
        ),
        [(models.jdbc_state, [{"incremental_column_value": "9120"}])],
    ),
]


def seed_demo_jobs(session: Session) -> list[str]:
    """Insert each demo job, with its state, unless a job of that id exists.

    Returns the ids it inserted. Safe to run from several processes at once:
    when another one seeded first, this one rolls back and inserts nothing.
    """
    try:
        return _insert_missing(session)
    except IntegrityError:
        session.rollback()
        return []


def _insert_missing(session: Session) -> list[str]:
    existing = set(session.scalars(select(models.jobs.c.job_id)))
    inserted = []
    for job, states in DEMO_JOBS:
        if job["job_id"] in existing:
            continue
        session.execute(insert(models.jobs), [job])
        for table, rows in states:
            session.execute(insert(table), [{"job_id": job["job_id"], **row} for row in rows])
        inserted.append(job["job_id"])
    session.commit()
    return inserted
