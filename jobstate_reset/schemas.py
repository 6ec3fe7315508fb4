"""Marshmallow schemas for every body and query string in and out.

Response fields are declared in the order the API doc prints its keys, and
dumped from the service's outcome objects.
"""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, post_dump, validate

from .history import MAX_PAGE

NEXT_RUN_MESSAGE = "Next job execution will start from beginning (full load/extraction)"
PREVIEW_MESSAGE = (
    "Nothing was changed; after a reset the next job execution would start from "
    "beginning (full load/extraction)"
)
DEFAULT_PAGE = 20


# ---- requests -------------------------------------------------------------


class ResetQuerySchema(Schema):
    """Query string of the reset routes."""

    class Meta:
        unknown = RAISE  # a misspelt dry_run must not turn a preview into a reset

    dry_run = fields.Boolean(load_default=False)


class ResetBodySchema(Schema):
    """Optional JSON body of ``POST .../jobs/<job_id>/reset-state``."""

    class Meta:
        unknown = RAISE

    streams = fields.List(
        fields.String(validate=validate.Length(min=1, max=255)),
        validate=validate.Length(min=1, max=1000),
        # left out: the whole reset; null is a mistake (422), not a way to say so
        allow_none=False,
        metadata={"description": "Singer only: reset just these streams' bookmarks"},
    )


class PipelineBodySchema(Schema):
    """Optional body of ``POST .../pipelines/<pipeline_id>/reset-state``: nothing, or ``{}``.

    A pipeline reset always resets every job's whole state; ``streams`` is refused.
    """

    class Meta:
        unknown = RAISE


class NoQuerySchema(Schema):
    """The query string of the routes that take none: any parameter is an error."""

    class Meta:
        unknown = RAISE


class HistoryQuerySchema(Schema):
    """Query string of ``GET .../jobs/<job_id>/state/history``."""

    class Meta:
        unknown = RAISE

    limit = fields.Integer(load_default=DEFAULT_PAGE, validate=validate.Range(1, MAX_PAGE))
    # The cursor is the id of the last record of the previous page (BIGINT).
    cursor = fields.Integer(
        load_default=None,
        strict=False,
        validate=validate.Range(min=1, max=2**63 - 1, error="Not a cursor this route gave out."),
    )


# ---- responses ------------------------------------------------------------
# Response fields are marked required and typed for the OpenAPI document (they
# are only ever dumped), so its response schemas say exactly what is sent.


def _constant(value, type_: str) -> fields.Constant:
    return fields.Constant(value, required=True, metadata={"type": type_, "enum": [value]})


def _text(method: str) -> fields.Method:
    return fields.Method(method, required=True, metadata={"type": "string"})


class _SuccessSchema(Schema):
    """The API doc's three fields; subclasses say what ``detail`` names."""

    status = _constant(True, "boolean")
    detail = _text("success_detail")
    message = _constant(NEXT_RUN_MESSAGE, "string")


class _PreviewSchema(Schema):
    """The doc's three fields for a dry run, plus ``dry_run``."""

    status = _constant(True, "boolean")
    detail = _text("preview_detail")
    message = _constant(PREVIEW_MESSAGE, "string")
    dry_run = _constant(True, "boolean")


class ResetResponseSchema(_SuccessSchema):
    """200 body of a whole reset, dumped from a ResetOutcome: the API doc's body."""

    def success_detail(self, outcome) -> str:
        return f"Successfully reset state for job_id {outcome.job_id}"


class StreamResetResponseSchema(ResetResponseSchema):
    """200 body of a per-stream (Singer) reset."""

    streams = fields.List(fields.String(), required=True)


class ResetPreviewSchema(_PreviewSchema):
    """200 body of ``?dry_run=true``: the doc's fields plus what would be cleared."""

    streams = fields.List(fields.String(), metadata={"description": "the streams, if given"})
    would_clear = fields.Raw(attribute="previous_state", required=True, allow_none=True)

    def preview_detail(self, outcome) -> str:
        return f"Dry run: state for job_id {outcome.job_id} would be reset"

    @post_dump
    def _streams_only_when_given(self, body: dict, **kwargs) -> dict:
        if body.get("streams") is None:
            body.pop("streams", None)
        return body


class PipelineResetResponseSchema(_SuccessSchema):
    """200 body of ``POST .../pipelines/<pipeline_id>/reset-state``, from a PipelineOutcome."""

    job_ids = fields.Function(
        lambda outcome: [job.job_id for job in outcome.jobs],
        required=True,
        metadata={"type": "array", "items": {"type": "string"}},
    )

    def success_detail(self, outcome) -> str:
        return f"Successfully reset state for pipeline_id {outcome.pipeline_id}"


class JobPreviewSchema(Schema):
    job_id = fields.String(required=True)
    would_clear = fields.Raw(attribute="previous_state", required=True, allow_none=True)


class PipelinePreviewSchema(_PreviewSchema):
    """200 body of a pipeline reset with ``?dry_run=true``."""

    jobs = fields.List(fields.Nested(JobPreviewSchema), required=True)

    def preview_detail(self, outcome) -> str:
        return f"Dry run: state for pipeline_id {outcome.pipeline_id} would be reset"


class LastResetSchema(Schema):
    at = fields.DateTime(format="iso", required=True)
    actor = fields.String(required=True)


class JobStateSchema(Schema):
    """200 body of ``GET .../jobs/<job_id>/state``, from a JobStateView."""

    job_id = fields.String(required=True)
    connector = fields.String(required=True)
    load_type = fields.String(required=True, allow_none=True)
    generation = fields.Integer(required=True)
    state = fields.Raw(
        required=True,
        allow_none=True,
        metadata={
            "description": 'JDBC {"incremental_column_value": ...}; Singer the state file; '
            'S3/Azure {"files": count, "last_modified": newest or null}'
        },
    )
    last_reset = fields.Nested(LastResetSchema, required=True, allow_none=True)


class HistoryEntrySchema(Schema):
    job_id = fields.String(required=True)
    connector = fields.String(required=True)
    load_type = fields.String(required=True, allow_none=True)
    actor = fields.String(required=True)
    at = fields.DateTime(format="iso", required=True)
    request_id = fields.String(required=True, allow_none=True)
    generation_before = fields.Integer(required=True)
    generation_after = fields.Integer(required=True)
    streams = fields.List(fields.String(), required=True, allow_none=True)
    previous_state = fields.Raw(required=True, allow_none=True)


class HistoryPageSchema(Schema):
    """200 body of ``GET .../jobs/<job_id>/state/history``: newest first."""

    items = fields.List(fields.Nested(HistoryEntrySchema), required=True)
    next = fields.String(
        required=True, allow_none=True, metadata={"description": "cursor of the next page"}
    )


class ErrorSchema(Schema):
    """Body of every error response; ``errors`` (by field) for 422."""

    detail = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.Raw())
    known_streams = fields.List(fields.String())
