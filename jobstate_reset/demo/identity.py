"""The demo's identity callable: three fixed tokens, two customers.

A real host looks its tokens up in its own auth system (and compares secrets
with hmac.compare_digest); the shape of the answer is the same.
"""

from __future__ import annotations

from flask import Request

from ..identity import Principal, access_token
from .seed import CUSTOMER_ID, OTHER_CUSTOMER_ID

DEMO_TOKENS = {
    # owns the API doc's jobs
    "demo-token": Principal(customer_id=CUSTOMER_ID, actor="demo-user"),
    # same customer, may read but not reset
    "readonly-demo-token": Principal(customer_id=CUSTOMER_ID, actor="demo-viewer", can_reset=False),
    # a second customer, with one job of its own
    "other-demo-token": Principal(customer_id=OTHER_CUSTOMER_ID, actor="other-demo-user"),
}


def demo_identity(request: Request) -> Principal | None:
    return DEMO_TOKENS.get(access_token(request) or "")
