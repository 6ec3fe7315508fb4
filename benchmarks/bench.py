"""Side-by-side measurements of the plugin against the bare stack, in one run.

    python -m benchmarks.bench            (benchmarks/run does the set-up first)

1. Throughput, on PostgreSQL then MariaDB: the benchmark app (the demo plus
   the baseline and same-work views, see benchmarks/app.py) under gunicorn
   with --preload and several workers; wrk drives the plugin's reset route
   and the two views in turn, each in each place of the order, several
   rounds, at the same seeded jobs. Printed per round: requests/s, p50, p99
   and errors of each; then the plugin/baseline and plugin/same-work ratios,
   as medians over the rounds.
2. Large states: S3 jobs holding 10k, 100k and 1M processed-object records,
   reset through the plugin (an HTTP request to a gunicorn worker) and, for
   comparison, by a raw SQL DELETE of the same number of rows, in alternating
   order; the time ratio, and the peak RSS growth of the worker that served
   the reset (VmHWM after, against VmRSS before, with the peak cleared first).

Targets (issue 6): throughput >= 0.85 x baseline, p99 <= 1.5 x baseline p99,
no errors, large reset <= 1.2 x raw DELETE, RSS growth <= 10 MB at 1M records.
The same throughput and p99 targets are also checked against same-work; the
exit status follows issue 6's targets.

With --stored-function, it runs instead the experiment of
benchmarks/stored_function.py (the reset as one PostgreSQL function call).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from benchmarks.app import BENCH_PIPELINE_PREFIX, bench_job_ids
from jobstate_reset import models

ROOT = Path(__file__).resolve().parents[1]
DATABASES = {
    "postgresql": os.environ.get(
        "BENCH_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/jobstate_bench"
    ),
    "mariadb": os.environ.get(
        "BENCH_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/jobstate_bench"
    ),
}
TOKEN = "demo-token"
LARGE_JOB_PREFIX = "1a2ee000_0000_4000_8000_"
TARGETS = {"throughput_ratio": 0.85, "p99_ratio": 1.5, "large_ratio": 1.2, "rss_mb": 10.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rounds", type=int, default=6, help="throughput rounds per database (6: every order once)"
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds of each wrk run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (>= 2)")
    parser.add_argument(
        "--jobs", type=int, default=20000, help="seeded JDBC jobs (more than a run resets)"
    )
    parser.add_argument("--sizes", default="10000,100000,1000000", help="records per S3 job")
    parser.add_argument("--large-rounds", type=int, default=4, help="even: each order as often")
    parser.add_argument("--databases", default="postgresql,mariadb")
    parser.add_argument(
        "--stored-function",
        action="store_true",
        help="instead: the experiment of benchmarks/stored_function.py (PostgreSQL)",
    )
    args = parser.parse_args()

    print(f"machine: {machine()}")
    if args.stored_function:
        from benchmarks import stored_function  # it imports this module

        url = DATABASES["postgresql"]
        fresh_schema(url)
        print(json.dumps(stored_function.measure(url, args), indent=2))
        return 0
    results = {}
    for name in args.databases.split(","):
        url = DATABASES[name]
        fresh_schema(url)
        with gunicorn(url, args.workers, args.jobs) as server:
            results[f"{name} throughput"] = throughput(server, url, args)
            if name == "postgresql":
                sizes = [int(size) for size in args.sizes.split(",")]
                results[f"{name} large state"] = large_states(server, url, sizes, args)
    print("\n== summary ==")
    print(json.dumps(results, indent=2))
    return 0 if all(r.get("met", True) for r in results.values()) else 1


# ---- the server -------------------------------------------------------------


class Server:
    def __init__(self, port: int, master: subprocess.Popen) -> None:
        self.port = port
        self.master = master

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.master.pid}/task/{self.master.pid}/children")
        return [int(pid) for pid in children.read_text().split()]


@contextmanager
def gunicorn(
    database_url: str,
    workers: int,
    jobs: int,
    log: Path | None = None,
    app: str = "benchmarks.app:create_app()",
    env: dict[str, str] | None = None,
):
    port = free_port()
    env = {**os.environ, **(env or {}), "DATABASE_URL": database_url, "BENCH_JOBS": str(jobs)}
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--preload",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "--timeout",
        "600",
        app,
    ]
    output = log.open("w") if log else None
    master = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
    try:
        wait_for_port(port, master)
        server = Server(port, master)
        deadline = time.monotonic() + 30
        while len(server.worker_pids()) < workers and time.monotonic() < deadline:
            time.sleep(0.1)
        yield server
    finally:
        master.send_signal(signal.SIGTERM)
        master.wait(timeout=60)
        if output:
            output.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit("gunicorn did not start")


def fresh_schema(url: str) -> None:
    engine = create_engine(url)
    models.metadata.drop_all(engine)
    models.metadata.create_all(engine)
    engine.dispose()


# ---- 1. throughput ------------------------------------------------------------


# What wrk drives: the path prefix and the token of each side.
SIDES = {
    "baseline": ("/baseline/jobs/", ""),
    "same-work": ("/same-work/jobs/", ""),
    "plugin": ("/platform/jobs/", TOKEN),
}


def throughput(server: Server, url: str, args) -> dict:
    print(
        f"\n== throughput: {args.rounds} rounds of {args.duration}s, "
        f"{args.connections} connections, {len(server.worker_pids())} workers =="
    )
    replayed = json.loads(urllib.request.urlopen(f"{server.base}/same-work/statements").read())
    print("same-work replays the plugin's statements of one JDBC reset:")
    for statement in replayed["statements"]:
        print("   ", " ".join(statement.split()))
    runs = run_rounds({side: (server, *SIDES[side]) for side in SIDES}, url, args)
    summary = {}
    for side in SIDES:
        summary[f"{side}_rps_median"] = round(median_of(runs[side], "rps"))
        summary[f"{side}_p50_ms_median"] = round(median_of(runs[side], "p50_ms"), 2)
        summary[f"{side}_p99_ms_median"] = round(median_of(runs[side], "p99_ms"), 2)
    for reference in ("baseline", "same-work"):
        summary[f"plugin/{reference}"] = {
            "throughput_ratio_median": round(ratio_median(runs, reference, "rps"), 3),
            "p99_ratio_median": round(ratio_median(runs, reference, "p99_ms"), 3),
        }
    # Per side; an error anywhere spoils the comparison, so every side must have none.
    summary["errors"] = {side: sum(r["errors"] for r in runs[side]) for side in SIDES}
    errors = sum(summary["errors"].values())
    for reference in ("baseline", "same-work"):
        ratios = summary[f"plugin/{reference}"]
        ratios["met"] = (
            ratios["throughput_ratio_median"] >= TARGETS["throughput_ratio"]
            and ratios["p99_ratio_median"] <= TARGETS["p99_ratio"]
            and errors == 0
        )
        print(
            f"plugin/{reference}: throughput x{ratios['throughput_ratio_median']:.3f} "
            f"(target >= {TARGETS['throughput_ratio']}), p99 x{ratios['p99_ratio_median']:.3f} "
            f"(target <= {TARGETS['p99_ratio']}), errors {summary['errors']}"
        )
    # What the statements alone cost against the single UPDATE (no target).
    summary["same-work/baseline"] = {
        "throughput_ratio_median": round(ratio_median(runs, "baseline", "rps", "same-work"), 3),
        "p99_ratio_median": round(ratio_median(runs, "baseline", "p99_ms", "same-work"), 3),
    }
    statements_alone = summary["same-work/baseline"]
    print(
        f"same-work/baseline: throughput x{statements_alone['throughput_ratio_median']:.3f}, "
        f"p99 x{statements_alone['p99_ratio_median']:.3f}"
    )
    # Issue 6's targets are against the baseline.
    summary["met"] = summary["plugin/baseline"]["met"]
    return summary


def run_rounds(sides: dict[str, tuple[Server, str, str]], url: str, args) -> dict[str, list]:
    """wrk at each side (its server, path prefix and token) in turn, ``args.rounds`` times.

    The order is rotated, and reversed every other round: with three sides,
    6 rounds bring each of the 6 orders once. Returns each side's wrk results.
    """
    jobs_file = Path(tempfile.mkstemp(prefix="bench-jobs-", suffix=".txt")[1])
    jobs_file.write_text("\n".join(bench_job_ids(args.jobs)) + "\n")
    runs = {side: [] for side in sides}
    for server, prefix, token in sides.values():  # warm-up
        wrk(server, prefix, token, jobs_file, 2, args.connections)
    names = list(sides)
    for round_number in range(args.rounds):
        shift = round_number % len(names)
        order = names[shift:] + names[:shift]
        for side in order if round_number % 2 == 0 else reversed(order):
            # Every job has a mark to clear again, so every side does the same
            # work: the baseline's UPDATE always writes, and a reset of a job
            # whose mark is already NULL would skip its own.
            remark(url)
            server, prefix, token = sides[side]
            result = wrk(server, prefix, token, jobs_file, args.duration, args.connections)
            runs[side].append(result)
            print(
                f"round {round_number + 1} {side:15s} {result['rps']:8.0f} req/s  "
                f"p50 {result['p50_ms']:6.2f} ms  p99 {result['p99_ms']:6.2f} ms  "
                f"errors {result['errors']}"
            )
    jobs_file.unlink()
    return runs


def median_of(results: list[dict], measure: str) -> float:
    return statistics.median(r[measure] for r in results)


def ratio_median(runs: dict, reference: str, measure: str, side: str = "plugin") -> float:
    """``side`` over ``reference``, round by round, as a median."""
    pairs = zip(runs[side], runs[reference], strict=True)
    return statistics.median(s[measure] / r[measure] for s, r in pairs)


def remark(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE jobstate_jdbc_state SET incremental_column_value = '2026-12-01' "
                "WHERE job_id LIKE :prefix"
            ),
            {"prefix": BENCH_PIPELINE_PREFIX + "%"},
        )
    engine.dispose()


def wrk(server: Server, prefix: str, token: str, jobs_file: Path, seconds: int, connections: int):
    env = {**os.environ, "JOBS_FILE": str(jobs_file), "PATH_PREFIX": prefix, "TOKEN": token}
    output = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(ROOT / "benchmarks" / "post.lua"),
            server.base,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    summary = json.loads(output.strip().splitlines()[-1])
    errors = sum(summary["errors"].values())
    return {
        "rps": summary["requests"] / (summary["duration_us"] / 1e6),
        "p50_ms": summary["p50_us"] / 1000,
        "p99_ms": summary["p99_us"] / 1000,
        "errors": errors,
    }


# ---- 2. large states ------------------------------------------------------------


def large_states(server: Server, url: str, sizes: list[int], args) -> dict:
    engine = create_engine(url)
    print(f"\n== large S3 states: {args.large_rounds} rounds each ==")
    report = {"met": True}
    for size in sizes:
        plugin_times, raw_times, growths = [], [], []
        for round_number in range(args.large_rounds):
            plugin_job = large_job(engine, f"{sizes.index(size):06d}{round_number:06d}", size)
            raw_job = large_job(engine, f"{sizes.index(size):06d}{round_number + 500:06d}", size)
            assert object_count(engine, plugin_job) == object_count(engine, raw_job) == size
            steps = [("plugin", plugin_job), ("raw", raw_job)]
            for kind, job_id in steps if round_number % 2 == 0 else reversed(steps):
                settle(engine)
                if kind == "plugin":
                    seconds, growth = plugin_reset(server, job_id)
                    plugin_times.append(seconds)
                    growths.append(growth)
                else:
                    raw_times.append(raw_delete(engine, job_id))
                assert object_count(engine, job_id) == 0, f"{kind} left records"
        ratio = statistics.median(p / r for p, r in zip(plugin_times, raw_times, strict=True))
        growth_mb = max(growths) / 1024
        met = ratio <= TARGETS["large_ratio"] and (
            size < 1_000_000 or growth_mb <= TARGETS["rss_mb"]
        )
        report[f"{size} records"] = {
            "plugin_s_median": round(statistics.median(plugin_times), 3),
            "raw_delete_s_median": round(statistics.median(raw_times), 3),
            "ratio_median": round(ratio, 3),
            "worker_peak_rss_growth_mb_max": round(growth_mb, 2),
        }
        report["met"] = report["met"] and met
        print(
            f"{size:>8} records: plugin {statistics.median(plugin_times):.3f}s  "
            f"raw DELETE {statistics.median(raw_times):.3f}s  ratio x{ratio:.3f} "
            f"(target <= {TARGETS['large_ratio']})  worker peak RSS growth {growth_mb:.2f} MB"
        )
    engine.dispose()
    return report


def large_job(engine, suffix: str, size: int) -> str:
    job_id = f"{LARGE_JOB_PREFIX}{suffix}_0"
    with engine.begin() as conn:
        conn.execute(
            models.jobs.insert(),
            {
                "job_id": job_id,
                "pipeline_id": job_id.rsplit("_", 1)[0],
                "job_index": 0,
                "customer_id": "demo-customer",
                "connector": "s3",
                "load_type": "INCREMENTAL",
            },
        )
        conn.execute(
            text(
                "INSERT INTO jobstate_object_state "
                "(job_id, object_key_sha256, object_key, last_modified) "
                "SELECT CAST(:job_id AS VARCHAR), "
                "md5(CAST(:job_id AS TEXT) || g::text) || md5(g::text), "
                "'exports/part-' || g || '.parquet', "
                "TIMESTAMPTZ '2026-01-01 00:00:00+00' + g * INTERVAL '1 second' "
                "FROM generate_series(1, :size) AS g"
            ),
            {"job_id": job_id, "size": size},
        )
    return job_id


def settle(engine) -> None:
    """The same start for each delete: no dead rows of the last, no pending WAL."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE jobstate_object_state"))
        conn.execute(text("CHECKPOINT"))


