"""Every real reset leaves a record; GET .../state/history pages through them."""

from datetime import UTC, datetime, timedelta

import pytest

from jobstate_reset.identity import Principal
from tests.helpers import add_job, object_records
from tests.test_strategies import SINGER_STATE


def history_url(job_id, **query):
    params = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/platform/jobs/{job_id}/state/history" + (f"?{params}" if params else "")


def test_a_record_per_reset_with_the_previous_state(client, engine):
    job_id = add_job(engine, "jdbc", "incremental", state="500")
    started = datetime.now(UTC)
    client.post(f"/platform/jobs/{job_id}/reset-state", headers={"X-Request-ID": "req-42"})
    [entry] = client.get(history_url(job_id)).json["items"]
    at = datetime.fromisoformat(entry.pop("at"))
    assert started - timedelta(seconds=1) <= at <= datetime.now(UTC)
    assert entry == {
        "job_id": job_id,
        "connector": "jdbc",
        "load_type": "incremental",
        "actor": "anonymous",
        "request_id": "req-42",
        "generation_before": 0,
        "generation_after": 1,
        "streams": None,
        "previous_state": {"incremental_column_value": "500"},
    }


@pytest.mark.parametrize(
    ("connector", "state", "previous"),
    [
        ("singer", SINGER_STATE, SINGER_STATE),
        ("s3", object_records(7), {"files": 7, "last_modified": None}),
    ],
)
def test_previous_state_by_connector(client, engine, connector, state, previous):
    job_id = add_job(engine, connector, "INCREMENTAL", state=state)
    client.post(f"/platform/jobs/{job_id}/reset-state")
    [entry] = client.get(history_url(job_id)).json["items"]
    if connector == "s3":
        previous["last_modified"] = state[-1][1].isoformat()
    assert entry["previous_state"] == previous


def test_streams_are_recorded(client, engine):
    job_id = add_job(engine, "singer", "INCREMENTAL", state=SINGER_STATE)
    client.post(f"/platform/jobs/{job_id}/reset-state", json={"streams": ["orders"]})
    [entry] = client.get(history_url(job_id)).json["items"]
    assert entry["streams"] == ["orders"]
    assert entry["previous_state"] == SINGER_STATE


def test_pages_newest_first(client, engine):
    job_id = add_job(engine, "jdbc", "incremental", state="1")
    for _ in range(5):
        client.post(f"/platform/jobs/{job_id}/reset-state")
    first = client.get(history_url(job_id, limit=2)).json
    assert [e["generation_after"] for e in first["items"]] == [5, 4]
    second = client.get(history_url(job_id, limit=2, cursor=first["next"])).json
    assert [e["generation_after"] for e in second["items"]] == [3, 2]
    third = client.get(history_url(job_id, limit=2, cursor=second["next"])).json
    assert [e["generation_after"] for e in third["items"]] == [1]
    assert third["next"] is None


def test_failed_resets_and_previews_leave_no_record(client, engine):
    job_id = add_job(engine, "singer", "INCREMENTAL", state=SINGER_STATE)
    client.post(f"/platform/jobs/{job_id}/reset-state?dry_run=true")
    client.post(f"/platform/jobs/{job_id}/reset-state", json={"streams": ["nope"]})
    assert client.get(history_url(job_id)).json == {"items": [], "next": None}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "x"}, "limit"),
        ({"cursor": "abc"}, "cursor"),
        ({"cursor": "1" * 20}, "cursor"),
        ({"cursor": "9223372036854775808"}, "cursor"),
        ({"cursor": "0"}, "cursor"),
        ({"cursor": "-1"}, "cursor"),
    ],
)
def test_bad_paging_is_422(client, engine, query, field):
    job_id = add_job(engine, "jdbc", "incremental", state="1")
    response = client.get(history_url(job_id, **query))
    assert response.status_code == 422
    assert list(response.json["errors"]) == [field]


def test_unknown_job_is_404(client, engine):
    response = client.get(history_url("invalid_job_id"))
    assert response.status_code == 404
    assert response.json == {"detail": "job_id invalid_job_id not found"}


def test_actor_comes_from_the_hosts_identity(app, engine, extension):
    extension.identity = lambda request: Principal(
        customer_id="customer-1", actor=request.headers.get("X-User", "?")
    )
    job_id = add_job(engine, "jdbc", "incremental", state="1")
    client = app.test_client()
    client.post(f"/platform/jobs/{job_id}/reset-state", headers={"X-User": "ana@example.com"})
    [entry] = client.get(history_url(job_id)).json["items"]
    assert entry["actor"] == "ana@example.com"
    assert client.get(f"/platform/jobs/{job_id}/state").json["last_reset"]["actor"] == (
        "ana@example.com"
    )


def test_a_long_actor_is_cut(app, engine, extension):
    extension.identity = lambda request: Principal(customer_id="customer-1", actor="a" * 300)
    job_id = add_job(engine, "jdbc", "incremental", state="1")
    client = app.test_client()
    assert client.post(f"/platform/jobs/{job_id}/reset-state").status_code == 200
    [entry] = client.get(history_url(job_id)).json["items"]
    assert entry["actor"] == "a" * 255


def test_a_long_request_id_is_cut(client, engine):
    job_id = add_job(engine, "jdbc", "incremental", state="1")
    client.post(f"/platform/jobs/{job_id}/reset-state", headers={"X-Request-ID": "r" * 500})
    [entry] = client.get(history_url(job_id)).json["items"]
    assert entry["request_id"] == "r" * 128
