"""One process of the cross-process concurrency test (started with "spawn").

Each process builds its own host app (its own engine and pool) on the shared
test database and interleaves runs and resets of a few jobs at random. Every
state a run commits is tagged with the generation the run began at, so the
main process can check at any moment that no run that began before a reset
wrote after it: every stored tag must equal the job's current generation.
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from datetime import UTC, datetime

from flask import Flask
from flask_sqlalchemy import SQLAlchemy

from jobstate_reset import JobStateReset


def make_app(database_url: str) -> Flask:
    app = Flask(f"concurrency_worker_{os.getpid()}")
    app.config["SQLALCHEMY_DATABASE_URI"] = database_url
    app.config["JOBSTATE_RESET_ALLOW_ANONYMOUS"] = True  # trusted: a test harness
    JobStateReset(app, db=SQLAlchemy(app))
    return app


def tagged_state(connector: str, generation: int, tag: str):
    if connector == "jdbc":
        return {"incremental_column_value": f"g{generation}:{tag}"}
    if connector == "singer":
        return {"bookmarks": {"orders": {"generation": generation, "tag": tag}}}
    return {"files": {f"g{generation}/{tag}": datetime.now(UTC)}}


def read_is_current(connector: str, run) -> bool:
    """Whether the state a run began from belongs to the generation it began at.

    A state present at generation g was written by a run of generation g
    (a reset clears it and moves to g + 1), so any other tag means the run
    read state from before a reset it did not see: the race that undoes resets.
    S3/Azure runs read only a summary and ask about keys live, so they have no
    such read to check; their commits are checked by the main process.
    """
    if connector == "jdbc":
        value = run.state["incremental_column_value"]
        return value is None or value.startswith(f"g{run.generation}:")
    if connector == "singer":
        bookmarks = (run.state or {}).get("bookmarks", {})
        return all(b["generation"] == run.generation for b in bookmarks.values())
    return True


# How often each kind of step comes up: the cross-process test interleaves resets
# and runs; the soak adds previews and reads, as real traffic would.
MIXES = {
    "runs": {"reset": 35, "run": 65},
    "soak": {"reset": 25, "preview": 10, "state": 10, "history": 5, "run": 50},
}


def work(
    database_url: str,
    jobs: list[tuple[str, str]],
    seed: int,
    operations: int,
    mix: str = "runs",
    run_pause: float = 0.015,
    barrier=None,
) -> Counter:
    """Run ``operations`` random steps; count what happened.

    Besides the totals, ``reset_ok:<job id>`` counts each job's successful
    resets, ``http_<status>`` every answer, and ``pool_checked_out`` is the
    number of connections still checked out of this process's pool at the end.
    With a ``barrier`` (shared by the caller and every worker), the process
    waits at it twice after closing its pool, alive, so that the caller can
    count the server's connections in between: one leaked would still be open.
    """
    rng = random.Random(seed)
    app = make_app(database_url)
    counts: Counter = Counter()
    client = app.test_client()
    kinds, weights = zip(*MIXES[mix].items(), strict=True)
    with app.app_context():
        engine = app.extensions["sqlalchemy"].engine
        for step in range(operations):
            job_id, connector = rng.choice(jobs)
            kind = rng.choices(kinds, weights)[0]
            try:
                if kind == "run":
                    run_once(
                        app, counts, job_id, connector, f"p{os.getpid()}-{step}", rng, run_pause
                    )
                    continue
                response = request(client, kind, job_id)
                counts[f"http_{response.status_code}"] += 1
                if kind == "reset" and response.status_code == 200:
                    counts["resets"] += 1
                    counts[f"reset_ok:{job_id}"] += 1
            except Exception as exc:  # counted, and the callers fail on any
                counts[f"error_{type(exc).__name__}"] += 1
        counts["pool_checked_out"] = engine.pool.checkedout()
        engine.dispose()
    if barrier is not None:
        barrier.wait()  # done, pool closed, still alive: the caller counts now
        barrier.wait()  # counted
    return counts


def request(client, kind: str, job_id: str):
    if kind == "reset":
        return client.post(f"/platform/jobs/{job_id}/reset-state")
    if kind == "preview":
        return client.post(f"/platform/jobs/{job_id}/reset-state?dry_run=true")
    if kind == "state":
        return client.get(f"/platform/jobs/{job_id}/state")
    return client.get(f"/platform/jobs/{job_id}/state/history?limit=5")


def run_once(app, counts: Counter, job_id: str, connector: str, tag: str, rng, pause: float):
    run = app.extensions["jobstate_reset"].begin_run(job_id)
    if not read_is_current(connector, run):
        counts["stale_reads"] += 1
    time.sleep(rng.uniform(0, pause))  # the run's work; other processes go on
    if run.commit(tagged_state(connector, run.generation, tag)):
        counts["commits_written"] += 1
    else:
        counts["commits_refused_after_reset"] += 1