def object_count(engine, job_id: str) -> int:
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT count(*) FROM jobstate_object_state WHERE job_id = :job_id"),
            {"job_id": job_id},
        ).scalar()


def plugin_reset(server: Server, job_id: str) -> tuple[float, int]:
    """Seconds of the reset request, and the largest worker peak-RSS growth (KiB)."""
    workers = server.worker_pids()
    before = {}
    for pid in workers:
        Path(f"/proc/{pid}/clear_refs").write_text("5")  # reset VmHWM to the current RSS
        before[pid] = status_kib(pid, "VmRSS")
    request = urllib.request.Request(
        f"{server.base}/platform/jobs/{job_id}/reset-state",
        method="POST",
        headers={"Authorization": TOKEN},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        response.read()
        assert response.status == 200
    seconds = time.perf_counter() - started
    growth = max(status_kib(pid, "VmHWM") - before[pid] for pid in workers)
    return seconds, growth


def raw_delete(engine, job_id: str) -> float:
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(
            text("DELETE FROM jobstate_object_state WHERE job_id = :job_id"), {"job_id": job_id}
        )
    return time.perf_counter() - started


def status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kib = int(Path("/proc/meminfo").read_text().split()[1])
    python = platform.python_version()
    return f"{os.cpu_count()} CPUs ({cpu}), {memory_kib / 1024 / 1024:.0f} GiB, Python {python}"


if __name__ == "__main__":
    sys.exit(main())
