"""End to end: reference executors doing real incremental extraction.

For each connector: a first run extracts everything, a second only what is
new, a reset makes the next run extract everything again, and a run that
began before a reset cannot write its state after it.
"""

import json
from datetime import date, datetime, timedelta

import boto3
import pytest
from moto import mock_aws
from sqlalchemy import Column, Date, DateTime, Integer, MetaData, Numeric, String, Table, insert

from tests.executors.jdbc import run_jdbc_job
from tests.executors.object_store import run_object_job
from tests.executors.singer import run_singer_job
from tests.helpers import add_job, jdbc_value, new_pipeline_id, singer_state_file

source_metadata = MetaData()
orders = Table(
    "source_orders",
    source_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", Integer, nullable=False),
    Column("order_id", Integer, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("day", Date, nullable=False),
    Column("at", DateTime, nullable=False),
    Column("amount", Numeric(10, 2), nullable=False),
    Column("note", String(50)),
)
START = datetime(2026, 11, 1, 9, 0, 0)


@pytest.fixture
def source(schema_engine):
    source_metadata.drop_all(schema_engine)
    source_metadata.create_all(schema_engine)
    yield orders
    source_metadata.drop_all(schema_engine)


def add_orders(engine, first_seq, count, *, customer_id=1, order_ids=None):
    """Orders numbered from first_seq; seq, day and at all grow together."""
    rows = []
    for n in range(count):
        seq = first_seq + n
        rows.append(
            {
                "customer_id": customer_id,
                "order_id": order_ids[n] if order_ids else seq,
                "seq": seq,
                "day": date(2026, 1, 1) + timedelta(days=seq),
                "at": START + timedelta(minutes=seq),
                "amount": seq,
            }
        )
    with engine.begin() as conn:
        conn.execute(insert(orders), rows)


def reset(app, job_id):
    assert app.test_client().post(f"/platform/jobs/{job_id}/reset-state").status_code == 200


@pytest.mark.parametrize(
    "incremental_column", [("seq", "number"), ("day", "date"), ("at", "timestamp")]
)
def test_jdbc_incremental_by_each_column_type(app, extension, engine, source, incremental_column):
    job_id = add_job(engine, "jdbc", "incremental", incremental_column=incremental_column)
    add_orders(engine, 1, 10)

    first = run_jdbc_job(extension, engine, job_id, source)
    assert [r["seq"] for r in first.extracted] == list(range(1, 11))
    assert first.committed

    add_orders(engine, 11, 3)
    second = run_jdbc_job(extension, engine, job_id, source)
    assert [r["seq"] for r in second.extracted] == [11, 12, 13]
    assert run_jdbc_job(extension, engine, job_id, source).extracted == []

    reset(app, job_id)
    assert jdbc_value(engine, job_id) is None
    after_reset = run_jdbc_job(extension, engine, job_id, source)
    assert [r["seq"] for r in after_reset.extracted] == list(range(1, 14))


def test_jdbc_full_load_always_takes_everything(app, extension, engine, source):
    job_id = add_job(engine, "jdbc", "full_load", incremental_column=("seq", "number"))
    add_orders(engine, 1, 5)
    assert len(run_jdbc_job(extension, engine, job_id, source).extracted) == 5
    add_orders(engine, 6, 2)
    assert len(run_jdbc_job(extension, engine, job_id, source).extracted) == 7
    reset(app, job_id)
    assert len(run_jdbc_job(extension, engine, job_id, source).extracted) == 7


def test_jdbc_qualify_still_deduplicates_after_a_reset(app, extension, engine, source):
    job_id = add_job(
        engine,
        "jdbc",
        "incremental_with_qualify",
        incremental_column=("seq", "number"),
        primary_keys=["customer_id", "order_id"],
    )
    # orders 1..3, then new versions of orders 1 and 2
    add_orders(engine, 1, 3, order_ids=[1, 2, 3])
    add_orders(engine, 4, 2, order_ids=[1, 2])

    first = run_jdbc_job(extension, engine, job_id, source)
    assert sorted((r["order_id"], r["seq"]) for r in first.extracted) == [(1, 4), (2, 5), (3, 3)]

    add_orders(engine, 6, 2, order_ids=[3, 3])  # two new versions of order 3 in one batch
    second = run_jdbc_job(extension, engine, job_id, source)
    assert [(r["order_id"], r["seq"]) for r in second.extracted] == [(3, 7)]

    reset(app, job_id)
    after_reset = run_jdbc_job(extension, engine, job_id, source)
    assert sorted((r["order_id"], r["seq"]) for r in after_reset.extracted) == [
        (1, 4),
        (2, 5),
        (3, 7),
    ]


def test_jdbc_run_that_began_before_a_reset_cannot_undo_it(app, extension, engine, source):
    job_id = add_job(engine, "jdbc", "incremental", incremental_column=("seq", "number"))
    add_orders(engine, 1, 4)
    run_jdbc_job(extension, engine, job_id, source)

    in_flight = extension.begin_run(job_id)  # a run is going...
    reset(app, job_id)  # ...when the user resets
    assert in_flight.commit({"incremental_column_value": "4"}) is False
    assert jdbc_value(engine, job_id) is None
    assert len(run_jdbc_job(extension, engine, job_id, source).extracted) == 4


def write_source(path, streams):
    path.write_text(json.dumps({"streams": streams}))


def singer_records(stream, first, count):
    return [
        {"id": n, "updated_at": f"2026-11-{n:02d}T00:00:00Z", "stream": stream}
        for n in range(first, first + count)
    ]


def test_singer_tap_with_state(app, extension, engine, tmp_path):
    job_id = add_job(engine, "singer", "INCREMENTAL")
    source = tmp_path / "source.json"
    write_source(
        source, {"orders": singer_records("orders", 1, 5), "users": singer_records("users", 1, 3)}
    )

    first = run_singer_job(extension, job_id, source, tmp_path)
    assert {s: len(r) for s, r in first.records.items()} == {"orders": 5, "users": 3}
    bookmarks = singer_state_file(engine, job_id)["bookmarks"]
    assert bookmarks["orders"]["replication_key_value"] == "2026-11-05T00:00:00Z"

    write_source(
        source, {"orders": singer_records("orders", 1, 7), "users": singer_records("users", 1, 3)}
    )
    second = run_singer_job(extension, job_id, source, tmp_path)
    assert {s: [r["id"] for r in rs] for s, rs in second.records.items()} == {"orders": [6, 7]}

    reset(app, job_id)
    assert singer_state_file(engine, job_id) == {"bookmarks": {}}
    after_reset = run_singer_job(extension, job_id, source, tmp_path)
    assert {s: len(r) for s, r in after_reset.records.items()} == {"orders": 7, "users": 3}


def test_singer_run_that_began_before_a_reset_cannot_undo_it(app, extension, engine, tmp_path):
    job_id = add_job(engine, "singer", "INCREMENTAL")
    source = tmp_path / "source.json"
    write_source(source, {"orders": singer_records("orders", 1, 3)})
    run_singer_job(extension, job_id, source, tmp_path)

    in_flight = extension.begin_run(job_id)
    reset(app, job_id)
    assert (
        in_flight.commit(
            {"bookmarks": {"orders": {"replication_key_value": "2026-11-03T00:00:00Z"}}}
        )
        is False
    )
    assert singer_state_file(engine, job_id) == {"bookmarks": {}}
    assert len(run_singer_job(extension, job_id, source, tmp_path).records["orders"]) == 3


@pytest.fixture
def s3():
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="exports")
        yield client


