"""POST {prefix}/pipelines/<pipeline_id>/reset-state: every job, one transaction."""

import pytest

from tests.helpers import (
    add_job,
    generation,
    jdbc_value,
    new_pipeline_id,
    object_count,
    object_records,
    snapshot,
)


def pipeline_url(pipeline_id, dry_run=False):
    return f"/platform/pipelines/{pipeline_id}/reset-state" + ("?dry_run=true" if dry_run else "")


def pipeline_of(engine, count, connector="jdbc"):
    pipeline_id = new_pipeline_id()
    load_types = ["incremental", "full_load", "incremental_with_qualify"]
    jobs = [
        add_job(
            engine,
            connector,
            load_types[n % 3] if connector == "jdbc" else "INCREMENTAL",
            state=str(n) if connector == "jdbc" else object_records(n + 1),
            pipeline_id=pipeline_id,
            index=n,
        )
        for n in range(count)
    ]
    return pipeline_id, jobs


def test_every_job_is_reset_and_listed(client, engine):
    pipeline_id, jobs = pipeline_of(engine, 3)
    _, other_jobs = pipeline_of(engine, 1)
    response = client.post(pipeline_url(pipeline_id.upper().replace("_", "-")))
    assert response.status_code == 200
    assert response.json == {
        "status": True,
        "detail": f"Successfully reset state for pipeline_id {pipeline_id}",
        "message": "Next job execution will start from beginning (full load/extraction)",
        "job_ids": jobs,
    }
    assert jdbc_value(engine, jobs[0]) is None
    assert jdbc_value(engine, jobs[1]) is None  # full_load: a stale mark goes too
    assert jdbc_value(engine, jobs[2]) is None
    assert [generation(engine, job) for job in jobs] == [1, 1, 1]
    assert jdbc_value(engine, other_jobs[0]) == "0"
    for job in jobs:
        [entry] = client.get(f"/platform/jobs/{job}/state/history").json["items"]
        assert entry["generation_after"] == 1


def test_object_store_pipeline(client, engine):
    pipeline_id, jobs = pipeline_of(engine, 2, connector="s3")
    assert client.post(pipeline_url(pipeline_id)).status_code == 200
    assert [object_count(engine, job) for job in jobs] == [0, 0]


def test_a_job_without_strategy_fails_the_whole_pipeline_first(client, engine):
    pipeline_id, jobs = pipeline_of(engine, 2)
    odd = add_job(engine, "ftp", "incremental", pipeline_id=pipeline_id, index=5)
    before = [snapshot(engine, job) for job in [*jobs, odd]]
    response = client.post(pipeline_url(pipeline_id))
    assert response.status_code == 501
    assert [snapshot(engine, job) for job in [*jobs, odd]] == before


def test_dry_run_lists_what_would_be_cleared(client, engine):
    pipeline_id, jobs = pipeline_of(engine, 2)
    before = [snapshot(engine, job) for job in jobs]
    response = client.post(pipeline_url(pipeline_id, dry_run=True))
    assert response.status_code == 200
    assert response.json["dry_run"] is True
    assert response.json["jobs"] == [
        {"job_id": jobs[0], "would_clear": {"incremental_column_value": "0"}},
        {"job_id": jobs[1], "would_clear": {"incremental_column_value": "1"}},
    ]
    assert [snapshot(engine, job) for job in jobs] == before


@pytest.mark.parametrize(
    "written",
    [
        "invalid",
        "1b33ad2f_33d3_4837_9eeb_83c82c8b909d_0",
        "1b33ad2f_33d3_4837_9eeb_83c82c8b909d",
        "",
    ],
)
def test_unknown_pipeline_is_404(client, engine, written):
    response = client.post(pipeline_url(written))
    assert response.status_code == 404
    assert response.json == {"detail": f"pipeline_id {written} not found"}


def test_streams_are_refused(client, engine):
    pipeline_id, jobs = pipeline_of(engine, 1)
    before = snapshot(engine, jobs[0])
    response = client.post(pipeline_url(pipeline_id), json={"streams": ["a"]})
    assert response.status_code == 422
    assert snapshot(engine, jobs[0]) == before
