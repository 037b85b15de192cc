"""Hooks for the CORS preflight: Dredd checks only that its headers are there; check their values.

Dredd (gavel) compares the values of content negotiation headers only, so a preflight answered
with another origin, or without one of the requested headers, would pass unnoticed.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dredd_hooks as hooks  # noqa: E402
import support  # noqa: E402

PREFLIGHT = "CORS > Preflight > Ask to create an import"


def names(value: str) -> set[str]:
    return {name.strip().lower() for name in value.split(",") if name.strip()}


@hooks.after(PREFLIGHT)
@support.guarded
def preflight_allows_what_was_asked(transaction):
    sent = {k.lower(): v for k, v in transaction["request"]["headers"].items()}
    real = {k.lower(): v for k, v in transaction["real"]["headers"].items()}
    # A browser sends no token with a preflight: the answer must not depend on one.
    assert "authorization" not in sent, "the preflight was sent with a token"
    assert real["access-control-allow-origin"] == sent["origin"], real
    assert names(real["access-control-allow-headers"]) == names(
        sent["access-control-request-headers"]
    ), real
    method = sent["access-control-request-method"].lower()
    assert method in names(real["access-control-allow-methods"]), real
