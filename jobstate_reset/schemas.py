"""Marshmallow schemas for every body the plugin sends.

Field order is the order the API doc prints the keys in.
"""

from __future__ import annotations

from marshmallow import Schema, fields

NEXT_RUN_MESSAGE = "Next job execution will start from beginning (full load/extraction)"


class ResetResponseSchema(Schema):
    """200 body of ``POST .../jobs/<job_id>/reset-state``, dumped from a ResetOutcome."""

    status = fields.Constant(True)
    detail = fields.Function(
        lambda outcome: f"Successfully reset state for job_id {outcome.job_id}"
    )
    message = fields.Constant(NEXT_RUN_MESSAGE)


class ErrorSchema(Schema):
    """Body of every error response."""

    detail = fields.String(required=True)
