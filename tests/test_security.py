"""Identity, secure defaults and tenant isolation.

A caller of another customer must learn nothing: every route answers for
another customer's job or pipeline exactly as for one that does not exist.
"""

import pytest
from flask import Flask
from flask_sqlalchemy import SQLAlchemy

from jobstate_reset import JobStateReset
from jobstate_reset.identity import Principal, access_token
from tests.helpers import add_job, new_pipeline_id, snapshot
from tests.test_strategies import SINGER_STATE

TOKENS = {
    "alice-token": Principal(customer_id="customer-a", actor="alice"),
    "viewer-token": Principal(customer_id="customer-a", actor="viewer", can_reset=False),
    "bob-token": Principal(customer_id="customer-b", actor="bob"),
    "nobody-token": Principal(customer_id="", actor="misconfigured"),
}
ALICE = {"Authorization": "alice-token"}
VIEWER = {"Authorization": "Bearer viewer-token"}
BOB = {"Authorization": "bob-token"}


def identity(request):
    return TOKENS.get(access_token(request) or "")


def make_app(database_url, **config):
    app = Flask("secured_host")
    app.config.update(SQLALCHEMY_DATABASE_URI=database_url, **config)
    db = SQLAlchemy(app)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def secured(database_url, engine):
    for app in make_app(database_url):
        JobStateReset(app, identity=identity)
        yield app.test_client()


@pytest.fixture
def unsecured(database_url, engine):
    for app in make_app(database_url):
        JobStateReset(app)
        yield app.test_client()


def every_route(job_id, pipeline_id):
    return [
        ("POST", f"/platform/jobs/{job_id}/reset-state", None),
        ("POST", f"/platform/jobs/{job_id}/reset-state?dry_run=true", None),
        ("POST", f"/platform/jobs/{job_id}/reset-state", {"streams": ["orders"]}),
        ("POST", f"/platform/jobs/{job_id}/reset-state", {"streams": ["no-such-stream"]}),
        ("GET", f"/platform/jobs/{job_id}/state", None),
        ("GET", f"/platform/jobs/{job_id}/state/history", None),
        ("POST", f"/platform/pipelines/{pipeline_id}/reset-state", None),
        ("POST", f"/platform/pipelines/{pipeline_id}/reset-state?dry_run=true", None),
    ]


def call(client, method, url, body, headers):
    return client.open(url, method=method, json=body, headers=headers)


def test_without_an_identity_hook_every_route_is_401(unsecured, engine):
    job_id = add_job(engine, "singer", "INCREMENTAL", state=SINGER_STATE)
    before = snapshot(engine, job_id)
    routes = every_route(job_id, job_id.rsplit("_", 1)[0])
    routes.append(("GET", "/platform/openapi.json", None))
    for method, url, body in routes:
        response = call(unsecured, method, url, body, ALICE)
        assert response.status_code == 401, url
        assert response.json == {
            "detail": "Authentication required: send a valid access token in Authorization"
        }
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert snapshot(engine, job_id) == before


def test_allow_anonymous_lets_requests_in(database_url, engine):
    for app in make_app(database_url, JOBSTATE_RESET_ALLOW_ANONYMOUS=True):
        JobStateReset(app)
        job_id = add_job(engine, "jdbc", "incremental", state="1")
        assert app.test_client().post(f"/platform/jobs/{job_id}/reset-state").status_code == 200


def test_allow_anonymous_does_not_override_a_hook_that_says_no(database_url, engine):
    for app in make_app(database_url, JOBSTATE_RESET_ALLOW_ANONYMOUS=True):
        JobStateReset(app, identity=identity)
        job_id = add_job(engine, "jdbc", "incremental", state="1", customer_id="customer-a")
        assert app.test_client().post(f"/platform/jobs/{job_id}/reset-state").status_code == 401


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "wrong"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic YWxpY2U6eA=="},
        {"Authorization": "nobody-token"},
        {"Authorization": "alice-token\x00"},
        {"X-Authorization": "alice-token"},
    ],
)
def test_unknown_credentials_are_401(secured, engine, headers):
    job_id = add_job(engine, "jdbc", "incremental", state="1", customer_id="customer-a")
    response = secured.post(f"/platform/jobs/{job_id}/reset-state", headers=headers)
    assert response.status_code == 401
    assert snapshot(engine, job_id)["jdbc"][0]["incremental_column_value"] == "1"


