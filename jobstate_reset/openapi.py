"""The OpenAPI 3 document of the plugin's routes, built from the marshmallow schemas.

Served at ``GET {prefix}/openapi.json`` and printed by ``flask jobstate
openapi``. Paths carry the app's URL prefix.
"""

from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

from . import __version__, schemas

SECURITY_SCHEME = "accessToken"

# What the two reset routes may answer besides 200.
WRITE_ERRORS = (401, 403, 404, 409, 413, 415, 422, 500, 501)

_ERRORS = {
    401: "No valid access token",
    403: "The caller may read but not reset",
    404: "No such job (or pipeline) for this caller, or not an id at all",
    409: "Another transaction held the job past the lock timeout; nothing changed",
    413: "Request body too large",
    415: "Request body is not JSON",
    422: "Malformed body or query string, unknown streams, streams on a non-Singer job",
    500: "Database error; nothing changed",
    501: "No strategy for the job's connector type",
}


def build_openapi(app: Flask) -> dict:
    """The document for ``app``'s mount of the plugin."""
    prefix = app.config["JOBSTATE_RESET_URL_PREFIX"].rstrip("/")
    spec = APISpec(
        title="jobstate-reset",
        version=__version__,
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={"description": "Reset, preview and inspect the incremental state of sync jobs."},
        security=[{SECURITY_SCHEME: []}],
    )
    spec.components.security_scheme(
        SECURITY_SCHEME,
        {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "The platform access token, bare or as 'Bearer <token>'.",
        },
    )
    for schema in _COMPONENTS:
        spec.components.schema(schema.__name__.removesuffix("Schema"), schema=schema)

    job_id = _path_parameter(
        "job_id", "{pipeline_id}_{job_index}", "1b33ad2f_33d3_4837_9eeb_83c82c8b909d_0"
    )
    pipeline_id = _path_parameter(
        "pipeline_id", "five groups of letters or digits", "1b33ad2f_33d3_4837_9eeb_83c82c8b909d"
    )
    dry_run = {
        "in": "query",
        "name": "dry_run",
        "required": False,
        "schema": {"type": "boolean", "default": False},
        "description": "Only report what would be cleared; change nothing.",
    }
    spec.path(
        path=f"{prefix}/jobs/{{job_id}}/reset-state",
        operations={
            "post": {
                "summary": "Reset a job's incremental state",
                "operationId": "resetJobState",
                "parameters": [job_id, dry_run],
                "requestBody": {
                    "required": False,
                    "content": {"application/json": {"schema": "ResetBody"}},
                },
                "responses": _responses(
                    {
                        "anyOf": [
                            _ref("ResetResponse"),
                            _ref("StreamResetResponse"),
                            _ref("ResetPreview"),
                        ]
                    },
                    *WRITE_ERRORS,
                ),
            }
        },
    )
    spec.path(
        path=f"{prefix}/pipelines/{{pipeline_id}}/reset-state",
        operations={
            "post": {
                "summary": "Reset every job of a pipeline, all or nothing",
                "operationId": "resetPipelineState",
                "parameters": [pipeline_id, dry_run],
                "requestBody": {
                    "required": False,
                    "content": {"application/json": {"schema": "PipelineBody"}},
                    "description": "No body, or an empty object: a pipeline reset has no options.",
                },
                "responses": _responses(
                    {"anyOf": [_ref("PipelineResetResponse"), _ref("PipelinePreview")]},
                    *WRITE_ERRORS,
                ),
            }
        },
    )
    spec.path(
        path=f"{prefix}/jobs/{{job_id}}/state",
        operations={
            "get": {
                "summary": "A job's state, generation and last reset",
                "operationId": "getJobState",
                "parameters": [job_id],
                "responses": _responses(_ref("JobState"), 401, 404, 409, 422, 500, 501),
            }
        },
    )
    spec.path(
        path=f"{prefix}/jobs/{{job_id}}/state/history",
        operations={
            "get": {
                "summary": "A job's resets, newest first",
                "operationId": "getJobStateHistory",
                "parameters": [
                    job_id,
                    {"in": "query", "schema": schemas.HistoryQuerySchema},
                ],
                "responses": _responses(_ref("HistoryPage"), 401, 404, 409, 422, 500),
            }
        },
    )
    spec.path(
        path=f"{prefix}/openapi.json",
        operations={
            "get": {
                "summary": "This document",
                "operationId": "getOpenApi",
                "responses": _responses({"type": "object"}, 401, 422),
            }
        },
    )
    return spec.to_dict()


_COMPONENTS = [
    schemas.ResetBodySchema,
    schemas.PipelineBodySchema,
    schemas.ResetResponseSchema,
    schemas.StreamResetResponseSchema,
    schemas.ResetPreviewSchema,
    schemas.PipelineResetResponseSchema,
    schemas.PipelinePreviewSchema,
    schemas.JobStateSchema,
    schemas.HistoryPageSchema,
    schemas.ErrorSchema,
]


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _path_parameter(name: str, description: str, example: str) -> dict:
    return {
        "in": "path",
        "name": name,
        "required": True,
        "schema": {"type": "string"},
        "example": example,
        "description": f"{description}; any other text answers 404.",
    }


def _responses(ok_schema: dict, *error_statuses: int) -> dict:
    responses = {
        "200": {"description": "OK", "content": {"application/json": {"schema": ok_schema}}}
    }
    for status in error_statuses:
        responses[str(status)] = {
            "description": _ERRORS[status],
            "content": {"application/json": {"schema": _ref("Error")}},
        }
    if 401 in error_statuses:
        responses["401"]["headers"] = {
            "WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer realm"}
        }
    return responses
