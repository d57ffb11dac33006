"""Integrity entries through the API: the same services and messages as the pages."""
import json

import pytest

from grants.core import audit, clock
from grants.extensions import db
from grants.integrity.models import IntegrityEntry
from tests.api.helpers import error_of
from tests.factories import credit_code


def entry_body(**overrides):
    body = {"list": "black", "subject_type": "organization", "code": credit_code(), "name": "某某科技有限公司",
            "reason": "伪造申报材料", "basis": "咸科技发〔2026〕88号", "authority": "市科学技术局",
            "start_on": "2026-03-01", "end_on": "2027-03-01"}
    body.update(overrides)
    return body


@pytest.mark.parametrize("role", ["applicant", "enterprise", "reviewer"])
def test_other_roles_may_not_use_integrity_entries(api, make, role):
    client = api(make.token(make.user(role)))
    for response in (client.get("/integrity/entries"), client.post("/integrity/entries", entry_body())):
        assert response.status_code == 403
        error = error_of(response)
        assert error["code"] == "forbidden" and "您的角色无权使用此部分 API" in error["message"]


def test_anonymous_callers_are_asked_for_a_token(api):
    response = api().get("/integrity/entries")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert error_of(response)["code"] == "unauthorized"


def test_officer_creates_an_entry_with_an_audit_event(officer_api):
    response = officer_api.post("/integrity/entries", entry_body(code=credit_code(501)))
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert data["status"] == "in_force" and data["list"] == "black"
    entry = db.session.get(IntegrityEntry, data["id"])
    assert entry.subject_code == credit_code(501)
    events = audit.history(entry)
    assert events[0].action == "add" and events[0].evidence["source"] == "api"


def test_bad_credit_code_names_the_field_in_chinese_by_default(officer_api):
    response = officer_api.post("/integrity/entries", entry_body(code="91610100MA0000001X"))
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "validation_failed"
    assert error["details"]["code"] == "统一社会信用代码校验码不正确（代码可能有误）"
    assert db.session.query(IntegrityEntry).count() == 0


def test_bad_credit_code_in_english_on_request(api, make):
    client = api(make.token(make.user("officer")), lang="en-US,en;q=0.9")
    response = client.post("/integrity/entries", entry_body(code="91610100MA0000001X"))
    assert response.status_code == 422
    assert error_of(response)["details"]["code"] == \
        "Unified social credit code check character is wrong (the code has a typo)"


def test_missing_and_wrongly_typed_fields_are_named(officer_api):
    body = entry_body(start_on="next week", name=12)
    del body["reason"]
    response = officer_api.post("/integrity/entries", body)
    assert response.status_code == 422
    details = error_of(response)["details"]
    assert details == {"reason": "为必填项", "start_on": "须为日期（YYYY-MM-DD）", "name": "须为字符串"}


def test_end_before_start_is_refused_by_the_service_rule(officer_api):
    response = officer_api.post("/integrity/entries", entry_body(start_on="2026-03-01", end_on="2026-02-01"))
    assert response.status_code == 422
    assert error_of(response)["details"]["end_on"] == "结束日期早于开始日期"


def test_list_filters_and_pages(officer_api, make):
    org_a, org_b = make.org(name="甲公司"), make.org(name="乙公司")
    make.black(org_a)
    make.red(org_b)
    make.black(org_b, start_on=clock.today().replace(year=2027))
    response = officer_api.get("/integrity/entries", query_string={"page_size": 2})
    assert response.status_code == 200
    assert len(response.get_json()) == 2
    paging = json.loads(response.headers["X-Pagination"])
    assert paging["total"] == 3 and paging["total_pages"] == 2 and paging["next_page"] == 2

    def codes(**filters):
        return [(e["subject_name"], e["list"], e["status"])
                for e in officer_api.get("/integrity/entries", query_string=filters).get_json()]

    assert codes(list="red") == [("乙公司", "red", "in_force")]
    assert codes(status="pending") == [("乙公司", "black", "pending")]
    assert codes(list="black", status="in_force") == [("甲公司", "black", "in_force")]
    assert codes(code=org_a.credit_code.lower()) == [("甲公司", "black", "in_force")]
    assert len(codes(q="乙")) == 2
    assert officer_api.get("/integrity/entries", query_string={"page": 99}).get_json() == []
    unknown = officer_api.get("/integrity/entries", query_string={"status": "active"})
    assert unknown.status_code == 422
    assert error_of(unknown)["details"] == {"status": "应为以下之一：pending, in_force, expired, revoked"}


