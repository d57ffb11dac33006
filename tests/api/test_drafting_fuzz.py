"""Generated input against real drafts: the owner's own challenge and the team's own bid.

The document-wide run (test_schemathesis.py) mostly meets 401/403/404, since
random ids find nothing; here the ids point at objects the caller may edit,
so the services themselves see the generated values. Nothing may fail (500)
and every answer must match the document.
"""
import os

import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from grants.bids.models import Bid
from grants.challenges.models import Challenge
from grants.extensions import db
from tests.api.test_schemathesis import CHECKS, EXAMPLES, REPEATABLE

TARGETS = {
    ("POST", "/api/v1/challenges"): "enterprise",
    ("PATCH", "/api/v1/challenges/{challenge_id}"): "enterprise",
    ("POST", "/api/v1/bids"): "applicant",
    ("PATCH", "/api/v1/bids/{bid_id}"): "applicant",
    ("POST", "/api/v1/bids/{bid_id}/attachments"): "applicant",
}


def test_drafting_operations_with_generated_input(app, make):
    owner = make.user("enterprise")
    draft = make.challenge(owner=owner, state="draft")
    challenge = make.challenge()
    team = make.user("applicant")
    bid = make.bid(challenge, user=team, submit=False)
    headers = {"enterprise": {"Authorization": f"Bearer {make.token(owner)}"},
               "applicant": {"Authorization": f"Bearer {make.token(team)}"}}
    ids = {"challenge_id": draft.id, "bid_id": bid.id}

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    seen = set()
    statuses = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        key = (operation.method.upper(), operation.path)
        if key not in TARGETS:
            continue
        seen.add(key)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=REPEATABLE,
                      suppress_health_check=list(HealthCheck))
            def check(case):
                if case.path_parameters:
                    case.path_parameters = {k: ids.get(k, v) for k, v in case.path_parameters.items()}
                if isinstance(case.body, dict) and mode == GenerationMode.POSITIVE:
                    # Valid references and the current version, so that the services see the values.
                    if key == ("POST", "/api/v1/bids"):
                        case.body["challenge_id"] = challenge.id
                    elif key[0] == "PATCH":
                        model = Challenge if "challenge_id" in ids and "challenges" in key[1] else Bid
                        case.body["version"] = db.session.scalar(
                            sa.select(model.version).where(model.id == (draft.id if model is Challenge else bid.id)))
                response = case.call_and_validate(headers=headers[TARGETS[key]], checks=CHECKS)
                statuses.setdefault(key, []).append(response.status_code)

            check()
    assert seen == set(TARGETS), os.linesep.join(map(str, set(TARGETS) - seen))
    if os.environ.get("API_FUZZ_REPORT"):
        from collections import Counter
        for key, codes in statuses.items():
            print(key, sorted(Counter(codes).items()))
