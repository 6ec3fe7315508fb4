"""A host whose jobs and state live in tables and columns of its own names."""

import json

import pytest
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    delete,
    insert,
    select,
)

from jobstate_reset import (
    JdbcStateTable,
    JobsTable,
    JobStateReset,
    ObjectStateTable,
    ResetStrategy,
    SingerStateTable,
    StateTables,
)
from tests.helpers import new_pipeline_id

host_metadata = MetaData()
platform_job = Table(
    "host_platform_job",
    host_metadata,
    Column("id", String(64), primary_key=True),
    Column("pipeline", String(36)),
    Column("tenant", String(64)),
    Column("kind", String(32)),
    Column("mode", String(32)),
    Column("gen", BigInteger, nullable=False, server_default="0"),
)
watermark = Table(
    "host_watermark",
    host_metadata,
    Column("job", String(64), primary_key=True),
    Column("high_water_mark", String(64)),
)
tap_state = Table(
    "host_tap_state",
    host_metadata,
    Column("job", String(64), primary_key=True),
    Column("document", Text),  # a state file kept as text, not JSON
)
seen_object = Table(
    "host_seen_object",
    host_metadata,
    Column("job", String(64)),
    Column("path", String(255)),
    Column("mtime", DateTime),
    UniqueConstraint("job", "path"),
)
consumer_offset = Table(
    "host_consumer_offset",
    host_metadata,
    Column("job", String(64)),
    Column("partition_no", BigInteger),
    Column("committed_offset", BigInteger),
    Column("extra", JSON),
)


HOST_JOBS = JobsTable(
    platform_job,
    job_id="id",
    pipeline_id="pipeline",
    customer_id="tenant",
    connector="kind",
    load_type="mode",
    generation="gen",
)


class KafkaResetStrategy(ResetStrategy):
    """The host's own connector, registered in code."""

    connector_types = ("kafka",)
    label = "Kafka consumer offsets"

    def _clear(self, session, job):
        session.execute(delete(consumer_offset).where(consumer_offset.c.job == job.job_id))


@pytest.fixture
def host(database_url, schema_engine):
    host_metadata.drop_all(schema_engine)
    host_metadata.create_all(schema_engine)
    app = Flask("host_with_own_tables")
    app.config.update(
        TESTING=True, SQLALCHEMY_DATABASE_URI=database_url, JOBSTATE_RESET_ALLOW_ANONYMOUS=True
    )
    db = SQLAlchemy(app)
    tables = StateTables(
        jobs=HOST_JOBS,
        jdbc=JdbcStateTable(watermark, job_id="job", value="high_water_mark"),
        singer=SingerStateTable(tap_state, job_id="job", state_file="document"),
        objects=ObjectStateTable(
            seen_object, job_id="job", object_key="path", last_modified="mtime", key_digest=None
        ),
    )
    JobStateReset(app, db=db, tables=tables, strategies=[KafkaResetStrategy()])
    yield app.test_client()
    with app.app_context():
        db.engine.dispose()
    host_metadata.drop_all(schema_engine)


def add_host_job(engine, kind, mode, state_table=None, state_rows=()):
    pipeline = new_pipeline_id()
    job_id = f"{pipeline}_0"
    with engine.begin() as conn:
        conn.execute(
            insert(platform_job),
            {"id": job_id, "pipeline": pipeline, "tenant": "t1", "kind": kind, "mode": mode},
        )
        for row in state_rows:
            conn.execute(insert(state_table), {"job": job_id, **row})
    return job_id


def rows(engine, table, job_id):
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(table).where(table.c.job == job_id))]


def reset(client, job_id):
    return client.post(f"/platform/jobs/{job_id}/reset-state")


def test_jdbc_on_host_tables(host, schema_engine):
    job_id = add_host_job(
        schema_engine, "jdbc", "incremental", watermark, [{"high_water_mark": "2026-11-30"}]
    )
    assert reset(host, job_id).status_code == 200
    assert rows(schema_engine, watermark, job_id) == [{"job": job_id, "high_water_mark": None}]


