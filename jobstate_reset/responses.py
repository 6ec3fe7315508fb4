"""Render response bodies the way the API doc prints them.

The doc shows each body with its keys in a fixed order and indented by two
spaces; we send exactly those bytes rather than the host's JSON settings
(Flask sorts keys by default), so a caller can compare bodies to the doc.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from flask import Response, current_app


def json_response(body: Mapping, status: int = 200, headers=None) -> Response:
    """A JSON response with ``body`` in its own key order, indented like the doc."""
    # ensure_ascii=False: text goes back as the caller wrote it, in UTF-8. A lone
    # surrogate cannot be encoded; backslashreplace turns it into a valid JSON escape.
    text = json.dumps(body, indent=2, ensure_ascii=False)
    return current_app.response_class(
        text.encode("utf-8", "backslashreplace"),
        status=status,
        headers=headers,
        mimetype="application/json",
    )
