"""Read a route's query string and JSON body through its schema.

Every problem becomes a JSON error: 413 for a body past
``JOBSTATE_RESET_MAX_BODY_BYTES``, 415 for a body that is not JSON, 422 for
anything the schema refuses (with the messages by field).
"""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, request
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import RequestEntityTooLarge, UnsupportedMediaType

from .errors import RequestValidationError


def load_query(schema: Schema) -> dict:
    return validated(schema, request.args, "Invalid query string")


def load_query_or_defaults(schema: Schema, defaults: dict) -> dict:
    """``load_query``, short-cut for the common request with no query string."""
    return load_query(schema) if request.args else defaults


def validated(schema: Schema, data, detail: str = "Invalid arguments") -> dict:
    """``data`` loaded through ``schema``; RequestValidationError (422) if it refuses."""
    try:
        return schema.load(data)
    except ValidationError as error:
        raise RequestValidationError(detail, error.normalized_messages()) from None


def load_json_body(schema: Schema) -> dict | None:
    """The body loaded through ``schema``, or None when the request has none."""
    if request.content_length == 0:
        return None
    raw = _body_bytes()
    if not raw.strip():
        return None
    if not request.is_json:
        raise UnsupportedMediaType("The request body must be JSON (Content-Type: application/json)")
    try:
        data: Any = json.loads(raw)
    except RecursionError:  # a few kilobytes of [[[[... are enough
        raise RequestValidationError(
            "The request body is nested too deeply", {"body": ["Nested too deeply."]}
        ) from None
    except ValueError as error:
        raise RequestValidationError(
            "The request body is not valid JSON", {"body": [str(error)]}
        ) from None
    if not isinstance(data, dict):
        raise RequestValidationError(
            "The request body must be a JSON object", {"body": ["Not a JSON object."]}
        )
    return validated(schema, data, "Invalid request body")


def _body_bytes() -> bytes:
    limit = current_app.config["JOBSTATE_RESET_MAX_BODY_BYTES"]
    if request.content_length is not None:
        if request.content_length > limit:
            raise RequestEntityTooLarge(f"The request body is limited to {limit} bytes")
        return request.get_data(cache=True)
    # No Content-Length (chunked): read one byte past the limit, never the whole stream.
    data = request.stream.read(limit + 1)
    if len(data) > limit:
        raise RequestEntityTooLarge(f"The request body is limited to {limit} bytes")
    return data
