"""An experiment: how close a reset moved into the database gets to the baseline.

    benchmarks/run --stored-function         (PostgreSQL only, about 6 minutes)

README "Performance" traces the gap to the single-UPDATE baseline to the
number of statements a reset sends. Moving the reset into a stored function
makes it one statement; this measures what that would buy, for a JDBC job
on PostgreSQL, before anyone builds it for every strategy and database. The
function does what the plugin's reset does: the lock bound, the customer's
job locked and its generation bumped, the mark cleared and read, the history
record. Five sides, in the rotated order of the main benchmark:

- *baseline*, *same-work* and *plugin*, as in the main benchmark;
- *function*: a plain Flask view that calls the function in one transaction;
- *plugin+function*: the plugin's route (identity, arguments, session,
  outcome, signal, response) with its reset use case swapped for one call of
  the function, served by a second gunicorn: every line of the plugin's own
  Python around that one statement.

Nothing here is part of the plugin.
"""

from __future__ import annotations

import os

from flask import Flask
from sqlalchemy import text

import jobstate_reset.ext
from benchmarks import app as bench_app
from benchmarks import bench
from jobstate_reset import service
from jobstate_reset.errors import JobNotFoundError
from jobstate_reset.jobs import Job, normal_job_id

DROP_FUNCTION = text("DROP FUNCTION IF EXISTS bench_reset_jdbc(text, text, text, text)")
# The lock bound is the plugin's default JOBSTATE_RESET_LOCK_TIMEOUT (10 s),
# set first as the plugin's SET LOCAL is, so even the lock on the table is bounded.
RESET_FUNCTION = text("""
CREATE FUNCTION bench_reset_jdbc(
    p_job_id text, p_customer_id text, p_actor text, p_request_id text)
RETURNS TABLE (pipeline_id text, connector text, load_type text,
               generation bigint, previous text)
LANGUAGE plpgsql AS $$
DECLARE
    job record;
    previous_value text;
BEGIN
    PERFORM set_config('lock_timeout', '10000', true);
    UPDATE jobstate_jobs j SET state_generation = j.state_generation + 1
     WHERE j.job_id = p_job_id AND j.customer_id = p_customer_id
    RETURNING j.job_id, j.pipeline_id, j.customer_id, j.connector, j.load_type,
              j.state_generation
    INTO job;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    -- A fresh snapshot per statement (PL/pgSQL, READ COMMITTED): the mark as
    -- committed once the job's row was locked.
    UPDATE jobstate_jdbc_state s SET incremental_column_value = NULL
      FROM (SELECT o.job_id, o.incremental_column_value FROM jobstate_jdbc_state o
             WHERE o.job_id = p_job_id FOR UPDATE) old
     WHERE s.job_id = old.job_id
    RETURNING old.incremental_column_value INTO previous_value;
    INSERT INTO jobstate_reset_history (job_id, pipeline_id, customer_id, connector,
        load_type, actor, reset_at, request_id, generation_before, generation_after,
        previous_state)
    VALUES (job.job_id, job.pipeline_id, job.customer_id, job.connector, job.load_type,
        p_actor, now(), p_request_id, job.state_generation - 1, job.state_generation,
        json_build_object('incremental_column_value', previous_value));
    RETURN QUERY SELECT job.pipeline_id::text, job.connector::text, job.load_type::text,
        job.state_generation, previous_value;
END $$
""")
CALL = text("SELECT * FROM bench_reset_jdbc(:job_id, :customer_id, :actor, :request_id)")
# The environment variable that makes a server's plugin route call the function.
IN_PLUGIN = "BENCH_STORED_FUNCTION_IN_PLUGIN"


def create_app() -> Flask:
    """The benchmark app plus the *function* view; the function is installed anew."""
    app = bench_app.create_app(add_function_view)
    db = app.extensions["sqlalchemy"]
    with app.app_context():
        db.session.execute(DROP_FUNCTION)
        db.session.execute(RESET_FUNCTION)
        db.session.commit()
        db.engine.dispose()  # fork safety, as in bench_app.create_app
    if os.environ.get(IN_PLUGIN):
        jobstate_reset.ext.reset_job_state = reset_by_function
    return app


def add_function_view(app: Flask) -> None:
    db = app.extensions["sqlalchemy"]

    @app.post("/function/jobs/<job_id>/reset-state")
    def function_reset(job_id: str):
        caller = {"customer_id": "demo-customer", "actor": "bench", "request_id": None}
        db.session.execute(CALL, {"job_id": job_id, **caller}).all()
        db.session.commit()
        return bench_app.reset_answer(job_id)


def reset_by_function(session, tables, registry, job_id_as_written, request):
    """service.reset_job_state's whole-job reset, as one call of the function.

    Enough for this benchmark's requests (a customer's whole JDBC job, no
    errors expected); a failure only rolls back and propagates.
    """
    job_id = normal_job_id(job_id_as_written)
    try:
        row = session.execute(
            CALL,
            {
                "job_id": job_id,
                "customer_id": request.customer_id,
                "actor": request.actor,
                "request_id": request.request_id,
            },
        ).one_or_none()
        session.commit()
    except BaseException:
        session.rollback()
        raise
    if row is None:
        raise JobNotFoundError(job_id_as_written)
    job = Job(
        job_id,
        row.pipeline_id,
        request.customer_id,
        row.connector,
        row.load_type,
        row.generation - 1,
    )
    strategy = registry.for_connector(job.connector)
    outcome = service._outcome(job, strategy, request, {"incremental_column_value": row.previous})
    service._announce([outcome])
    return outcome


def measure(url: str, args) -> dict:
    app = "benchmarks.stored_function:create_app()"
    print(f"\n== stored function (PostgreSQL, JDBC): {args.rounds} rounds of {args.duration}s ==")
    with (
        bench.gunicorn(url, args.workers, args.jobs, app=app) as server,
        bench.gunicorn(url, args.workers, args.jobs, app=app, env={IN_PLUGIN: "1"}) as in_plugin,
    ):
        sides = {
            "baseline": (server, "/baseline/jobs/", ""),
            "same-work": (server, "/same-work/jobs/", ""),
            "function": (server, "/function/jobs/", ""),
            "plugin": (server, "/platform/jobs/", bench.TOKEN),
            "plugin+function": (in_plugin, "/platform/jobs/", bench.TOKEN),
        }
        runs = bench.run_rounds(sides, url, args)
    report = {}
    for side in sides:
        report[side] = {
            "rps_median": round(bench.median_of(runs[side], "rps")),
            "p99_ms_median": round(bench.median_of(runs[side], "p99_ms"), 2),
            "throughput/baseline": round(bench.ratio_median(runs, "baseline", "rps", side), 3),
            "p99/baseline": round(bench.ratio_median(runs, "baseline", "p99_ms", side), 3),
            "errors": sum(r["errors"] for r in runs[side]),
        }
        print(
            f"{side:15s} {report[side]['rps_median']:6d} req/s  "
            f"x{report[side]['throughput/baseline']:.3f} of the baseline, "
            f"p99 x{report[side]['p99/baseline']:.3f}, errors {report[side]['errors']}"
        )
    report["plugin+function/function"] = round(
        bench.ratio_median(runs, "function", "rps", "plugin+function"), 3
    )
    print(f"plugin+function/function: throughput x{report['plugin+function/function']:.3f}")
    return report
