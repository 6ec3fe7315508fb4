"""The blueprint: thin routes that call the extension and dump its outcome."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, Response, request

from .errors import install_error_handlers
from .responses import json_response
from .routing import ANY_TEXT
from .schemas import ResetResponseSchema

if TYPE_CHECKING:
    from .ext import JobStateReset

BLUEPRINT_NAME = "jobstate_reset"

_reset_response = ResetResponseSchema()


def create_blueprint(extension: JobStateReset) -> Blueprint:
    """A fresh blueprint for one app (handlers are recorded per blueprint)."""
    blueprint = Blueprint(BLUEPRINT_NAME, __name__)

    @blueprint.post(f"/jobs/<{ANY_TEXT}:job_id>/reset-state", merge_slashes=False)
    def reset_state(job_id: str) -> Response:
        return json_response(_reset_response.dump(extension.reset(job_id)))

    @blueprint.after_request
    def options_as_json(response: Response) -> Response:
        # Flask answers OPTIONS itself (CORS preflights need it); give it a JSON body.
        if request.method != "OPTIONS":
            return response
        allowed = response.headers.get("Allow", "")
        return json_response({"detail": f"Allowed methods: {allowed}"}, headers={"Allow": allowed})

    install_error_handlers(blueprint)
    return blueprint
