"""The blueprint: thin routes that call the extension and dump its outcome."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, Response

from .errors import install_error_handlers
from .responses import json_response
from .schemas import ResetResponseSchema

if TYPE_CHECKING:
    from .ext import JobStateReset

BLUEPRINT_NAME = "jobstate_reset"

_reset_response = ResetResponseSchema()


def create_blueprint(extension: JobStateReset) -> Blueprint:
    """A fresh blueprint for one app (handlers are recorded per blueprint)."""
    blueprint = Blueprint(BLUEPRINT_NAME, __name__)

    # <path:...> so that an id holding "/" (or an encoded %2F) still reaches
    # the view and gets the JSON 404 instead of the host's HTML one.
    @blueprint.post("/jobs/<path:job_id>/reset-state", merge_slashes=False)
    def reset_state(job_id: str) -> Response:
        return json_response(_reset_response.dump(extension.reset(job_id)))

    install_error_handlers(blueprint)
    return blueprint
