"""The blueprint: thin routes that read the request, call the extension, dump the outcome."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, Response, current_app, g, request

from .arguments import load_json_body, load_query, load_query_or_defaults
from .errors import NotAllowedError, install_error_handlers
from .identity import Principal
from .openapi import build_openapi
from .responses import json_response
from .routing import ANY_TEXT
from .schemas import (
    HistoryPageSchema,
    HistoryQuerySchema,
    JobStateSchema,
    NoQuerySchema,
    PipelineBodySchema,
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
NO_DRY_RUN = {"dry_run": False}

_reset_query = ResetQuerySchema()
_reset_body = ResetBodySchema()
_pipeline_body = PipelineBodySchema()
_history_query = HistoryQuerySchema()
_no_query = NoQuerySchema()
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

    @blueprint.before_request
    def authenticate() -> None:
        # CORS preflights carry no credentials; they only learn the allowed methods.
        if request.method != "OPTIONS":
            g.jobstate_principal = extension.authenticate(request)

    @blueprint.post(f"{job}/reset-state", merge_slashes=False)
    def reset_state(job_id: str) -> Response:
        query = load_query_or_defaults(_reset_query, NO_DRY_RUN)
        body = load_json_body(_reset_body) or {}
        principal = _principal(may_write=not query["dry_run"])
        outcome = extension.reset(
            job_id,
            streams=body.get("streams"),
            dry_run=query["dry_run"],
            actor=principal.actor,
            request_id=_request_id(),
            customer_id=principal.customer_id,
        )
        if outcome.dry_run:
            return json_response(_reset_preview.dump(outcome))
        if outcome.streams:
            return json_response(_stream_reset_response.dump(outcome))
        return json_response(_reset_response.dump(outcome))

    @blueprint.post(f"/pipelines/<{ANY_TEXT}:pipeline_id>/reset-state", merge_slashes=False)
    def reset_pipeline_state(pipeline_id: str) -> Response:
        query = load_query(_reset_query)
        load_json_body(_pipeline_body)
        principal = _principal(may_write=not query["dry_run"])
        outcome = extension.reset_pipeline(
            pipeline_id,
            dry_run=query["dry_run"],
            actor=principal.actor,
            request_id=_request_id(),
            customer_id=principal.customer_id,
        )
        schema = _pipeline_preview if outcome.dry_run else _pipeline_response
        return json_response(schema.dump(outcome))

    @blueprint.get(f"{job}/state", merge_slashes=False)
    def job_state(job_id: str) -> Response:
        load_query(_no_query)
        view = extension.inspect(job_id, customer_id=_principal().customer_id)
        return json_response(_job_state.dump(view))

    @blueprint.get(f"{job}/state/history", merge_slashes=False)
    def job_state_history(job_id: str) -> Response:
        query = load_query(_history_query)
        page = extension.history(
            job_id,
            limit=query["limit"],
            cursor=query["cursor"],
            customer_id=_principal().customer_id,
        )
        return json_response(_history_page.dump(page))

    @blueprint.get("/openapi.json")
    def openapi_document() -> Response:
        load_query(_no_query)
        return json_response(build_openapi(current_app))

    @blueprint.after_request
    def options_as_json(response: Response) -> Response:
        # Flask answers OPTIONS itself (CORS preflights need it); give it a JSON body.
        if request.method != "OPTIONS":
            return response
        allowed = response.headers.get("Allow", "")
        return json_response({"detail": f"Allowed methods: {allowed}"}, headers={"Allow": allowed})

    install_error_handlers(blueprint)
    return blueprint


def _principal(*, may_write: bool = False) -> Principal:
    """The request's caller (set by ``authenticate``); 403 if it must write and may not."""
    principal: Principal = g.jobstate_principal
    if may_write and not principal.can_reset:
        raise NotAllowedError()
    return principal


def _request_id() -> str | None:
    value = request.headers.get(current_app.config["JOBSTATE_RESET_REQUEST_ID_HEADER"])
    return value[:REQUEST_ID_LIMIT] if value else None
