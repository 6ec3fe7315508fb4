"""Every error the plugin raises, and how each one leaves as JSON.

One root class, :class:`JobStateResetError`; each subclass carries its HTTP
status and the ``detail`` a caller sees. The handlers installed by
:func:`install_error_handlers` turn these, Werkzeug's HTTP errors and any
unexpected exception raised in the plugin's routes into ``{"detail": ...}``
bodies. Causes (SQL, tracebacks) are logged, never sent.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from .responses import json_response
from .schemas import ErrorSchema

logger = logging.getLogger(__name__)

# A job id echoed in an error is cut to this many characters: a caller can
# send a 10 KB path, and it has no business coming back whole.
ECHOED_ID_LIMIT = 100

UNEXPECTED_ERROR_DETAIL = "Internal server error"

_error_schema = ErrorSchema()


class JobStateResetError(Exception):
    """Root of every error this package raises.

    Subclasses meant for callers set ``status_code``; the others are bugs or
    set-up mistakes, logged in full and answered with a bare 500.
    """

    status_code: int | None = None

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    def body(self) -> dict:
        """The response body, shaped by ErrorSchema."""
        return {"detail": self.detail}

    def headers(self) -> dict[str, str]:
        return {}


class NotAuthenticatedError(JobStateResetError):
    """The request carries no credentials the host's identity callable accepts."""

    status_code = 401

    def __init__(self) -> None:
        super().__init__("Authentication required: send a valid access token in Authorization")

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Bearer realm="jobstate-reset"'}


class NotAllowedError(JobStateResetError):
    """The caller may read job state but not reset it."""

    status_code = 403

    def __init__(self) -> None:
        super().__init__("Not allowed to reset job state")


class ConfigurationError(JobStateResetError):
    """The extension was set up wrongly; raised at start-up, never per request."""


class JobNotFoundError(JobStateResetError):
    """No job answers to this id, or the id is not a job id at all."""

    status_code = 404

    def __init__(self, job_id_as_written: str) -> None:
        super().__init__(f"job_id {echo_id(job_id_as_written)} not found")


class PipelineNotFoundError(JobStateResetError):
    """No job belongs to this pipeline, or the id is not a pipeline id at all."""

    status_code = 404

    def __init__(self, pipeline_id_as_written: str) -> None:
        super().__init__(f"pipeline_id {echo_id(pipeline_id_as_written)} not found")


class RequestValidationError(JobStateResetError):
    """The request's body or query string is not what the route takes."""

    status_code = 422

    def __init__(self, detail: str, errors: dict) -> None:
        super().__init__(detail)
        self.errors = errors

    def body(self) -> dict:
        return {"detail": self.detail, "errors": self.errors}


class UnknownStreamsError(RequestValidationError):
    """A per-stream reset named streams the job's state file has no bookmark for."""

    def __init__(self, job_id: str, unknown: list[str], known: list[str]) -> None:
        super().__init__(
            f"Unknown streams for job_id {job_id}: {', '.join(unknown)}",
            {"streams": [f"Unknown stream: {name}" for name in unknown]},
        )
        self.known = known

    def body(self) -> dict:
        return {**super().body(), "known_streams": self.known}


class UnsupportedConnectorError(JobStateResetError):
    """The job's connector type has no registered reset strategy."""

    status_code = 501

    def __init__(self, connector: str, registered: list[str]) -> None:
        super().__init__(
            f"No reset strategy for connector type {connector!r}; "
            f"registered: {', '.join(registered) or 'none'}"
        )
        self.connector = connector


class JobBusyError(JobStateResetError):
    """Another transaction held the job's row past the lock timeout; nothing changed."""

    status_code = 409

    def __init__(self, subject: str) -> None:
        super().__init__(
            f"{subject} is busy: another operation holds it; nothing was changed, try again"
        )

    def headers(self) -> dict[str, str]:
        return {"Retry-After": "1"}


class StateDatabaseError(JobStateResetError):
    """The database failed; everything was rolled back.

    ``action`` names what failed; for a reset the detail is the API doc's own.
    """

    status_code = 500

    def __init__(self, action: str = "state reset") -> None:
        super().__init__(f"Unable to complete {action} due to database error")


def echo_id(text: str) -> str:
    """``text`` as written, bounded to :data:`ECHOED_ID_LIMIT` characters."""
    if len(text) <= ECHOED_ID_LIMIT:
        return text
    return text[:ECHOED_ID_LIMIT] + "..."


def error_response(status: int, detail: str, headers=None) -> Response:
    return json_response(_error_schema.dump({"detail": detail}), status, headers)


def install_error_handlers(blueprint: Blueprint) -> None:
    """JSON errors for the blueprint's routes; the host's routes keep their own.

    Call before the blueprint is registered on the app.
    """
    blueprint.register_error_handler(JobStateResetError, _handle_plugin_error)
    blueprint.register_error_handler(HTTPException, _handle_http_error)
    blueprint.register_error_handler(Exception, _handle_unexpected_error)
    endpoint_prefix = f"{blueprint.name}."

    # A wrong method fails in routing, before Flask knows the blueprint, so the
    # blueprint's handlers never see it: answer it before dispatch instead.
    @blueprint.before_app_request
    def answer_wrong_method() -> Response | None:
        error = request.routing_exception
        if isinstance(error, MethodNotAllowed) and _refusing_endpoint(error).startswith(
            endpoint_prefix
        ):
            return _handle_http_error(error)
        return None


def _handle_plugin_error(error: JobStateResetError) -> Response:
    if error.status_code is None:
        return _handle_unexpected_error(error)
    return json_response(_error_schema.dump(error.body()), error.status_code, error.headers())


def _handle_http_error(error: HTTPException) -> Response:
    headers = None
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers = {"Allow": ", ".join(error.valid_methods)}
    return error_response(error.code or 500, error.description or error.name, headers)


def _handle_unexpected_error(error: Exception) -> Response:
    logger.exception("Unexpected error in %s %s", request.method, request.path)
    return error_response(500, UNEXPECTED_ERROR_DETAIL)


def _refusing_endpoint(error: MethodNotAllowed) -> str:
    """The endpoint whose path matched but whose methods refused the request."""
    adapter = current_app.create_url_adapter(request)
    if adapter is None or not error.valid_methods:
        return ""
    try:
        rule, _ = adapter.match(method=error.valid_methods[0], return_rule=True)
    except HTTPException:
        return ""
    return rule.endpoint
