"""POST .../reset-state?dry_run=true: what a reset would clear, changing nothing."""

import pytest

from jobstate_reset.signals import state_reset
from tests.helpers import add_job, object_records, snapshot
from tests.test_strategies import SINGER_STATE


def preview(client, job_id, **kwargs):
    return client.post(f"/platform/jobs/{job_id}/reset-state?dry_run=true", **kwargs)


@pytest.mark.parametrize(
    ("connector", "load_type", "state", "would_clear"),
    [
        ("jdbc", "incremental", "77", {"incremental_column_value": "77"}),
        ("singer", "INCREMENTAL", SINGER_STATE, SINGER_STATE),
        ("s3", "INCREMENTAL", object_records(12), {"files": 12, "last_modified": None}),
    ],
)
def test_preview_changes_nothing_and_says_what_would_go(
    app, client, engine, connector, load_type, state, would_clear
):
    job_id = add_job(engine, connector, load_type, state=state)
    before = snapshot(engine, job_id)
    signals = []
    with state_reset.connected_to(lambda sender, outcome: signals.append(outcome), app):
        response = preview(client, job_id)
    assert response.status_code == 200
    body = response.json
    assert list(body)[:3] == ["status", "detail", "message"]
    assert body["status"] is True
    assert body["detail"] == f"Dry run: state for job_id {job_id} would be reset"
    assert body["dry_run"] is True
    if connector == "s3":
        would_clear["last_modified"] = state[-1][1].isoformat()
    assert body["would_clear"] == would_clear
    # no state change, no generation bump, no history record, no signal
    assert snapshot(engine, job_id) == before
    assert client.get(f"/platform/jobs/{job_id}/state/history").json["items"] == []
    assert signals == []


def test_preview_of_streams(client, engine):
    job_id = add_job(engine, "singer", "INCREMENTAL", state=SINGER_STATE)
    before = snapshot(engine, job_id)
    response = preview(client, job_id, json={"streams": ["orders"]})
    assert response.status_code == 200
    assert response.json["streams"] == ["orders"]
    assert response.json["would_clear"] == {
        "bookmarks": {"orders": SINGER_STATE["bookmarks"]["orders"]},
        "currently_syncing": "orders",
    }
    assert snapshot(engine, job_id) == before


@pytest.mark.parametrize("value", ["false", "0", "no"])
def test_dry_run_false_is_a_real_reset(client, engine, value):
    job_id = add_job(engine, "jdbc", "incremental", state="1")
    response = client.post(f"/platform/jobs/{job_id}/reset-state?dry_run={value}")
    assert response.status_code == 200
    assert list(response.json) == ["status", "detail", "message"]
    assert snapshot(engine, job_id)["jdbc"][0]["incremental_column_value"] is None


@pytest.mark.parametrize("value", ["maybe", "", "2"])
def test_a_dry_run_that_is_not_a_boolean_is_422(client, engine, value):
    job_id = add_job(engine, "jdbc", "incremental", state="1")
    before = snapshot(engine, job_id)
    response = client.post(f"/platform/jobs/{job_id}/reset-state?dry_run={value}")
    assert response.status_code == 422
    assert response.json["errors"] == {"dry_run": ["Not a valid boolean."]}
    assert snapshot(engine, job_id) == before