def test_singer_state_file_kept_as_text(host, schema_engine):
    state = {"bookmarks": {"a": {"v": 1}, "b": {"v": 2}}, "currently_syncing": "a", "x": 1}
    job_id = add_host_job(
        schema_engine, "singer", "INCREMENTAL", tap_state, [{"document": json.dumps(state)}]
    )
    assert reset(host, job_id).status_code == 200
    [row] = rows(schema_engine, tap_state, job_id)
    assert json.loads(row["document"]) == {"bookmarks": {}, "x": 1}


class WrappedJSON(TypeDecorator):
    """How some hosts wrap JSON; still JSON for the strategy."""

    impl = JSON
    cache_ok = True


wrapped_state = Table(
    "host_wrapped_state",
    host_metadata,
    Column("job", String(64), primary_key=True),
    Column("document", WrappedJSON),
)


def test_singer_state_file_in_a_wrapped_json_column(database_url, schema_engine):
    host_metadata.create_all(schema_engine)
    app = Flask("host_with_wrapped_json")
    app.config.update(SQLALCHEMY_DATABASE_URI=database_url, JOBSTATE_RESET_ALLOW_ANONYMOUS=True)
    db = SQLAlchemy(app)
    tables = StateTables(
        jobs=HOST_JOBS,
        singer=SingerStateTable(wrapped_state, job_id="job", state_file="document"),
    )
    JobStateReset(app, db=db, tables=tables)
    state = {"bookmarks": {"a": {"v": 1}}, "currently_syncing": "a", "x": 1}
    job_id = add_host_job(
        schema_engine, "singer", "INCREMENTAL", wrapped_state, [{"document": state}]
    )
    try:
        assert reset(app.test_client(), job_id).status_code == 200
        [row] = rows(schema_engine, wrapped_state, job_id)
        assert row["document"] == {"bookmarks": {}, "x": 1}
    finally:
        with app.app_context():
            db.engine.dispose()
        host_metadata.drop_all(schema_engine)


def test_singer_corrupt_text_state_file(host, schema_engine):
    job_id = add_host_job(
        schema_engine, "singer", "INCREMENTAL", tap_state, [{"document": "{oops"}]
    )
    assert reset(host, job_id).status_code == 200
    [row] = rows(schema_engine, tap_state, job_id)
    assert json.loads(row["document"]) == {"bookmarks": {}}


@pytest.mark.parametrize("kind", ["s3", "azure"])
def test_object_store_on_host_tables(host, schema_engine, kind):
    files = [{"path": f"p/{n}.csv", "mtime": None} for n in range(30)]
    job_id = add_host_job(schema_engine, kind, "INCREMENTAL", seen_object, files)
    other = add_host_job(schema_engine, kind, "INCREMENTAL", seen_object, files[:2])
    assert reset(host, job_id).status_code == 200
    assert rows(schema_engine, seen_object, job_id) == []
    assert len(rows(schema_engine, seen_object, other)) == 2


def test_a_connector_of_the_hosts_own(host, schema_engine):
    offsets = [{"partition_no": p, "committed_offset": 100 * p, "extra": None} for p in range(3)]
    job_id = add_host_job(schema_engine, "kafka", None, consumer_offset, offsets)
    assert reset(host, job_id).status_code == 200
    assert rows(schema_engine, consumer_offset, job_id) == []


def test_unknown_job_on_host_tables(host, schema_engine):
    assert reset(host, new_pipeline_id() + "_0").status_code == 404


