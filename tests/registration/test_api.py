"""The same through the JSON API (``/api/v1/registration``), over the same services."""
import pytest

from grants.auth.models import User
from grants.extensions import db
from grants.registration.models import ApplicationState, ExpertApplication, OrgManager, OrgRegistration
from tests.api.helpers import ApiClient, error_of
from tests.factories import id_number
from tests.registration.helpers import counts, expert_form, org_form, outbox, pdf


@pytest.fixture
def api(client):
    return ApiClient(client)


def register(api, **overrides):
    data = {**org_form(**overrides), "licence": pdf()}
    with outbox() as sent:
        response = api.post("/registration/organizations", data=data, content_type="multipart/form-data")
    return response, sent


def test_an_organisation_registers_confirms_and_is_approved_through_the_api(api, client, make):
    response, sent = register(api, kind="university", contact_id_number=id_number())
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["state"] == "submitted" and "确认" in body["message"]
    confirmed = api.post("/registration/confirmations", {"token": sent.token()})
    assert confirmed.status_code == 200 and confirmed.get_json()["email"] == "wangmin@qinchuan.cn"
    again = api.post("/registration/confirmations", {"token": sent.token()})
    assert again.status_code == 409 and "只能使用一次" in error_of(again)["message"]

    officer = ApiClient(client, make.token(make.user("officer")))
    listed = officer.get("/registration/organizations?state=submitted").get_json()
    assert [r["id"] for r in listed] == [body["id"]] and listed[0]["email_confirmed_at"]
    path = f"/registration/organizations/{body['id']}"
    assert officer.get(path).get_json()["credit_code"] == listed[0]["credit_code"]
    assert {t["name"] for t in officer.get(f"{path}/transitions").get_json()} == {"approve", "reject"}
    done = officer.post(f"{path}/transitions/approve", {"version": listed[0]["version"]})
    assert done.status_code == 200 and done.get_json()["state"] == "approved"
    actions = [e["action"] for e in officer.get(f"{path}/history").get_json()]
    assert actions == ["submit", "confirm_email", "approve"]
    reg = db.session.get(OrgRegistration, body["id"])
    assert db.session.get(OrgManager, reg.organization_id).user_id == reg.user_id


def test_api_refusals_are_in_words_and_nothing_is_created(api, make):
    org = make.org()
    before = counts()
    response, sent = register(api, credit_code=org.credit_code)
    assert response.status_code == 422 and not sent
    assert "已注册" in error_of(response)["details"]["credit_code"]
    response = api.post("/registration/organizations", data={**org_form(), "licence": pdf("x.pdf", b"GIF89a")},
                        content_type="multipart/form-data")
    assert response.status_code == 422 and "不是 PDF 文件" in error_of(response)["details"]["licence"]
    assert counts() == before
    assert api.post("/registration/confirmations", {"token": "nope"}).status_code == 409


def test_only_the_bureau_decides_through_the_api(api, client, make):
    response, sent = register(api)
    api.post("/registration/confirmations", {"token": sent.token()})
    path = f"/registration/organizations/{response.get_json()['id']}"
    assert api.get(path).status_code == 401
    for role in ("admin", "enterprise", "applicant", "reviewer"):
        caller = ApiClient(client, make.token(make.user(role)))
        listing = caller.get("/registration/organizations")
        assert listing.status_code == 403 and "您的角色无权使用此部分 API" in error_of(listing)["message"]
        assert caller.post(f"{path}/transitions/approve", {}).status_code in (403, 404)
    officer = ApiClient(client, make.token(make.user("officer")))
    refused = officer.post(f"{path}/transitions/reject", {})
    assert refused.status_code == 409 and "须填写理由" in error_of(refused)["message"]
    assert officer.post(f"{path}/transitions/reject", {"comment": "材料不全"}).get_json()["state"] == "rejected"


def test_invitations_members_and_handing_over_through_the_api(api, client, approved_org, make):
    reg = approved_org()
    manager = ApiClient(client, make.token(reg.user))
    with outbox() as sent:
        invited = manager.post("/registration/invitations", {"email": "new@example.cn"})
    assert invited.status_code == 201 and invited.get_json()["email"] == "new@example.cn"
    assert [i["email"] for i in manager.get("/registration/invitations").get_json()] == ["new@example.cn"]
    twice = manager.post("/registration/invitations", {"email": "new@example.cn"})
    assert twice.status_code == 422 and "已被邀请" in error_of(twice)["message"]
    joined = api.post("/registration/invitations/accept", {"token": sent.token(), "name": "新成员",
                                                            "password": "member-pass-1"})
    assert joined.status_code == 201 and joined.get_json()["organization_id"] == reg.organization_id
    reused = api.post("/registration/invitations/accept", {"token": sent.token(), "name": "新成员",
                                                            "password": "member-pass-1"})
    assert reused.status_code == 409 and "只能使用一次" in error_of(reused)["message"]
    member_id = joined.get_json()["id"]
    assert {m["email"] for m in manager.get("/registration/members").get_json()} == {reg.user.email, "new@example.cn"}
    stranger = ApiClient(client, make.token(make.user("enterprise")))
    assert stranger.get("/registration/members").status_code == 403
    handed = manager.post(f"/registration/members/{member_id}/manager")
    assert handed.status_code == 200
    assert manager.get("/registration/members").status_code == 403
    new_manager = ApiClient(client, make.token(db.session.get(User, member_id)))
    gone = new_manager.post(f"/registration/members/{reg.user_id}/deactivate")
    assert gone.status_code == 200 and gone.get_json()["active"] is False


def test_an_expert_applies_and_keeps_their_record_through_the_api(api, client, make):
    data = {**expert_form(), "cv": pdf("cv.pdf")}
    with outbox() as sent:
        response = api.post("/registration/experts", data=data, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    api.post("/registration/confirmations", {"token": sent.token()})
    application = db.session.get(ExpertApplication, response.get_json()["id"])
    officer = ApiClient(client, make.token(make.user("officer")))
    assert officer.get(f"/registration/experts/{application.id}").get_json()["employer_label"] == "西北某大学"
    done = officer.post(f"/registration/experts/{application.id}/transitions/approve",
                        {"version": application.version})
    assert done.status_code == 200, done.get_json()
    db.session.refresh(application)
    assert application.state == ApplicationState.approved
    expert = ApiClient(client, make.token(application.user))
    assert expert.get("/registration/experts/me").get_json()["years"] == 15
    changed = expert.put("/registration/experts/me", {"title": "研究员", "fields": ["biomedicine"],
                                                       "employer_name": "某研究所", "years": 16})
    assert changed.status_code == 200 and changed.get_json()["fields"] == ["biomedicine"]
    bad = expert.put("/registration/experts/me", {"title": "研究员", "fields": [], "employer_name": "某研究所",
                                                   "years": 16})
    assert bad.status_code == 422 and "请至少选择一个专业领域" in error_of(bad)["message"]
    other = ApiClient(client, make.token(make.reviewer()))
    assert other.get("/registration/experts/me").status_code == 404
