"""Soak: a bounded mixed load across processes, and nothing lost.

    python -m reliability.soak [--processes 4] [--operations 5000]

On PostgreSQL, then MariaDB (the databases of benchmarks/bench.py): several
processes, each its own app instance with its own pool, run resets, previews,
state and history reads and executor runs (begin, work, commit) at a dozen
jobs, while this process samples the no-lost-reset invariant. Then it checks:

- no run that began before a reset wrote after it (sampled all along, and
  every run's read checked against its generation);
- no unexpected answer: no 5xx, no error, nothing but 200;
- the history holds exactly one record per successful reset, job by job;
- no connection leak: every pool is back to zero checked out, and the
  server's connection count is back where it was, counted while the worker
  processes are still alive (their pools closed) and again after they exit.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor

from sqlalchemy import create_engine, func, select, text

from benchmarks.bench import DATABASES, fresh_schema
from jobstate_reset import models
from tests import concurrency_worker
from tests.helpers import add_job
from tests.test_concurrency import violations

CONNECTION_COUNT = {
    "postgresql": "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()",
    "mysql": "SELECT count(*) FROM information_schema.PROCESSLIST WHERE DB = DATABASE()",
}


def soak(name: str, url: str, processes: int, operations: int) -> bool:
    fresh_schema(url)
    engine = create_engine(url, pool_size=1, max_overflow=0)
    kinds = ["jdbc"] * 4 + ["singer"] * 3 + ["s3"] * 3 + ["azure"] * 2
    state = {"jdbc": None, "singer": {"bookmarks": {}}, "s3": [], "azure": []}
    jobs = [(add_job(engine, kind, "incremental", state=state[kind]), kind) for kind in kinds]
    connections_before = server_connections(engine)

    started = time.monotonic()
    samples, lost = 0, []
    spawn = multiprocessing.get_context("spawn")
    with spawn.Manager() as manager, ProcessPoolExecutor(processes, mp_context=spawn) as pool:
        barrier = manager.Barrier(processes + 1)
        futures = [
            pool.submit(
                concurrency_worker.work, url, jobs, seed, operations, "soak", 0.005, barrier
            )
            for seed in range(processes)
        ]
        while barrier.n_waiting < processes:  # until every worker is done
            lost += violations(engine, jobs)
            samples += 1
            time.sleep(0.05)
        barrier.wait()
        # every worker has closed its pool and is still alive: a connection one
        # of them leaked would still be open on the server now
        connections_while_alive = server_connections(engine)
        barrier.wait()
        counts: Counter = Counter()
        for future in futures:
            counts.update(future.result())
    lost += violations(engine, jobs)
    seconds = time.monotonic() - started

    with engine.connect() as conn:
        recorded = dict(
            conn.execute(
                select(models.reset_history.c.job_id, func.count()).group_by(
                    models.reset_history.c.job_id
                )
            ).all()
        )
    expected = {job_id: counts[f"reset_ok:{job_id}"] for job_id, _ in jobs}
    expected = {job_id: n for job_id, n in expected.items() if n}
    connections_after = wait_for_connections(engine, connections_before)
    engine.dispose()

    totals = {k: v for k, v in counts.items() if not k.startswith("reset_ok:")}
    answers = {k: v for k, v in totals.items() if k.startswith("http_")}
    requests = (
        sum(answers.values())
        + totals.get("commits_written", 0)
        + totals.get("commits_refused_after_reset", 0)
    )
    checks = {
        "no lost reset (sampled)": not lost,
        "no stale read": totals.get("stale_reads", 0) == 0,
        "only 200 answers": set(answers) == {"http_200"},
        "no errors": not any(k.startswith("error_") for k in totals),
        "history = successful resets": recorded == expected,
        "pools back to zero": totals["pool_checked_out"] == 0,
        "server connections back (workers alive)": connections_while_alive == connections_before,
        "server connections back (workers gone)": connections_after == connections_before,
    }
    print(f"\n== soak on {name}: {processes} processes x {operations} steps, {seconds:.0f}s ==")
    print(f"operations: {requests} ({dict(sorted(totals.items()))})")
    print(f"invariant sampled {samples} times; history records {sum(recorded.values())} "
          f"for {totals.get('resets', 0)} successful resets; server connections "
          f"{connections_before} before, {connections_while_alive} with the workers done "
          f"but alive, {connections_after} after")  # fmt: skip
    for check, passed in checks.items():
        print(f"  {'ok  ' if passed else 'FAIL'} {check}")
    return all(checks.values())


def server_connections(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text(CONNECTION_COUNT[engine.dialect.name])).scalar()


def wait_for_connections(engine, target: int, timeout: float = 10) -> int:
    """The workers have exited; give the server a moment to see their sockets close."""
    deadline = time.monotonic() + timeout
    while (count := server_connections(engine)) != target and time.monotonic() < deadline:
        time.sleep(0.2)
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--operations", type=int, default=5000, help="steps per process")
    parser.add_argument("--databases", default="postgresql,mariadb")
    args = parser.parse_args()
    results = [
        soak(name, DATABASES[name], args.processes, args.operations)
        for name in args.databases.split(",")
    ]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
