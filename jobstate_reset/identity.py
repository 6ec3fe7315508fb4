"""Who is calling: the host says, through a callable it gives the extension.

The callable takes the Flask request and returns a Principal, or None when the
request carries no valid credentials. The plugin fails closed: no callable
(unless ``JOBSTATE_RESET_ALLOW_ANONYMOUS``), None, or a principal without a
customer all answer 401.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Request

ANONYMOUS = "anonymous"
CLI_ACTOR = "cli"


@dataclass(frozen=True)
class Principal:
    """The caller, as the host's identity callable describes it."""

    customer_id: str | None  # whose jobs the caller may see; None only for anonymous access
    actor: str  # recorded in the reset history
    can_reset: bool = True  # False: reads (state, history, previews) only


IdentityLoader = Callable[[Request], "Principal | None"]

# Who the caller is when the host allows anonymous access: every customer's jobs.
ANONYMOUS_PRINCIPAL = Principal(customer_id=None, actor=ANONYMOUS, can_reset=True)


def access_token(request: Request) -> str | None:
    """The token of the ``Authorization`` header, sent bare or as ``Bearer <token>``.

    The platform's tutorials send it without the ``Bearer`` prefix; both work.
    A helper for hosts' identity callables.
    """
    value = request.headers.get("Authorization", "").strip()
    scheme, _, rest = value.partition(" ")
    if scheme.lower() == "bearer":
        value = rest.strip()
    return value or None
