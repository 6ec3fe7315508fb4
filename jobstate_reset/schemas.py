"""Marshmallow schemas for every body and query string in and out.

Response fields are declared in the order the API doc prints its keys, and
dumped from the service's outcome objects.
"""

from __future__ import annotations

from marshmallow import EXCLUDE, RAISE, Schema, fields, post_dump, validate

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
        unknown = EXCLUDE  # gateways add parameters of their own

    dry_run = fields.Boolean(load_default=False)


class ResetBodySchema(Schema):
    """Optional JSON body of ``POST .../jobs/<job_id>/reset-state``."""

    class Meta:
        unknown = RAISE

    streams = fields.List(
        fields.String(validate=validate.Length(min=1, max=255)),
        validate=validate.Length(min=1, max=1000),
        load_default=None,
        metadata={"description": "Singer only: reset just these streams' bookmarks"},
    )


class HistoryQuerySchema(Schema):
    """Query string of ``GET .../jobs/<job_id>/state/history``."""

    class Meta:
        unknown = EXCLUDE

    limit = fields.Integer(load_default=DEFAULT_PAGE, validate=validate.Range(1, MAX_PAGE))
    cursor = fields.String(
        load_default=None,
        validate=validate.Regexp(r"^[0-9]{1,19}\Z", error="Not a cursor this route gave out."),
    )


# ---- responses ------------------------------------------------------------


class _SuccessSchema(Schema):
    """The API doc's three fields; subclasses say what ``detail`` names."""

    status = fields.Constant(True)
    detail = fields.Method("success_detail")
    message = fields.Constant(NEXT_RUN_MESSAGE)


class _PreviewSchema(Schema):
    """The doc's three fields for a dry run, plus ``dry_run``."""

    status = fields.Constant(True)
    detail = fields.Method("preview_detail")
    message = fields.Constant(PREVIEW_MESSAGE)
    dry_run = fields.Constant(True)


class ResetResponseSchema(_SuccessSchema):
    """200 body of a whole reset, dumped from a ResetOutcome: the API doc's body."""

    def success_detail(self, outcome) -> str:
        return f"Successfully reset state for job_id {outcome.job_id}"


class StreamResetResponseSchema(ResetResponseSchema):
    """200 body of a per-stream (Singer) reset."""

    streams = fields.List(fields.String())


class ResetPreviewSchema(_PreviewSchema):
    """200 body of ``?dry_run=true``: the doc's fields plus what would be cleared."""

    streams = fields.List(fields.String(), allow_none=True)
    would_clear = fields.Raw(attribute="previous_state")

    def preview_detail(self, outcome) -> str:
        return f"Dry run: state for job_id {outcome.job_id} would be reset"

    @post_dump
    def _streams_only_when_given(self, body: dict, **kwargs) -> dict:
        if body.get("streams") is None:
            body.pop("streams", None)
        return body


class PipelineResetResponseSchema(_SuccessSchema):
    """200 body of ``POST .../pipelines/<pipeline_id>/reset-state``, from a PipelineOutcome."""

    job_ids = fields.Function(lambda outcome: [job.job_id for job in outcome.jobs])

    def success_detail(self, outcome) -> str:
        return f"Successfully reset state for pipeline_id {outcome.pipeline_id}"


class JobPreviewSchema(Schema):
    job_id = fields.String()
    would_clear = fields.Raw(attribute="previous_state")


class PipelinePreviewSchema(_PreviewSchema):
    """200 body of a pipeline reset with ``?dry_run=true``."""

    jobs = fields.List(fields.Nested(JobPreviewSchema))

    def preview_detail(self, outcome) -> str:
        return f"Dry run: state for pipeline_id {outcome.pipeline_id} would be reset"


class LastResetSchema(Schema):
    at = fields.DateTime(format="iso")
    actor = fields.String()


class JobStateSchema(Schema):
    """200 body of ``GET .../jobs/<job_id>/state``, from a JobStateView."""

    job_id = fields.String()
    connector = fields.String()
    load_type = fields.String(allow_none=True)
    generation = fields.Integer()
    state = fields.Raw(
        allow_none=True,
        metadata={
            "description": 'JDBC {"incremental_column_value": ...}; Singer the state file; '
            'S3/Azure {"files": count, "last_modified": newest or null}'
        },
    )
    last_reset = fields.Nested(LastResetSchema, allow_none=True)


class HistoryEntrySchema(Schema):
    job_id = fields.String()
    connector = fields.String()
    load_type = fields.String(allow_none=True)
    actor = fields.String()
    at = fields.DateTime(format="iso")
    request_id = fields.String(allow_none=True)
    generation_before = fields.Integer()
    generation_after = fields.Integer()
    streams = fields.List(fields.String(), allow_none=True)
    previous_state = fields.Raw(allow_none=True)


class HistoryPageSchema(Schema):
    """200 body of ``GET .../jobs/<job_id>/state/history``: newest first."""

    items = fields.List(fields.Nested(HistoryEntrySchema))
    next = fields.String(allow_none=True, metadata={"description": "cursor of the next page"})


class ErrorSchema(Schema):
    """Body of every error response; ``errors`` (by field) for 422."""

    detail = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.Raw())
    known_streams = fields.List(fields.String())
