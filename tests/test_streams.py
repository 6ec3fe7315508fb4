"""Per-stream reset of Singer jobs: {"streams": [...]} clears only those bookmarks."""

import pytest

from tests.helpers import add_job, generation, singer_state_file, snapshot
from tests.test_strategies import SINGER_STATE


def reset(client, job_id, **kwargs):
    return client.post(f"/platform/jobs/{job_id}/reset-state", **kwargs)


def test_only_the_named_streams_lose_their_bookmarks(client, engine):
    job_id = add_job(engine, "singer", "INCREMENTAL", state=SINGER_STATE)
    response = reset(client, job_id, json={"streams": ["customers"]})
    assert response.status_code == 200
    assert response.json == {
        "status": True,
        "detail": f"Successfully reset state for job_id {job_id}",
        "message": "Next job execution will start from beginning (full load/extraction)",
        "streams": ["customers"],
    }
    # currently_syncing names another stream: it stays
    assert singer_state_file(engine, job_id) == {
        "bookmarks": {"orders": SINGER_STATE["bookmarks"]["orders"]},
        "currently_syncing": "orders",
        "version": 3,
    }
    assert generation(engine, job_id) == 1


def test_currently_syncing_goes_with_its_stream(client, engine):
    job_id = add_job(engine, "singer", "INCREMENTAL", state=SINGER_STATE)
    assert reset(client, job_id, json={"streams": ["orders", "orders"]}).status_code == 200
    assert singer_state_file(engine, job_id) == {
        "bookmarks": {"customers": SINGER_STATE["bookmarks"]["customers"]},
        "version": 3,
    }


def test_all_streams_named(client, engine):
    job_id = add_job(engine, "singer", "INCREMENTAL", state=SINGER_STATE)
    assert reset(client, job_id, json={"streams": ["orders", "customers"]}).status_code == 200
    assert singer_state_file(engine, job_id) == {"bookmarks": {}, "version": 3}


def test_an_unknown_stream_is_422_with_the_known_ones(client, engine):
    job_id = add_job(engine, "singer", "INCREMENTAL", state=SINGER_STATE)
    before = snapshot(engine, job_id)
    response = reset(client, job_id, json={"streams": ["orders", "invoices"]})
    assert response.status_code == 422
    assert response.json == {
        "detail": f"Unknown streams for job_id {job_id}: invoices",
        "errors": {"streams": ["Unknown stream: invoices"]},
        "known_streams": ["customers", "orders"],
    }
    assert snapshot(engine, job_id) == before


def test_streams_of_a_job_without_state(client, engine):
    job_id = add_job(engine, "singer", "INCREMENTAL")
    response = reset(client, job_id, json={"streams": ["orders"]})
    assert response.status_code == 422
    assert response.json["known_streams"] == []


@pytest.mark.parametrize("connector", ["jdbc", "s3", "azure"])
def test_streams_on_a_non_singer_job_are_422(client, engine, connector):
    job_id = add_job(engine, connector, "incremental", state=None if connector == "jdbc" else [])
    before = snapshot(engine, job_id)
    response = reset(client, job_id, json={"streams": ["orders"]})
    assert response.status_code == 422
    assert response.json["errors"] == {
        "streams": [f"streams apply to Singer jobs only; job_id {job_id} is {connector}"]
    }
    assert snapshot(engine, job_id) == before


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"streams": []}, {"streams": ["Length must be between 1 and 1000."]}),
        ({"streams": None}, {"streams": ["Field may not be null."]}),
        ({"streams": "orders"}, {"streams": ["Not a valid list."]}),
        ({"streams": [""]}, {"streams": {"0": ["Length must be between 1 and 255."]}}),
        ({"streams": [1]}, {"streams": {"0": ["Not a valid string."]}}),
        ({"stream": ["orders"]}, {"stream": ["Unknown field."]}),
        (["orders"], {"body": ["Not a JSON object."]}),
        ("orders", {"body": ["Not a JSON object."]}),
    ],
)
def test_malformed_bodies_are_422_and_change_nothing(client, engine, body, errors):
    job_id = add_job(engine, "singer", "INCREMENTAL", state=SINGER_STATE)
    before = snapshot(engine, job_id)
    response = reset(client, job_id, json=body)
    assert response.status_code == 422
    assert response.json["errors"] == errors
    assert snapshot(engine, job_id) == before


def test_invalid_json_is_422(client, engine):
    job_id = add_job(engine, "singer", "INCREMENTAL", state=SINGER_STATE)
    response = reset(client, job_id, data='{"streams": [', content_type="application/json")
    assert response.status_code == 422
    assert response.json["detail"] == "The request body is not valid JSON"
    assert snapshot(engine, job_id)["singer"][0]["state_file"] == SINGER_STATE


def test_a_deeply_nested_body_is_422(client, engine):
    job_id = add_job(engine, "singer", "INCREMENTAL", state=SINGER_STATE)
    response = reset(client, job_id, data="[" * 5000, content_type="application/json")
    assert response.status_code == 422
    assert response.json["errors"] == {"body": ["Nested too deeply."]}


def test_a_body_that_is_not_json_is_415(client, engine):
    job_id = add_job(engine, "singer", "INCREMENTAL", state=SINGER_STATE)
    response = reset(client, job_id, data="streams=orders", content_type="text/plain")
    assert response.status_code == 415
    assert set(response.json) == {"detail"}


@pytest.mark.parametrize(
    "kwargs", [{}, {"json": {}}, {"data": "", "content_type": "application/json"}]
)
def test_no_body_or_an_empty_object_is_the_whole_reset(client, engine, kwargs):
    job_id = add_job(engine, "singer", "INCREMENTAL", state=SINGER_STATE)
    response = reset(client, job_id, **kwargs)
    assert response.status_code == 200
    assert list(response.json) == ["status", "detail", "message"]
    assert singer_state_file(engine, job_id) == {"bookmarks": {}, "version": 3}


def test_a_body_past_the_limit_is_413(app, client, engine):
    app.config["JOBSTATE_RESET_MAX_BODY_BYTES"] = 100
    job_id = add_job(engine, "singer", "INCREMENTAL", state=SINGER_STATE)
    response = reset(client, job_id, json={"streams": ["x" * 200]})
    assert response.status_code == 413
    assert set(response.json) == {"detail"}
    assert snapshot(engine, job_id)["singer"][0]["state_file"] == SINGER_STATE
