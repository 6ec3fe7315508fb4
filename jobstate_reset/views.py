"""The blueprint: thin routes that read the request, call the extension, dump the outcome."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, Response, current_app, request

from .arguments import load_json_body, load_query
from .errors import RequestValidationError, install_error_handlers
from .identity import ANONYMOUS
from .responses import json_response
from .routing import ANY_TEXT
from .schemas import (
    HistoryPageSchema,
    HistoryQuerySchema,
    JobStateSchema,
    PipelinePreviewSchema,
    PipelineResetResponseSchema,
    ResetBodySchema,
    ResetPreviewSchema,
    ResetQuerySchema,
    ResetResponseSchema,
    StreamResetResponseSchema,
)

if TYPE_CHECKING:
    from .ext import JobStateReset

BLUEPRINT_NAME = "jobstate_reset"
REQUEST_ID_LIMIT = 128

_reset_query = ResetQuerySchema()
_reset_body = ResetBodySchema()
_history_query = HistoryQuerySchema()
_reset_response = ResetResponseSchema()
_stream_reset_response = StreamResetResponseSchema()
_reset_preview = ResetPreviewSchema()
_pipeline_response = PipelineResetResponseSchema()
_pipeline_preview = PipelinePreviewSchema()
_job_state = JobStateSchema()
_history_page = HistoryPageSchema()


def create_blueprint(extension: JobStateReset) -> Blueprint:
    """A fresh blueprint for one app (handlers are recorded per blueprint)."""
    blueprint = Blueprint(BLUEPRINT_NAME, __name__)
    # ANY_TEXT: every id, even empty or holding "/", reaches a view and its JSON 404.
    job = f"/jobs/<{ANY_TEXT}:job_id>"

    @blueprint.post(f"{job}/reset-state", merge_slashes=False)
    def reset_state(job_id: str) -> Response:
        query = load_query(_reset_query)
        body = load_json_body(_reset_body) or {}
        outcome = extension.reset(
            job_id,
            streams=body.get("streams"),
            dry_run=query["dry_run"],
            actor=_actor(extension),
            request_id=_request_id(),
        )
        if outcome.dry_run:
            return json_response(_reset_preview.dump(outcome))
        if outcome.streams:
            return json_response(_stream_reset_response.dump(outcome))
        return json_response(_reset_response.dump(outcome))

    @blueprint.post(f"/pipelines/<{ANY_TEXT}:pipeline_id>/reset-state", merge_slashes=False)
    def reset_pipeline_state(pipeline_id: str) -> Response:
        query = load_query(_reset_query)
        if (load_json_body(_reset_body) or {}).get("streams") is not None:
            _reject_pipeline_streams()
        outcome = extension.reset_pipeline(
            pipeline_id,
            dry_run=query["dry_run"],
            actor=_actor(extension),
            request_id=_request_id(),
        )
        schema = _pipeline_preview if outcome.dry_run else _pipeline_response
        return json_response(schema.dump(outcome))

    @blueprint.get(f"{job}/state", merge_slashes=False)
    def job_state(job_id: str) -> Response:
        return json_response(_job_state.dump(extension.inspect(job_id)))

    @blueprint.get(f"{job}/state/history", merge_slashes=False)
    def job_state_history(job_id: str) -> Response:
        query = load_query(_history_query)
        page = extension.history(job_id, limit=query["limit"], cursor=query["cursor"])
        return json_response(_history_page.dump(page))

    @blueprint.after_request
    def options_as_json(response: Response) -> Response:
        # Flask answers OPTIONS itself (CORS preflights need it); give it a JSON body.
        if request.method != "OPTIONS":
            return response
        allowed = response.headers.get("Allow", "")
        return json_response({"detail": f"Allowed methods: {allowed}"}, headers={"Allow": allowed})

    install_error_handlers(blueprint)
    return blueprint


def _actor(extension: JobStateReset) -> str:
    principal = extension.identify(request)
    return principal.actor if principal is not None else ANONYMOUS


def _request_id() -> str | None:
    value = request.headers.get(current_app.config["JOBSTATE_RESET_REQUEST_ID_HEADER"])
    return value[:REQUEST_ID_LIMIT] if value else None


def _reject_pipeline_streams() -> None:
    message = "A pipeline reset takes no streams: it resets every job's whole state"
    raise RequestValidationError(message, {"streams": [message]})
