"""GET {prefix}/jobs/<job_id>/state: what a job remembers, before anyone clears it."""

import pytest

from tests.helpers import add_job, object_records
from tests.test_strategies import SINGER_STATE


def state_url(job_id):
    return f"/platform/jobs/{job_id}/state"


def test_jdbc_state(client, engine):
    job_id = add_job(engine, "jdbc", "incremental_with_qualify", state="2026-11-30")
    response = client.get(state_url(job_id))
    assert response.status_code == 200
    assert response.json == {
        "job_id": job_id,
        "connector": "jdbc",
        "load_type": "incremental_with_qualify",
        "generation": 0,
        "state": {"incremental_column_value": "2026-11-30"},
        "last_reset": None,
    }
    assert list(response.json) == [
        "job_id",
        "connector",
        "load_type",
        "generation",
        "state",
        "last_reset",
    ]


def test_singer_state_is_the_state_file(client, engine):
    job_id = add_job(engine, "singer", "INCREMENTAL", state=SINGER_STATE)
    assert client.get(state_url(job_id)).json["state"] == SINGER_STATE


def test_object_store_state_is_a_summary(client, engine):
    records = object_records(1500)
    job_id = add_job(engine, "azure", "INCREMENTAL", state=records)
    assert client.get(state_url(job_id)).json["state"] == {
        "files": 1500,
        "last_modified": records[-1][1].isoformat(),
    }


def test_after_a_reset(client, engine):
    job_id = add_job(engine, "s3", "INCREMENTAL", state=object_records(3))
    client.post(f"/platform/jobs/{job_id}/reset-state")
    body = client.get(state_url(job_id.upper())).json
    assert body["job_id"] == job_id
    assert body["generation"] == 1
    assert body["state"] == {"files": 0, "last_modified": None}
    assert body["last_reset"]["actor"] == "anonymous"
    assert body["last_reset"]["at"].endswith("+00:00")


@pytest.mark.parametrize(
    "written", ["invalid_job_id", "1b33ad2f_33d3_4837_9eeb_83c82c8b909d_0", ""]
)
def test_same_404_as_the_reset(client, engine, written):
    response = client.get(state_url(written))
    assert response.status_code == 404
    assert response.json == {"detail": f"job_id {written} not found"}
