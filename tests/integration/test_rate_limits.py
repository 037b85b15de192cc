"""Rate limits on the real Redis: per token, stricter per address without a valid token, a
JSON:API 429 with Retry-After over them, and open doors when Redis is away (the contract's
"Serving in production")."""

import pytest

from config import ProductionConfig, TestingConfig
from harness.broker import broker_url
from tests.jsonapi_client import JsonApiClient

BROKER_DB = 15  # the limiter's counters (and queued tasks, which no worker runs)
LIMITS = {"RATE_LIMIT": "3/minute", "RATE_LIMIT_ANONYMOUS": "2/minute"}


@pytest.fixture
def limited(client_with, broker, tokens):
    """Clients of one app with small limits, by role (None: no token)."""
    editor = client_with(REDIS_URL=broker_url(BROKER_DB), **LIMITS)
    flask_client = editor.flask
    return {role: JsonApiClient(flask_client, tokens.get(role)) for role in (*tokens, None)}


def statuses(client, times: int, path: str = "/imports") -> list[int]:
    return [client.get(path).status for _ in range(times)]


def test_a_token_over_its_limit_gets_a_jsonapi_429_with_retry_after(limited, broker):
    assert statuses(limited["reader"], 3) == [200, 200, 200]
    # Counted in Redis, where every process of every host sees the same count.
    assert len(broker.keys("*token:test-reader*")) == 1, "no counter in Redis"

    reply = limited["reader"].get("/imports")

    assert reply.status == 429
    [error] = reply.errors
    assert error["title"] == "Too Many Requests"
    assert 0 < int(reply.headers["Retry-After"]) <= 60


def test_a_tokens_limit_counts_every_route_together(limited):
    reader = limited["reader"]
    assert [reader.get(path).status for path in ("/imports", "/citizens", "/imports")] == [200] * 3

    assert reader.get("/citizens").status == 429


def test_one_tokens_burst_never_slows_another(limited):
    assert statuses(limited["reader"], 5) == [200, 200, 200, 429, 429]

    assert statuses(limited["editor"], 3) == [200, 200, 200]


def test_requests_without_a_valid_token_are_limited_per_address_and_sooner(limited, tokens):
    bad_token = JsonApiClient(limited[None].flask, "0123abcd.not-a-secret")

    assert statuses(limited[None], 2) == [401, 401]
    assert statuses(bad_token, 1) == [429]  # the same address, still no valid token
    assert statuses(limited["admin"], 3) == [200, 200, 200]  # a valid token counts for itself


def test_probes_and_preflights_are_never_limited(limited):
    anonymous = limited[None]
    for path in ("/health", "/", "/health", "/", "/health"):
        assert anonymous.flask.get(path).status_code == 200
    preflight = {"Origin": "https://spa.example", "Access-Control-Request-Method": "GET"}
    for _ in range(4):
        assert anonymous.flask.options("/imports", headers=preflight).status_code == 204


def test_when_redis_is_away_the_limiter_lets_every_request_through(client_with, tokens):
    nowhere = client_with(REDIS_URL="redis://127.0.0.1:1/0", **LIMITS)
    reader = JsonApiClient(nowhere.flask, tokens["reader"])

    assert statuses(reader, 6) == [200] * 6


def test_production_limits_by_default_and_development_does_not():
    production, testing = ProductionConfig.from_env({}), TestingConfig.from_env({})

    assert (production["RATE_LIMIT"], production["RATE_LIMIT_ANONYMOUS"]) == (
        "600/minute",
        "60/minute",
    )
    assert (testing["RATE_LIMIT"], testing["RATE_LIMIT_ANONYMOUS"]) == ("off", "off")
