"""Every ``JOBSTATE_RESET_*`` configuration key, its default and what it does.

``init_app`` sets each default with ``app.config.setdefault``, so a host
overrides any of them in its own config before or after creating the
extension, as long as it is before ``init_app``.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    key: str
    default: Any
    doc: str


SETTINGS = (
    Setting(
        "JOBSTATE_RESET_URL_PREFIX",
        "/platform",
        "URL prefix of the plugin's routes: the reset is POST {prefix}/jobs/<job_id>/reset-state.",
    ),
)


def apply_defaults(config: MutableMapping[str, Any]) -> None:
    """Give every key its default unless the host already set it."""
    for setting in SETTINGS:
        config.setdefault(setting.key, setting.default)