@pytest.fixture
def host_app(database_url, schema_engine, backend):
    """The host with its own tables, its PostgreSQL sessions in another time zone."""
    host_metadata.drop_all(schema_engine)
    host_metadata.create_all(schema_engine)
    app = Flask("host_runs")
    app.config.update(SQLALCHEMY_DATABASE_URI=database_url, JOBSTATE_RESET_ALLOW_ANONYMOUS=True)
    if backend == "postgresql":
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "connect_args": {"options": "-c timezone=Europe/Berlin"}
        }
    db = SQLAlchemy(app)
    JobStateReset(
        app,
        db=db,
        tables=StateTables(
            jobs=HOST_JOBS,
            jdbc=JdbcStateTable(watermark, job_id="job", value="high_water_mark"),
            singer=SingerStateTable(tap_state, job_id="job", state_file="document"),
            objects=ObjectStateTable(
                seen_object, job_id="job", object_key="path", last_modified="mtime", key_digest=None
            ),
        ),
    )
    with app.app_context():
        yield app
        db.engine.dispose()
    host_metadata.drop_all(schema_engine)


def test_runs_on_host_tables(host_app, schema_engine):
    ext = host_app.extensions["jobstate_reset"]
    jdbc = add_host_job(schema_engine, "jdbc", "incremental")
    singer = add_host_job(schema_engine, "singer", "INCREMENTAL")
    s3 = add_host_job(schema_engine, "s3", "INCREMENTAL")

    # first commits create the state rows the host tables lack
    assert ext.begin_run(jdbc).commit({"incremental_column_value": 42}) is True
    assert rows(schema_engine, watermark, jdbc) == [{"job": jdbc, "high_water_mark": "42"}]
    assert ext.begin_run(singer).commit({"bookmarks": {"a": {"v": 1}}}) is True
    [row] = rows(schema_engine, tap_state, singer)
    assert json.loads(row["document"]) == {"bookmarks": {"a": {"v": 1}}}

    run = ext.begin_run(s3)
    assert run.commit({"files": {"p/1.csv": "2026-12-01T10:00:00Z"}}) is True
    # stored as UTC in the zone-less column, whatever the session's time zone
    assert run.processed(["p/1.csv"]) == {"p/1.csv": "2026-12-01T10:00:00+00:00"}
    assert ext.begin_run(s3).state == {"files": 1, "last_modified": "2026-12-01T10:00:00+00:00"}
    assert run.commit({"files": {"p/1.csv": "2026-12-01T11:00:00Z"}}) is True  # an update
    assert run.processed(["p/1.csv"]) == {"p/1.csv": "2026-12-01T11:00:00+00:00"}


def test_tables_on_a_bind_of_their_own(database_url, schema_engine, tmp_path):
    """Jobs and state on a Flask-SQLAlchemy bind, not the default database:
    every statement of a reset, reads included, goes to that bind."""
    bound = MetaData(info={"bind_key": "platform"})
    jobs, marks = platform_job.to_metadata(bound), watermark.to_metadata(bound)
    host_metadata.create_all(schema_engine)
    app = Flask("host_with_a_bind")
    app.config.update(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'default.db'}",  # holds no job
        SQLALCHEMY_BINDS={"platform": database_url},
        JOBSTATE_RESET_ALLOW_ANONYMOUS=True,
    )
    db = SQLAlchemy(app)
    tables = StateTables(
        jobs=JobsTable(jobs, **{k: v for k, v in vars(HOST_JOBS).items() if k != "table"}),
        jdbc=JdbcStateTable(marks, job_id="job", value="high_water_mark"),
    )
    extension = JobStateReset(app, db=db, tables=tables)
    job_id = add_host_job(
        schema_engine, "jdbc", "incremental", watermark, [{"high_water_mark": "2026-11-30"}]
    )
    try:
        with app.app_context():
            assert extension.engine() is db.engines["platform"]
        client = app.test_client()
        assert reset(client, job_id).status_code == 200
        assert rows(schema_engine, watermark, job_id) == [{"job": job_id, "high_water_mark": None}]
        history = client.get(f"/platform/jobs/{job_id}/state/history").json["items"]
        assert [entry["previous_state"] for entry in history] == [
            {"incremental_column_value": "2026-11-30"}
        ]
    finally:
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose()
        host_metadata.drop_all(schema_engine)
