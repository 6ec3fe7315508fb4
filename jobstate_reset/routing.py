"""URL pieces of the plugin's routes."""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import BaseConverter

ANY_TEXT = "jobstate_any_text"


class AnyTextConverter(BaseConverter):
    """Matches any text, the empty string, "/" and newlines included.

    Werkzeug's own converters refuse an empty id, and their "." stops at a
    newline; either way the request would miss the route and get the host's
    HTML 404. With this one, every id reaches the view and gets the JSON 404.
    """

    regex = r"(?s:.*?)"
    part_isolating = False


def register_converters(app: Flask) -> None:
    app.url_map.converters[ANY_TEXT] = AnyTextConverter
