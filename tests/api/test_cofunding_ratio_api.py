"""The bureau sets a challenge's co-funding ratio through the API, as on the challenge page."""

from grants.core import audit
from grants.extensions import db
from tests.api.documented import documented_api as api  # noqa: F401  (every answer checked)
from tests.api.helpers import error_of


def ratio(client, challenge, own, public):
    return client.put(f"/challenges/{challenge.id}/cofunding-ratio", {"cofund_own": own, "cofund_public": public})


def test_the_bureau_sets_and_clears_the_ratio_before_publication(api, make):
    challenge = make.challenge(state="submitted")
    client = api(make.token(make.user("officer")))
    response = ratio(client, challenge, 3, 1)
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["cofund_own"], response.get_json()["cofund_public"]) == (3, 1)
    event = audit.history(challenge)[-1]
    assert event.action == "set_cofunding_ratio" and event.evidence == {"own": 3, "public": 1}
    shown = client.get(f"/challenges/{challenge.id}").get_json()
    assert (shown["cofund_own"], shown["cofund_public"]) == (3, 1)

    cleared = ratio(client, challenge, None, None)
    assert cleared.status_code == 200 and cleared.get_json()["cofund_own"] is None
    assert audit.history(challenge)[-1].evidence == {"own": None, "public": None}


def test_half_a_ratio_or_a_zero_is_refused_with_the_pages_message(officer_api, make):
    challenge = make.challenge(state="draft")
    message = "请同时填写比例的两部分（均为不小于 1 的整数），或都不填。"
    for own, public in ((2, None), (0, 1), (-1, -1)):
        response = ratio(officer_api, challenge, own, public)
        assert response.status_code == 422
        assert error_of(response)["details"] == {"cofund_own": message}
    missing = officer_api.put(f"/challenges/{challenge.id}/cofunding-ratio", {"cofund_own": 1})
    assert missing.status_code == 422 and error_of(missing)["details"] == {"cofund_public": "为必填项"}
    huge = ratio(officer_api, challenge, 2**40, 1)
    assert huge.status_code == 422 and "cofund_own" in error_of(huge)["details"]
    db.session.refresh(challenge)
    assert challenge.cofund_own is None


def test_after_publication_the_ratio_is_fixed(officer_api, make):
    challenge = make.challenge(state="published")
    response = ratio(officer_api, challenge, 1, 1)
    assert response.status_code == 409
    assert error_of(response) == {"code": "refused", "message": "配套比例只能在发布前修改。", "details": {}}


def test_the_enterprise_and_others_may_not_set_it(api, make):
    owner = make.user("enterprise")
    challenge = make.challenge(state="submitted", owner=owner)
    refused = ratio(api(make.token(owner)), challenge, 1, 1)
    assert refused.status_code == 403
    assert error_of(refused)["message"] == "只有科技局可以设置配套比例。"
    # A submitted challenge is not public: to anyone else it does not exist.
    hidden = ratio(api(make.token(make.user("applicant"))), challenge, 1, 1)
    assert hidden.status_code == 404 and error_of(hidden)["code"] == "not_found"
    # Nor to the administrator (accounts, organisations, settings; not the workflows).
    assert ratio(api(make.token(make.user("admin"))), challenge, 1, 1).status_code == 404
    assert ratio(api(), challenge, 1, 1).status_code == 401
    db.session.refresh(challenge)
    assert challenge.cofund_own is None
