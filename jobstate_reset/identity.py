"""Who is calling: the host tells us, through a callable it gives the extension."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Request

ANONYMOUS = "anonymous"
CLI_ACTOR = "cli"


@dataclass(frozen=True)
class Principal:
    """The caller, as the host's identity callable describes it."""

    actor: str  # recorded in the reset history
    customer_id: str | None = None
    can_reset: bool = True


IdentityLoader = Callable[[Request], "Principal | None"]
