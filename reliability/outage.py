"""Outage: stop PostgreSQL during a load run, start it again, and watch the app.

    python -m reliability.outage [--before 3] [--down 5] [--after 7]

A throwaway PostgreSQL cluster (Debian's pg_createcluster, on port 5499) keeps
the machine's own server out of it. The benchmark app (the demo's engine
options: pool_pre_ping, a 3 s connect timeout) runs under gunicorn with two
workers; eight threads post resets the whole time. The server is stopped
after ``--before`` seconds and started again ``--down`` seconds later.

Checks, for every request by the time it was sent: before the stop, success
(or the documented 500 for one in flight when the server went); while the
server is down, the documented 500 body; none slower than the connect timeout
plus a second; once the server answers again (pg_isready), every request
succeeds, with the same gunicorn workers (no restart).

Not covered: a server that hangs without closing its sockets (SIGSTOP, a
network black hole). The kernel keeps acknowledging, so no client-side TCP
timeout fires; only the WSGI server's worker timeout ends such a request.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from benchmarks.app import bench_job_ids
from benchmarks.bench import fresh_schema, gunicorn

CLUSTER = "jobstate_outage"
PORT = 5499
URL = f"postgresql+psycopg://postgres@127.0.0.1:{PORT}/jobstate"
DOCUMENTED_500 = {"detail": "Unable to complete state reset due to database error"}
CONNECT_TIMEOUT = 3  # the demo's engine options
JOBS = 200
LOG = Path("/tmp/jobstate-outage-gunicorn.log")  # the workers' logs: every failure, with cause


@dataclass
class Answer:
    started: float
    seconds: float
    status: int
    body: dict | None


def version() -> str:
    return sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]


def cluster(*args: str) -> None:
    subprocess.run(["pg_ctlcluster", version(), CLUSTER, *args], check=True)


def create_cluster() -> None:
    drop_cluster()
    subprocess.run(
        ["pg_createcluster", version(), CLUSTER, "-p", str(PORT), "--start",
         "--", "--auth-host=trust", "--auth-local=trust"],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    subprocess.run(
        ["createdb", "-h", "127.0.0.1", "-p", str(PORT), "-U", "postgres", "jobstate"], check=True
    )


def drop_cluster() -> None:
    subprocess.run(
        ["pg_dropcluster", "--stop", version(), CLUSTER],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
    )  # fmt: skip


def wait_ready(timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready = subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(PORT)])
        if ready.returncode == 0:
            return
        time.sleep(0.1)
    raise SystemExit("the throwaway cluster did not come back")


def load(base: str, stop: threading.Event, answers: list[Answer], epoch: float) -> None:
    ids = bench_job_ids(JOBS)
    while not stop.is_set():
        request = urllib.request.Request(
            f"{base}/platform/jobs/{random.choice(ids)}/reset-state",
            method="POST",
            headers={"Authorization": "demo-token"},
        )
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        except OSError:
            status, raw = 0, b""  # no HTTP answer at all
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        answers.append(Answer(started - epoch, time.monotonic() - started, status, body))


def run(before: float, down: float, after: float, threads: int = 8) -> dict:
    create_cluster()
    try:
        fresh_schema(URL)
        with gunicorn(URL, workers=2, jobs=JOBS, log=LOG) as server:
            workers = sorted(server.worker_pids())
            answers: list[Answer] = []
            stop = threading.Event()
            epoch = time.monotonic()
            pool = [
                threading.Thread(target=load, args=(server.base, stop, answers, epoch))
                for _ in range(threads)
            ]
            for thread in pool:
                thread.start()
            time.sleep(before)
            stopped_at = time.monotonic() - epoch
            cluster("stop", "-m", "fast")
            time.sleep(down)
            restarted_at = time.monotonic() - epoch
            cluster("start")
            wait_ready()
            ready_at = time.monotonic() - epoch
            time.sleep(after)
            stop.set()
            for thread in pool:
                thread.join()
            same_workers = sorted(server.worker_pids()) == workers
    finally:
        drop_cluster()
    return judge(answers, stopped_at, restarted_at, ready_at, same_workers)


def judge(answers, stopped_at, restarted_at, ready_at, same_workers) -> dict:
    """Every request, judged by when it was sent, and none may hang."""
    answers = sorted(answers, key=lambda a: a.started)
    before = [a for a in answers if a.started < stopped_at]
    while_down = [a for a in answers if stopped_at <= a.started < ready_at]
    after = [a for a in answers if a.started >= ready_at]
    recovered = next((a for a in answers if a.started > restarted_at and a.status == 200), None)

    def documented_500(answer: Answer) -> bool:
        return answer.status == 500 and answer.body == DOCUMENTED_500

    report = {
        "requests": len(answers),
        "before the stop": len(before),
        "while down": len(while_down),
        "after recovery": len(after),
        "server stopped at s": round(stopped_at, 2),
        "server started at s": round(restarted_at, 2),
        "server ready at s": round(ready_at, 2),
        "first success after the restart at s": recovered and round(recovered.started, 2),
        "slowest answer while down s": round(max((a.seconds for a in while_down), default=0), 3),
        "slowest answer overall s": round(max((a.seconds for a in answers), default=0), 3),
        "statuses while down": sorted({a.status for a in while_down}),
        "failures after recovery": [
            (round(a.started, 2), a.status) for a in after if a.status != 200
        ][:10],
    }
    report["checks"] = {
        # in flight when the server went away: the documented 500 is the answer
        "before the stop: success, or the documented 500": bool(before)
        and all(a.status == 200 or documented_500(a) for a in before),
        # the server may come up before pg_isready says so: a success is fine too
        "while down: the documented 500 (or success)": bool(while_down)
        and all(a.status == 200 or documented_500(a) for a in while_down),
        "no request hung": all(a.seconds <= CONNECT_TIMEOUT + 1 for a in answers),
        "back without a restart": recovered is not None and same_workers,
        "every request succeeds once it is back": bool(after)
        and all(a.status == 200 for a in after),
    }
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=float, default=3)
    parser.add_argument("--down", type=float, default=5)
    parser.add_argument("--after", type=float, default=7)
    args = parser.parse_args()
    report = run(args.before, args.down, args.after)
    print(json.dumps(report, indent=2))
    print(f"(the app's own log of the outage: {LOG})")
    return 0 if all(report["checks"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