@pytest.mark.parametrize(
    "headers",
    [ALICE, {"Authorization": "Bearer alice-token"}, {"Authorization": "bearer   alice-token"}],
)
def test_the_token_with_or_without_bearer(secured, engine, headers):
    job_id = add_job(engine, "jdbc", "incremental", state="1", customer_id="customer-a")
    assert secured.post(f"/platform/jobs/{job_id}/reset-state", headers=headers).status_code == 200


def test_another_customers_job_is_indistinguishable_from_a_missing_one(secured, engine):
    pipeline_id = new_pipeline_id()
    job_id = add_job(
        engine,
        "singer",
        "INCREMENTAL",
        state=SINGER_STATE,
        pipeline_id=pipeline_id,
        customer_id="customer-a",
    )
    missing_pipeline = new_pipeline_id()
    missing_job = f"{missing_pipeline}_0"
    before = snapshot(engine, job_id)
    for (method, url, body), (_, missing_url, _) in zip(
        every_route(job_id, pipeline_id), every_route(missing_job, missing_pipeline), strict=True
    ):
        as_bob = call(secured, method, url, body, BOB)
        as_anyone = call(secured, method, missing_url, body, BOB)
        assert as_bob.status_code == as_anyone.status_code == 404, url
        expected = as_anyone.get_data(as_text=True).replace(missing_pipeline, pipeline_id)
        assert as_bob.get_data(as_text=True) == expected, url
        assert set(as_bob.headers.keys()) == set(as_anyone.headers.keys())
    assert snapshot(engine, job_id) == before
    # and the owner sees it
    assert call(secured, "GET", f"/platform/jobs/{job_id}/state", None, ALICE).status_code == 200


def test_a_pipeline_reset_touches_only_the_callers_jobs(secured, engine):
    pipeline_id = new_pipeline_id()
    mine = add_job(
        engine,
        "jdbc",
        "incremental",
        state="1",
        pipeline_id=pipeline_id,
        index=0,
        customer_id="customer-a",
    )
    theirs = add_job(
        engine,
        "jdbc",
        "incremental",
        state="2",
        pipeline_id=pipeline_id,
        index=1,
        customer_id="customer-b",
    )
    response = secured.post(f"/platform/pipelines/{pipeline_id}/reset-state", headers=ALICE)
    assert response.json["job_ids"] == [mine]
    assert snapshot(engine, theirs)["jdbc"][0]["incremental_column_value"] == "2"


def test_a_read_only_caller_reads_and_previews_but_cannot_reset(secured, engine):
    pipeline_id = new_pipeline_id()
    job_id = add_job(
        engine,
        "singer",
        "INCREMENTAL",
        state=SINGER_STATE,
        pipeline_id=pipeline_id,
        customer_id="customer-a",
    )
    before = snapshot(engine, job_id)
    for method, url, body in every_route(job_id, pipeline_id):
        response = call(secured, method, url, body, VIEWER)
        writes = method == "POST" and "dry_run" not in url
        if writes:
            assert response.status_code == 403, url
            assert response.json == {"detail": "Not allowed to reset job state"}
        else:
            assert response.status_code in (200, 422), url
    assert snapshot(engine, job_id) == before


def test_the_actor_is_recorded(secured, engine):
    job_id = add_job(engine, "jdbc", "incremental", state="1", customer_id="customer-a")
    secured.post(f"/platform/jobs/{job_id}/reset-state", headers=ALICE)
    history = secured.get(f"/platform/jobs/{job_id}/state/history", headers=ALICE).json
    assert history["items"][0]["actor"] == "alice"


def test_cors_preflight_needs_no_credentials(secured):
    response = secured.options("/platform/jobs/x/reset-state")
    assert response.status_code == 200
    assert "POST" in response.headers["Allow"]


def test_identity_from_config_by_import_path(database_url, engine):
    for app in make_app(database_url, JOBSTATE_RESET_IDENTITY="tests.test_security:identity"):
        JobStateReset(app)
        job_id = add_job(engine, "jdbc", "incremental", state="1", customer_id="customer-b")
        client = app.test_client()
        assert client.post(f"/platform/jobs/{job_id}/reset-state", headers=ALICE).status_code == 404
        assert client.post(f"/platform/jobs/{job_id}/reset-state", headers=BOB).status_code == 200


def test_a_misspelt_identity_path_fails_at_start(database_url):
    for app in make_app(database_url, JOBSTATE_RESET_IDENTITY="tests.test_security:nope"):
        with pytest.raises(ImportError):
            JobStateReset(app)
