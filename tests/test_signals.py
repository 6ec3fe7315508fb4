"""state_reset: sent after commit only, never on rollback or preview."""

from jobstate_reset.signals import state_reset
from tests.helpers import add_job, failing_statement, jdbc_value, new_pipeline_id


def collect(app):
    received = []
    return received, state_reset.connected_to(
        lambda sender, outcome: received.append((sender, outcome)), app
    )


def test_sent_after_commit_with_the_outcome(app, client, engine):
    job_id = add_job(engine, "jdbc", "incremental", state="9")
    seen_in_receiver = []
    received, connection = collect(app)

    @state_reset.connect_via(app)
    def check_committed(sender, outcome):
        seen_in_receiver.append(jdbc_value(engine, outcome.job_id))  # another connection

    try:
        with connection:
            client.post(f"/platform/jobs/{job_id}/reset-state")
    finally:
        state_reset.disconnect(check_committed)
    [(sender, outcome)] = received
    assert sender is app
    assert (outcome.job_id, outcome.generation_after, outcome.dry_run) == (job_id, 1, False)
    assert outcome.previous_state == {"incremental_column_value": "9"}
    assert seen_in_receiver == [None]  # the receiver already sees the committed reset


def test_not_sent_on_rollback_or_preview(app, client, engine, db):
    job_id = add_job(engine, "jdbc", "incremental", state="9")
    received, connection = collect(app)
    with connection:
        with failing_statement(db.engine, 2):
            assert client.post(f"/platform/jobs/{job_id}/reset-state").status_code == 500
        client.post(f"/platform/jobs/{job_id}/reset-state?dry_run=1")
        client.post(f"/platform/jobs/{job_id}/reset-state", json={"streams": ["x"]})
    assert received == []


def test_one_signal_per_job_of_a_pipeline(app, client, engine):
    pipeline_id = new_pipeline_id()
    jobs = [
        add_job(engine, "jdbc", "incremental", state="1", pipeline_id=pipeline_id, index=n)
        for n in range(3)
    ]
    received, connection = collect(app)
    with connection:
        client.post(f"/platform/pipelines/{pipeline_id}/reset-state")
    assert [outcome.job_id for _, outcome in received] == jobs


def test_a_failing_receiver_does_not_fail_the_committed_reset(app, client, engine, caplog):
    job_id = add_job(engine, "jdbc", "incremental", state="9")

    def broken(sender, outcome):
        raise RuntimeError("webhook down")

    with state_reset.connected_to(broken, app):
        response = client.post(f"/platform/jobs/{job_id}/reset-state")
    assert response.status_code == 200
    assert jdbc_value(engine, job_id) is None
    assert "webhook down" in caplog.text
