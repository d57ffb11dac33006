"""Accounts inside an organisation: invitations, deactivation, handing over the manager's part."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from grants.auth.models import User
from grants.core import clock
from grants.core.errors import Forbidden, Refused, ValidationFailed
from grants.extensions import db
from grants.registration import members
from grants.registration.models import OrgManager
from tests.factories import id_number
from tests.registration.helpers import counts, outbox


def invite(client, email):
    with outbox() as sent:
        response = client.post("/register/members/invite", data={"email": email}, follow_redirects=True)
    return response.get_data(as_text=True), sent


def test_the_manager_invites_a_member_who_opens_an_account_once(client, login, approved_org):
    reg = approved_org(kind="university", contact_id_number=id_number())
    login(reg.user, password="secret-pass-1")
    html, sent = invite(client, "Chen@NWU.edu.cn")
    assert "邀请已发出，链接 7 天内有效。" in html and "chen@nwu.edu.cn" in html
    assert [m["to"] for m in sent] == ["chen@nwu.edu.cn"] and "/register/invitation/" in sent.links()[0]
    client.post("/logout")

    page = client.get(f"/register/invitation/{sent.token()}").get_data(as_text=True)
    assert f"加入{reg.name}" in page
    html = client.post(f"/register/invitation/{sent.token()}", data={"name": "陈刚", "password": "member-pass-1"},
                       follow_redirects=True).get_data(as_text=True)
    assert "居民身份证号码对该角色为必填项" in html  # a university's accounts bid: the rule needs the person
    number = id_number()
    response = client.post(f"/register/invitation/{sent.token()}",
                           data={"name": "陈刚", "password": "member-pass-1", "id_number": number})
    assert response.status_code == 302
    member = db.session.scalar(sa.select(User).where(User.email == "chen@nwu.edu.cn"))
    assert member.organization_id == reg.organization_id and member.person.id_number == number
    assert member.role.value == "applicant"
    used = client.get(f"/register/invitation/{sent.token()}")
    assert used.status_code == 410 and "使用过；每个链接只能使用一次" in used.get_data(as_text=True)
    login(member, password="member-pass-1")


def test_an_invitation_expires_after_seven_days(client, login, approved_org):
    reg = approved_org()
    login(reg.user, password="secret-pass-1")
    _html, sent = invite(client, "late@example.cn")
    clock.set_now(clock.now() + timedelta(days=7, minutes=1))
    before = counts()
    response = client.post(f"/register/invitation/{sent.token()}", data={"name": "迟到", "password": "member-pass-1"})
    assert response.status_code == 410 and "过期，请重新申请" in response.get_data(as_text=True)
    assert counts() == before
    html, _sent = invite(client, "late@example.cn")  # a new invitation once the old one expired
    assert "邀请已发出" in html


def test_an_address_invited_twice_or_with_an_account_is_refused(client, login, approved_org, make):
    reg = approved_org()
    login(reg.user, password="secret-pass-1")
    invite(client, "twice@example.cn")
    html, sent = invite(client, "twice@example.cn")
    assert "twice@example.cn 已被邀请，邀请有效期至" in html and not sent
    html, sent = invite(client, reg.user.email)
    assert f"{reg.user.email} 已有账号。" in html and not sent


def test_the_same_person_cannot_hold_two_accounts_in_one_organisation(approved_org):
    reg = approved_org(kind="institute", contact_id_number=id_number())
    manager = reg.user
    with outbox() as sent:
        members.invite_member(reg.organization, "second@example.cn", actor=manager)
    db.session.commit()
    before = counts()
    with pytest.raises(ValidationFailed) as refused:
        members.accept_invitation(sent.token(), name=manager.display_name, password="member-pass-1",
                                  id_number=manager.person.id_number)
    assert str(refused.value) == f"此人在{reg.name}已有账号（{manager.email}）。"
    db.session.rollback()
    assert counts() == before


def test_the_manager_sees_and_deactivates_members(client, login, approved_org, make):
    reg = approved_org()
    member = make.user("enterprise", org=reg.organization)
    login(reg.user, password="secret-pass-1")
    page = client.get("/register/members").get_data(as_text=True)
    assert member.email in page and reg.user.email in page and "管理员" in page
    html = client.post(f"/register/members/{member.id}/deactivate", follow_redirects=True).get_data(as_text=True)
    assert "该账号已停用。" in html
    db.session.refresh(member)
    assert not member.active
    html = client.post(f"/register/members/{member.id}/deactivate", follow_redirects=True).get_data(as_text=True)
    assert "的账号已停用。" in html
    html = client.post(f"/register/members/{reg.user.id}/deactivate", follow_redirects=True).get_data(as_text=True)
    assert "管理员不能停用自己的账号" in html
    stranger = make.user("enterprise")
    html = client.post(f"/register/members/{stranger.id}/deactivate", follow_redirects=True).get_data(as_text=True)
    assert f"不是{reg.name}的成员" in html
    db.session.refresh(stranger)
    assert stranger.active


def test_the_manager_hands_the_part_to_another_member(client, login, approved_org, make):
    reg = approved_org()
    member = make.user("enterprise", org=reg.organization)
    login(reg.user, password="secret-pass-1")
    html = client.post(f"/register/members/{member.id}/manager", follow_redirects=True).get_data(as_text=True)
    assert "账号管理员职责已移交。" in html
    assert db.session.get(OrgManager, reg.organization_id).user_id == member.id
    assert client.get("/register/members").status_code == 403  # no longer the manager
    login(member)
    assert client.get("/register/members").status_code == 200
    db.session.refresh(reg.user)
    members.deactivate_member(reg.organization, reg.user, actor=member)  # the old manager is a member now
    with pytest.raises(Refused) as refused:
        members.hand_over(reg.organization, reg.user, actor=member)
    assert "已停用，不能担任账号管理员" in str(refused.value)


def test_only_the_manager_manages(client, login, approved_org, make):
    reg = approved_org()
    member = make.user("enterprise", org=reg.organization)
    for user in (member, make.user("officer"), make.user("admin"), make.user("enterprise")):
        with pytest.raises(Forbidden) as refused:
            members.invite_member(reg.organization, "x@example.cn", actor=user)
        assert str(refused.value) == "只有本单位的账号管理员可以进行此操作。"
        login(user)
        assert client.get("/register/members").status_code == 403
        assert client.post("/register/members/invite", data={"email": "x@example.cn"}).status_code == 403
        assert client.post(f"/register/members/{reg.user.id}/deactivate").status_code == 403
    db.session.refresh(reg.user)
    assert reg.user.active
