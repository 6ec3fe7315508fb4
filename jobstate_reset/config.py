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
    Setting(
        "JOBSTATE_RESET_REQUEST_ID_HEADER",
        "X-Request-ID",
        "Request header whose value (first 128 characters) is kept in the reset history.",
    ),
    Setting(
        "JOBSTATE_RESET_IDENTITY",
        None,
        "The host's identity callable (request -> Principal or None), or its import path "
        '"package.module:function". The identity= argument of JobStateReset wins over it.',
    ),
    Setting(
        "JOBSTATE_RESET_ALLOW_ANONYMOUS",
        False,
        "With no identity callable, let every request in as 'anonymous', for every "
        "customer's jobs. Off by default: without an identity callable every route answers 401.",
    ),
    Setting(
        "JOBSTATE_RESET_LOCK_TIMEOUT",
        10,
        "Seconds a reset (or run commit, read) waits for a job row another transaction "
        "holds, before answering 409 'busy'; None waits as long as the database does.",
    ),
    Setting(
        "JOBSTATE_RESET_MAX_BODY_BYTES",
        65536,
        "Largest request body the plugin's routes read; a larger one gets 413.",
    ),
)


def apply_defaults(config: MutableMapping[str, Any]) -> None:
    """Give every key its default unless the host already set it."""
    for setting in SETTINGS:
        config.setdefault(setting.key, setting.default)
