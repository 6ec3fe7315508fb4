"""Parse and normalize job ids: ``{pipeline_id}_{job_index}``.

The pipeline id is five groups of 8-4-4-4-12 ASCII letters or digits (not
only hex: the API doc's own S3 example uses ``g``..``k``), joined by ``_`` or
``-``; the index follows after one more ``_`` or ``-`` and is a non-negative
integer written without a sign. Case is ignored. The normal form is lower
case, joined by ``_``, with the index in plain decimal (no leading zeros).

Everything that does not match is "not a job id"; callers answer it exactly
like an unknown job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Longest text worth matching: 36 for the pipeline id, 1 separator and a
# generous index. Checked before the regex so a 10 KB path costs nothing.
MAX_JOB_ID_LENGTH = 64

# Largest index a job can have: the signed 64-bit range every database has.
MAX_JOB_INDEX = 2**63 - 1

# re.ASCII: without it, \w-like classes and IGNORECASE accept non-ASCII look-alikes
# (the Kelvin sign matches "k" case-insensitively in Unicode mode).
_SEP = "[_-]"
_PIPELINE_PATTERN = (
    f"[a-z0-9]{{8}}{_SEP}[a-z0-9]{{4}}{_SEP}[a-z0-9]{{4}}{_SEP}[a-z0-9]{{4}}{_SEP}[a-z0-9]{{12}}"
)
_PIPELINE_ID = re.compile(_PIPELINE_PATTERN, re.ASCII | re.IGNORECASE)
_JOB_ID = re.compile(
    f"(?P<pipeline>{_PIPELINE_PATTERN}){_SEP}(?P<index>[0-9]+)", re.ASCII | re.IGNORECASE
)


@dataclass(frozen=True)
class JobId:
    """A syntactically valid job id in normal form."""

    pipeline_id: str
    index: int

    def __str__(self) -> str:
        return f"{self.pipeline_id}_{self.index}"


def normalize_pipeline_id(text: str) -> str | None:
    """Return the pipeline id in normal form, or None if ``text`` is not one."""
    if len(text) > MAX_JOB_ID_LENGTH or not _PIPELINE_ID.fullmatch(text):
        return None
    return _normal_pipeline(text)


def parse_job_id(text: str) -> JobId | None:
    """Return the job id ``text`` names, or None if it is not a job id."""
    if len(text) > MAX_JOB_ID_LENGTH:
        return None
    match = _JOB_ID.fullmatch(text)
    if match is None:
        return None
    index = int(match["index"])
    if index > MAX_JOB_INDEX:
        return None
    return JobId(_normal_pipeline(match["pipeline"]), index)


def _normal_pipeline(text: str) -> str:
    return text.lower().replace("-", "_")
