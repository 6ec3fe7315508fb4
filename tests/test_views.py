"""The HTTP contract of POST {prefix}/jobs/<job_id>/reset-state, byte for byte."""

from urllib.parse import unquote

import pytest

from tests.helpers import add_job, new_pipeline_id, snapshot

# The bodies as the API doc prints them.
SUCCESS_BODY = """{
  "status": true,
  "detail": "Successfully reset state for job_id %s",
  "message": "Next job execution will start from beginning (full load/extraction)"
}"""
NOT_FOUND_BODY = """{
  "detail": "job_id %s not found"
}"""
DATABASE_ERROR_BODY = """{
  "detail": "Unable to complete state reset due to database error"
}"""


def reset_url(job_id: str) -> str:
    return f"/platform/jobs/{job_id}/reset-state"


def test_success_body_is_the_docs(client, engine):
    job_id = add_job(engine, "jdbc", "incremental", state="42")
    response = client.post(reset_url(job_id))
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_data(as_text=True) == SUCCESS_BODY % job_id


def test_success_names_the_normalized_id(client, engine):
    pipeline_id = new_pipeline_id()
    job_id = add_job(engine, "jdbc", "incremental", state="42", pipeline_id=pipeline_id, index=3)
    written = pipeline_id.upper().replace("_", "-") + "-3"
    response = client.post(reset_url(written))
    assert response.status_code == 200
    assert response.get_data(as_text=True) == SUCCESS_BODY % job_id


def test_unknown_job_is_404_with_the_id_as_written(client, engine):
    written = new_pipeline_id().upper() + "_0"
    response = client.post(reset_url(written))
    assert response.status_code == 404
    assert response.get_data(as_text=True) == NOT_FOUND_BODY % written


def test_docs_invalid_job_id_example(client, engine):
    response = client.post(reset_url("invalid_job_id"))
    assert response.status_code == 404
    assert response.get_data(as_text=True) == NOT_FOUND_BODY % "invalid_job_id"


@pytest.mark.parametrize(
    "suffix",
    [
        "__0",  # extra separator
        "_+0",  # sign
        "_-0",
        "_99999999999999999999999",  # past any index a database can hold
        "_0%20OR%201=1",
        "_0'%20OR%20'1'='1",
        "_0;DROP%20TABLE%20jobstate_jobs;--",
        "_%25",  # LIKE wildcard
        "_\u0661",  # unicode digit
        "_0%00",  # NUL
    ],
)
def test_malformed_ids_are_404_and_change_nothing(client, engine, suffix):
    pipeline_id = new_pipeline_id()
    job_id = add_job(engine, "jdbc", "incremental", state="42", pipeline_id=pipeline_id)
    before = snapshot(engine, job_id)
    response = client.post(reset_url(pipeline_id + suffix))
    assert response.status_code == 404
    written = pipeline_id + unquote(suffix)
    assert response.json == {"detail": f"job_id {written} not found"}
    assert snapshot(engine, job_id) == before


def test_a_10kb_id_is_404_and_echoed_bounded(client, engine):
    written = "a" * 10_240
    response = client.post(reset_url(written))
    assert response.status_code == 404
    assert response.json == {"detail": f"job_id {'a' * 100}... not found"}


def test_unicode_id_is_echoed_as_written(client, engine):
    response = client.post(reset_url("j\u00f6b_\u212a_0"))
    assert response.status_code == 404
    assert response.get_data() == (NOT_FOUND_BODY % "j\u00f6b_\u212a_0").encode()


@pytest.mark.parametrize(
    ("path_id", "echoed"),
    [("", ""), ("a%0A", "a\\n"), ("%0A", "\\n"), ("a%00", "a\\u0000")],
)
def test_empty_ids_and_control_characters_get_the_json_404(client, engine, path_id, echoed):
    response = client.post(reset_url(path_id))
    assert response.status_code == 404
    assert response.get_data(as_text=True) == NOT_FOUND_BODY % echoed


@pytest.mark.parametrize("path_id", ["a/b", "a%2Fb", "..%2F..%2Fetc", "a/../b"])
def test_ids_with_slashes_get_the_json_404(client, engine, path_id):
    response = client.post(reset_url(path_id))
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert response.json["detail"].endswith(" not found")


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE", "TRACE", "PROPFIND"])
def test_other_methods_are_405_json(client, engine, method):
    job_id = add_job(engine, "jdbc", "incremental", state="42")
    before = snapshot(engine, job_id)
    response = client.open(reset_url(job_id), method=method)
    assert response.status_code == 405
    assert response.mimetype == "application/json"
    assert set(response.json) == {"detail"}
    assert "POST" in response.headers["Allow"]
    assert snapshot(engine, job_id) == before


def test_options_answers_the_allowed_methods_as_json(client):
    response = client.options(reset_url("anything"))
    assert response.status_code == 200
    assert response.json == {"detail": f"Allowed methods: {response.headers['Allow']}"}
    assert "POST" in response.headers["Allow"]


def test_host_routes_keep_their_own_errors(app, client):
    @app.get("/host/things")
    def things():
        return "things"

    assert client.post("/host/things").mimetype == "text/html"
    assert client.get("/host/nothing").mimetype == "text/html"
    assert client.get("/host/things").get_data(as_text=True) == "things"


def test_unknown_connector_is_501_and_changes_nothing(client, engine):
    job_id = add_job(engine, "ftp", "incremental")
    before = snapshot(engine, job_id)
    response = client.post(reset_url(job_id))
    assert response.status_code == 501
    assert response.json == {
        "detail": "No reset strategy for connector type 'ftp'; registered: azure, jdbc, s3, singer"
    }
    assert snapshot(engine, job_id) == before
