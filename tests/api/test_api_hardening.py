"""The API's gate before the body, its rate limits, and retried creations."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from grants.challenges.models import Challenge
from grants.extensions import db
from tests.api.helpers import error_of
from tests.api.test_challenge_flow_api import challenge_body


# --- 12. the role before the body ---------------------------------------------

@pytest.mark.parametrize("path", ["/challenges", "/integrity/entries", "/organizations", "/certificates"])
def test_a_caller_without_the_role_learns_nothing_about_the_fields(api, make, path):
    client = api(make.token(make.user("applicant")))
    response = client.post(path, {"nonsense": True})
    assert response.status_code == 403, response.get_json()
    assert error_of(response)["details"] == {}


def test_without_a_token_the_answer_is_401_before_the_body(api):
    response = api().post("/challenges", {"nonsense": True})
    assert response.status_code == 401


def test_the_right_role_still_gets_the_field_errors(api, make):
    response = api(make.token(make.user("enterprise"))).post("/challenges", {"nonsense": True})
    assert response.status_code == 422 and "nonsense" in error_of(response)["details"]


# --- 12. rate limits ------------------------------------------------------------

@pytest.fixture
def tight_limits(app):
    saved = app.config["API_RATE_LIMIT"], app.config["API_ADDRESS_RATE_LIMIT"]
    app.config["API_RATE_LIMIT"], app.config["API_ADDRESS_RATE_LIMIT"] = "3 per minute", "5 per minute"
    yield
    app.config["API_RATE_LIMIT"], app.config["API_ADDRESS_RATE_LIMIT"] = saved


def test_the_api_is_rate_limited_per_token(api, make, tight_limits):
    one = api(make.token(make.user("officer")))
    other = api(make.token(make.user("officer")))
    for _ in range(3):
        assert one.get("/challenges").status_code == 200
    limited = one.get("/challenges")
    assert limited.status_code == 429 and error_of(limited)["code"] == "too_many_requests"
    assert other.get("/challenges").status_code == 200  # another token has its own allowance


def test_the_api_is_rate_limited_per_address_whatever_the_token(client, make, tight_limits):
    from tests.api.helpers import ApiClient

    statuses = [ApiClient(client, make.token(make.user("officer"))).get("/challenges").status_code
                for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    elsewhere = client.get("/api/v1/challenges", environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert elsewhere.status_code == 200


def test_guessed_tokens_count_against_the_address(client, tight_limits):
    statuses = [client.get("/api/v1/challenges", headers={"Authorization": f"Bearer gr_guess{n}"}).status_code
                for n in range(6)]
    assert statuses == [401] * 5 + [429]


def test_the_api_limits_leave_the_pages_alone(app, client, tight_limits):
    from grants.extensions import limiter

    statuses = [client.get("/api/v1/challenges").status_code for _ in range(4)]
    assert statuses == [200] * 3 + [429]
    assert client.get("/login").status_code == 200
    # No rate-limit check runs before a page's request, only before the API's.
    assert limiter._check_request_limit not in app.before_request_funcs.get(None, [])


# --- 18. Idempotency-Key ----------------------------------------------------------

def _count(owner) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Challenge)
                             .where(Challenge.owner_org_id == owner.organization_id))


def test_a_retried_creation_with_the_same_key_creates_nothing_new(api, make):
    owner = make.user("enterprise")
    client = api(make.token(owner))
    body = challenge_body(title="重试也只有一个")
    first = client.post("/challenges", body, headers={"Idempotency-Key": "7d3c-01"})
    assert first.status_code == 201
    again = client.post("/challenges", body, headers={"Idempotency-Key": "7d3c-01"})
    assert again.status_code == 201 and again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _count(owner) == 1
    # A new key is a new request.
    assert client.post("/challenges", body, headers={"Idempotency-Key": "7d3c-02"}).status_code == 201
    assert _count(owner) == 2


def test_the_same_key_with_another_body_is_refused(api, make):
    owner = make.user("enterprise")
    client = api(make.token(owner))
    client.post("/challenges", challenge_body(title="第一个"), headers={"Idempotency-Key": "k-1"})
    response = client.post("/challenges", challenge_body(title="第二个"), headers={"Idempotency-Key": "k-1"})
    assert response.status_code == 422
    assert "已用于另一个不同的请求" in error_of(response)["message"]
    assert _count(owner) == 1


def test_keys_are_kept_per_token(api, make):
    owner = make.user("enterprise")
    colleague = make.user("enterprise", org=owner.organization)
    body = challenge_body(title="各自的键")
    assert api(make.token(owner)).post("/challenges", body, headers={"Idempotency-Key": "same"}).status_code == 201
    answer = api(make.token(colleague)).post("/challenges", body, headers={"Idempotency-Key": "same"})
    assert answer.status_code == 201 and "Idempotent-Replayed" not in answer.headers
    assert _count(owner) == 2


def test_a_refused_request_keeps_no_key_so_it_may_be_retried(api, make):
    owner = make.user("enterprise")
    client = api(make.token(owner))
    bad = client.post("/challenges", challenge_body(title=""), headers={"Idempotency-Key": "retry-me"})
    assert bad.status_code == 422
    good = client.post("/challenges", challenge_body(title=""), headers={"Idempotency-Key": "retry-me"})
    assert good.status_code == 422 and "Idempotent-Replayed" not in good.headers


def test_a_malformed_key_is_refused_in_words(api, make):
    client = api(make.token(make.user("enterprise")))
    response = client.post("/challenges", challenge_body(), headers={"Idempotency-Key": "x" * 300})
    assert response.status_code == 422 and "Idempotency-Key" in error_of(response)["message"]