def test_get_one_and_not_found(officer_api, make):
    entry = make.black(make.org())
    response = officer_api.get(f"/integrity/entries/{entry.id}")
    assert response.status_code == 200 and response.get_json()["subject_code"] == entry.subject_code
    missing = officer_api.get(f"/integrity/entries/{entry.id + 1000}")
    assert missing.status_code == 404 and error_of(missing)["code"] == "not_found"


def test_revoke_with_reason_then_again_is_refused(officer_api, make):
    entry = make.black(make.org())
    no_reason = officer_api.post(f"/integrity/entries/{entry.id}/revoke", {"reason": "  "})
    assert no_reason.status_code == 422
    assert error_of(no_reason)["details"]["reason"] == "撤销理由为必填项"

    response = officer_api.post(f"/integrity/entries/{entry.id}/revoke", {"reason": "复议撤销"})
    assert response.status_code == 200 and response.get_json()["status"] == "revoked"
    again = officer_api.post(f"/integrity/entries/{entry.id}/revoke", {"reason": "复议撤销"})
    assert again.status_code == 409
    error = error_of(again)
    assert error["code"] == "refused" and "已于" in error["message"]


def test_history_lists_the_entrys_events(officer_api, make):
    entry = make.black(make.org())
    officer_api.post(f"/integrity/entries/{entry.id}/revoke", {"reason": "复议撤销"})
    response = officer_api.get(f"/integrity/entries/{entry.id}/history")
    assert response.status_code == 200
    assert [e["action"] for e in response.get_json()] == ["add", "revoke"]  # no live work to touch, so no effects event
    assert response.get_json()[-1]["comment"] == "复议撤销"
    assert response.get_json()[-1]["at"].endswith("+00:00")


def test_an_officer_listing_a_reviewer_withdraws_their_assignment_as_the_system(api, make):
    from grants.reviews.models import AssignmentState
    from grants.reviews.services import assign_reviewer
    from tests.reviews.helpers import reviewing

    challenge, officer, _bids = reviewing(make, n_bids=1)
    reviewer = make.reviewer()
    assignment = assign_reviewer(challenge, reviewer, actor=officer)
    db.session.commit()
    officer_api = api(make.token(make.user("officer")))
    person = reviewer.person
    response = officer_api.post("/integrity/entries", entry_body(subject_type="person", code=person.id_number,
                                                                 name=person.name))
    assert response.status_code == 201, response.get_json()
    db.session.refresh(assignment)
    assert assignment.state != AssignmentState.assigned
    withdrawn = audit.history(assignment)[-1]
    assert withdrawn.actor_id is None  # the rule acted, not the officer's role


def test_the_administrator_may_not_add_or_revoke_entries_as_on_the_pages(api, make):
    # DESIGN.md: the bureau keeps the lists; the administrator does accounts, organisations, settings.
    admin_api = api(make.token(make.user("admin")))
    org = make.org()
    added = admin_api.post("/integrity/entries", entry_body(code=org.credit_code, name=org.name))
    assert added.status_code == 403
    assert error_of(added)["message"] == "您的角色无权使用此部分 API。"
    entry = make.black(make.org())
    revoked = admin_api.post(f"/integrity/entries/{entry.id}/revoke", {"reason": "更正"})
    assert revoked.status_code == 403
    db.session.refresh(entry)
    assert entry.revoked_at is None
