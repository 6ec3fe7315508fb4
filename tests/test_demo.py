"""The demo host app: the API doc's examples work against it verbatim."""

import pytest
from flask.cli import ScriptInfo
from sqlalchemy import func, make_url, select

from jobstate_reset import models
from jobstate_reset.demo import create_app
from jobstate_reset.demo.seed import DEMO_JOBS
from tests.helpers import jdbc_value, object_count, singer_state_file
from tests.test_views import NOT_FOUND_BODY, SUCCESS_BODY

DOC_JDBC = "1b33ad2f_33d3_4837_9eeb_83c82c8b909d_0"
DOC_SINGER = "a9f82c14_7e21_4b5a_8c9d_12345abcdef0_0"
DOC_S3 = "c5d92e18_4f31_4a2b_9c8d_67890fghijk0_0"
OTHER_JOB = "d7e4f1a2_5b6c_4d8e_9f01_23456789abcd_0"
AS_DEMO = {"Authorization": "demo-token"}


@pytest.fixture
def demo(database_url, engine):
    app = create_app(database_url)
    yield app
    with app.app_context():
        app.extensions["sqlalchemy"].engine.dispose()


def job_count(engine):
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(models.jobs)).scalar()


def test_seeds_real_state_for_the_docs_jobs(demo, engine):
    assert job_count(engine) == len(DEMO_JOBS) == 6
    assert jdbc_value(engine, DOC_JDBC) is not None
    assert len(singer_state_file(engine, DOC_SINGER)["bookmarks"]) >= 2
    assert object_count(engine, DOC_S3) >= 2
    assert jdbc_value(engine, "1b33ad2f_33d3_4837_9eeb_83c82c8b909d_2") is not None


@pytest.mark.parametrize("job_id", [DOC_JDBC, DOC_SINGER, DOC_S3])
def test_the_docs_examples(demo, engine, job_id):
    response = demo.test_client().post(f"/platform/jobs/{job_id}/reset-state", headers=AS_DEMO)
    assert response.status_code == 200
    assert response.get_data(as_text=True) == SUCCESS_BODY % job_id


def test_the_docs_404_example(demo):
    response = demo.test_client().post("/platform/jobs/invalid_job_id/reset-state", headers=AS_DEMO)
    assert response.status_code == 404
    assert response.get_data(as_text=True) == NOT_FOUND_BODY % "invalid_job_id"


def test_state_is_gone_after_the_examples(demo, engine):
    client = demo.test_client()
    for job_id in (DOC_JDBC, DOC_SINGER, DOC_S3):
        client.post(f"/platform/jobs/{job_id}/reset-state", headers=AS_DEMO)
    assert jdbc_value(engine, DOC_JDBC) is None
    assert singer_state_file(engine, DOC_SINGER) == {"bookmarks": {}}
    assert object_count(engine, DOC_S3) == 0


def test_seeding_is_idempotent_and_keeps_a_reset(database_url, demo, engine):
    demo.test_client().post(f"/platform/jobs/{DOC_JDBC}/reset-state", headers=AS_DEMO)
    again = create_app(database_url)
    assert job_count(engine) == 6
    assert jdbc_value(engine, DOC_JDBC) is None
    with again.app_context():
        again.extensions["sqlalchemy"].engine.dispose()


def test_flask_finds_the_factory_and_reads_database_url(monkeypatch, database_url, engine):
    """What `flask --app jobstate_reset.demo run` does to load the app."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    app = ScriptInfo(app_import_path="jobstate_reset.demo").load_app()
    with app.app_context():
        used = app.extensions["sqlalchemy"].engine.url
        app.extensions["sqlalchemy"].engine.dispose()
    wanted = make_url(database_url)
    assert (used.drivername, used.host, used.database) == (
        wanted.drivername,
        wanted.host,
        wanted.database,
    )
    assert job_count(engine) == 6


@pytest.mark.parametrize("headers", [{}, {"Authorization": "nope"}, {"Authorization": "Bearer"}])
def test_without_a_valid_token_is_401(demo, engine, headers):
    response = demo.test_client().post(f"/platform/jobs/{DOC_JDBC}/reset-state", headers=headers)
    assert response.status_code == 401
    assert jdbc_value(engine, DOC_JDBC) is not None


def test_bearer_prefix_is_accepted(demo, engine):
    response = demo.test_client().post(
        f"/platform/jobs/{DOC_JDBC}/reset-state", headers={"Authorization": "Bearer demo-token"}
    )
    assert response.status_code == 200


def test_the_other_customer_cannot_see_the_docs_jobs(demo, engine):
    client = demo.test_client()
    other = {"Authorization": "other-demo-token"}
    response = client.post(f"/platform/jobs/{DOC_JDBC}/reset-state", headers=other)
    assert response.get_data(as_text=True) == NOT_FOUND_BODY % DOC_JDBC
    assert jdbc_value(engine, DOC_JDBC) is not None
    # ...and the demo customer cannot see the other's
    response = client.post(f"/platform/jobs/{OTHER_JOB}/reset-state", headers=AS_DEMO)
    assert response.status_code == 404
    assert client.post(f"/platform/jobs/{OTHER_JOB}/reset-state", headers=other).status_code == 200


def test_the_read_only_token_reads_but_cannot_reset(demo, engine):
    client = demo.test_client()
    viewer = {"Authorization": "readonly-demo-token"}
    assert client.get(f"/platform/jobs/{DOC_JDBC}/state", headers=viewer).status_code == 200
    response = client.post(f"/platform/jobs/{DOC_JDBC}/reset-state", headers=viewer)
    assert response.status_code == 403
    assert jdbc_value(engine, DOC_JDBC) is not None