def put_objects(s3, prefix, names):
    for name in names:
        s3.put_object(Bucket="exports", Key=f"{prefix}{name}", Body=b"id,amount\n1,2\n")


@pytest.mark.parametrize("connector", ["s3", "azure"])
def test_object_store_processes_new_objects_only_until_a_reset(
    app, extension, engine, s3, connector
):
    prefix = f"{new_pipeline_id()}/"
    job_id = add_job(engine, connector, "INCREMENTAL")
    put_objects(s3, prefix, [f"part-{n}.csv" for n in range(1205)])  # more than a listing page

    first = run_object_job(extension, job_id, s3, "exports", prefix)
    assert len(first.processed) == 1205 and first.committed
    assert extension.begin_run(job_id).state["files"] == 1205

    put_objects(s3, prefix, ["late-1.csv", "late-2.csv"])
    second = run_object_job(extension, job_id, s3, "exports", prefix)
    assert second.processed == [f"{prefix}late-1.csv", f"{prefix}late-2.csv"]
    assert run_object_job(extension, job_id, s3, "exports", prefix).processed == []

    reset(app, job_id)
    assert extension.begin_run(job_id).state == {"files": 0, "last_modified": None}
    after_reset = run_object_job(extension, job_id, s3, "exports", prefix)
    assert len(after_reset.processed) == 1207


def test_object_run_that_began_before_a_reset_cannot_undo_it(app, extension, engine, s3):
    prefix = "in-flight/"
    job_id = add_job(engine, "s3", "INCREMENTAL")
    put_objects(s3, prefix, ["a.csv", "b.csv"])
    in_flight = extension.begin_run(job_id)
    reset(app, job_id)
    assert in_flight.commit({"files": {f"{prefix}a.csv": datetime.now().astimezone()}}) is False
    assert len(run_object_job(extension, job_id, s3, "exports", prefix).processed) == 2
