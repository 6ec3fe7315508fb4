"""``flask jobstate ...``: the same use cases as the routes, for operators.

Output is the routes' JSON; errors print the routes' JSON error body on stderr
and exit 1. Destructive commands ask first unless given ``--yes``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps

import click
from flask import current_app
from flask.cli import AppGroup

from .arguments import validated
from .errors import JobStateResetError
from .identity import CLI_ACTOR
from .openapi import build_openapi
from .schemas import (
    HistoryPageSchema,
    HistoryQuerySchema,
    JobStateSchema,
    PipelinePreviewSchema,
    PipelineResetResponseSchema,
    ResetPreviewSchema,
    ResetResponseSchema,
    StreamResetResponseSchema,
)

jobstate_cli = AppGroup("jobstate", help="Inspect and reset the incremental state of jobs.")


def _extension():
    return current_app.extensions["jobstate_reset"]


def _echo_json(body) -> None:
    click.echo(json.dumps(body, indent=2, ensure_ascii=False))


def _reports_errors(command: Callable) -> Callable:
    """Print a JobStateResetError's body (as the API would send it) on stderr; exit 1."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except JobStateResetError as error:
            if error.status_code is None:
                raise
            click.echo(json.dumps(error.body(), indent=2, ensure_ascii=False), err=True)
            sys.exit(1)

    return wrapper


@jobstate_cli.command("reset")
@click.argument("job_id")
@click.option("--dry-run", is_flag=True, help="Show what would be cleared; change nothing.")
@click.option("--stream", "streams", multiple=True, help="Singer: reset only this stream.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_reports_errors
def reset_command(job_id: str, dry_run: bool, streams: tuple[str, ...], yes: bool) -> None:
    """Reset a job's incremental state (cannot be undone)."""
    if not dry_run and not yes:
        what = f"streams {', '.join(streams)} of job_id {job_id}" if streams else f"job_id {job_id}"
        click.confirm(f"Reset the state of {what}? This cannot be undone", abort=True)
    outcome = _extension().reset(job_id, streams=streams or None, dry_run=dry_run, actor=CLI_ACTOR)
    if outcome.dry_run:
        schema = ResetPreviewSchema()
    else:
        schema = StreamResetResponseSchema() if outcome.streams else ResetResponseSchema()
    _echo_json(schema.dump(outcome))


@jobstate_cli.command("reset-pipeline")
@click.argument("pipeline_id")
@click.option("--dry-run", is_flag=True, help="Show what would be cleared; change nothing.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_reports_errors
def reset_pipeline_command(pipeline_id: str, dry_run: bool, yes: bool) -> None:
    """Reset every job of a pipeline, all or nothing (cannot be undone)."""
    if not dry_run and not yes:
        click.confirm(
            f"Reset the state of every job of pipeline_id {pipeline_id}? This cannot be undone",
            abort=True,
        )
    outcome = _extension().reset_pipeline(pipeline_id, dry_run=dry_run, actor=CLI_ACTOR)
    schema = PipelinePreviewSchema() if outcome.dry_run else PipelineResetResponseSchema()
    _echo_json(schema.dump(outcome))


@jobstate_cli.command("show")
@click.argument("job_id")
@_reports_errors
def show_command(job_id: str) -> None:
    """Show a job's state, generation and last reset."""
    _echo_json(JobStateSchema().dump(_extension().inspect(job_id)))


@jobstate_cli.command("history")
@click.argument("job_id")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 100))
@click.option("--cursor", default=None, help="The 'next' value of the previous page.")
@_reports_errors
def history_command(job_id: str, limit: int, cursor: str | None) -> None:
    """List a job's resets, newest first."""
    cursor = validated(HistoryQuerySchema(), {"cursor": cursor} if cursor else {})["cursor"]
    _echo_json(HistoryPageSchema().dump(_extension().history(job_id, limit=limit, cursor=cursor)))


@jobstate_cli.command("openapi")
def openapi_command() -> None:
    """Print the OpenAPI 3 document of the plugin's routes."""
    _echo_json(build_openapi(current_app))


@jobstate_cli.command("init-db")
@_reports_errors
def init_db_command() -> None:
    """Create the plugin's tables that do not exist yet."""
    created = _extension().create_tables()
    click.echo("Tables in place: " + ", ".join(created))
