"""Organisation registration: the public form, the e-mail link, the bureau's decision."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from grants.auth.models import Organization, User
from grants.core import clock
from grants.core.errors import Forbidden, Refused, ValidationFailed
from grants.core.models import AuditEvent
from grants.core.workflow import fire
from grants.extensions import db
from grants.registration import services
from grants.registration.models import ApplicationState, OrgManager, OrgRegistration
from tests.factories import complete_credit_code, credit_code, id_number
from tests.registration.helpers import PDF, counts, org_form, outbox, pdf


def post_form(client, **overrides):
    data = {**org_form(), "licence": pdf()}
    data.update(overrides)
    return client.post("/register/organisation", data=data, content_type="multipart/form-data")


def registered(**overrides):
    """A registration through the service, its address confirmed."""
    with outbox() as sent:
        reg = services.register_organisation(org_form(**overrides), licence=pdf())
        services.confirm_email(sent.token())
    db.session.commit()
    return reg


def test_the_public_form_takes_a_registration_and_mails_a_confirmation_link(client):
    with outbox() as sent:
        response = post_form(client, contact_email="Zhang@Qinchuan.cn")
    assert response.status_code == 200
    assert "确认链接已发送到 zhang@qinchuan.cn" in response.get_data(as_text=True)
    reg = db.session.scalar(sa.select(OrgRegistration))
    assert reg.state == ApplicationState.submitted and reg.email_confirmed_at is None
    assert reg.licence.original_filename == "licence.pdf" and reg.licence.size == len(PDF)
    assert [m["to"] for m in sent] == ["zhang@qinchuan.cn"]
    assert "/register/confirm/" in sent.links()[0]
    assert db.session.scalar(sa.select(Organization).where(Organization.credit_code == reg.credit_code)) is None

    page = client.get(f"/register/confirm/{sent.token()}")
    assert page.status_code == 200 and "确认您的邮箱地址" in page.get_data(as_text=True)
    db.session.refresh(reg)
    assert reg.email_confirmed_at is None  # a GET (a mail scanner) spends nothing
    response = client.post(f"/register/confirm/{sent.token()}", follow_redirects=True)
    assert "您的邮箱已确认" in response.get_data(as_text=True)
    db.session.refresh(reg)
    assert reg.email_confirmed_at is not None
    again = client.post(f"/register/confirm/{sent.token()}", follow_redirects=True).get_data(as_text=True)
    assert "该链接已于" in again and "使用过；每个链接只能使用一次" in again


@pytest.mark.parametrize("overrides, field, message", [
    ({"credit_code": "91610100MA0000001X"}, "credit_code", "校验码不正确"),
    ({"credit_code": ""}, "credit_code", "统一社会信用代码为必填项"),
    ({"kind": "university", "contact_id_number": ""}, "contact_id_number", "须填写联系人的居民身份证号码"),
    ({"kind": "institute", "contact_id_number": "610102198001011234"}, "contact_id_number", "校验码不正确"),
    ({"contact_mobile": "12345"}, "contact_mobile", "手机号码应为以 1 开头的 11 位数字"),
    ({"contact_email": "not-an-address"}, "contact_email", "不是有效的地址"),
    ({"password": "short"}, "password", "至少 8"),
    ({"name": ""}, "name", "名称为必填项"),
])
def test_bad_input_is_refused_in_words_and_nothing_is_created(client, overrides, field, message):
    before = counts()
    html = post_form(client, **overrides).get_data(as_text=True)
    assert message in html, html[html.find("invalid-feedback") - 300:][:800]
    assert counts() == before


def test_a_password_close_to_the_contacts_address_is_refused(client, app):
    app.config["PASSWORD_MIN_SCORE"] = 3  # the production setting
    try:
        before = counts()
        html = post_form(client, password="wangmin123").get_data(as_text=True)
        assert "太容易被猜到" in html
        assert counts() == before
    finally:
        app.config["PASSWORD_MIN_SCORE"] = 0


def test_a_licence_that_is_not_a_pdf_is_refused_and_nothing_is_created(client):
    before = counts()
    html = post_form(client, licence=pdf("licence.docx", b"PK\x03\x04 a word file")).get_data(as_text=True)
    assert "licence.docx 不是 PDF 文件" in html
    html = post_form(client, licence=pdf("licence.pdf", b"%PDF-1.4 only the start of one")).get_data(as_text=True)
    assert "licence.pdf 不是 PDF 文件" in html
    html = client.post("/register/organisation", data=org_form(),
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "请附上 PDF 文件。" in html
    assert counts() == before


def test_a_code_already_registered_is_refused_at_once(client, make):
    org = make.org()
    before = counts()
    html = post_form(client, credit_code=org.credit_code).get_data(as_text=True)
    assert f"统一社会信用代码 {org.credit_code} 已注册；请联系该单位的账号管理员邀请您。" in html
    assert counts() == before


def test_a_code_waiting_for_the_bureau_is_refused_and_a_rejected_one_may_try_again(client, make):
    reg = registered()
    html = post_form(client, credit_code=reg.credit_code, contact_email="other@example.cn").get_data(as_text=True)
    assert f"{reg.credit_code} 的注册申请已在等待科技局审核。" in html
    fire(reg, "reject", make.user("officer"), comment="执照模糊")
    db.session.commit()
    assert post_form(client, credit_code=reg.credit_code, contact_email="other@example.cn").status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OrgRegistration)
                             .where(OrgRegistration.credit_code == reg.credit_code)) == 2


def test_a_black_listed_code_is_refused_at_once_with_the_reason(client, make):
    code = credit_code()
    entry = make.black(("organization", code, "失信公司"), end_on=clock.today() + timedelta(days=365))
    before = counts()
    html = post_form(client, credit_code=code).get_data(as_text=True)
    assert f"单位 {code} 在科研诚信黑名单中（依据 {entry.basis}" in html and "不得注册" in html
    assert counts() == before


def test_an_address_that_already_has_an_account_is_refused(client, make):
    user = make.user("enterprise")
    html = post_form(client, contact_email=user.email).get_data(as_text=True)
    assert f"{user.email} 已有账号，请直接登录。" in html


def test_the_officer_approves_and_the_contact_manages_the_new_organisation(client, login, make):
    reg = registered(kind="university", contact_id_number=id_number())
    officer = make.user("officer")
    login(officer)
    assert reg.name in client.get("/register/").get_data(as_text=True)
    page = client.get(f"/register/organisations/{reg.id}").get_data(as_text=True)
    assert "不予通过" in page and reg.licence.original_filename in page
    assert client.get(f"/register/files/{reg.licence_id}").data == PDF
    response = client.post(f"/register/organisations/{reg.id}/approve", data={"version": reg.version},
                           follow_redirects=True)
    assert "已完成：" in response.get_data(as_text=True)
    db.session.refresh(reg)
    assert reg.state == ApplicationState.approved and reg.decided_by_id == officer.id
    org, user = reg.organization, reg.user
    assert (org.name, org.kind.value, org.credit_code, org.active) == (reg.name, "university", reg.credit_code, True)
    assert user.organization_id == org.id and user.email == reg.contact_email and user.person is not None
    assert db.session.get(OrgManager, org.id).user_id == user.id
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.object_type == "org_registration",
                                                           AuditEvent.action == "approve"))
    assert (event.from_state, event.to_state, event.actor_id) == ("submitted", "approved", officer.id)
    login(user, password="secret-pass-1")  # the password chosen on the form
    assert "本单位账号" in client.get("/dashboard").get_data(as_text=True)


def test_the_officer_rejects_with_a_reason_and_nothing_is_opened(client, login, make):
    reg = registered()
    login(make.user("officer"))
    html = client.post(f"/register/organisations/{reg.id}/reject", data={"version": reg.version},
                       follow_redirects=True).get_data(as_text=True)
    assert "须填写理由" in html
    client.post(f"/register/organisations/{reg.id}/reject", data={"version": reg.version, "comment": "执照已过期"})
    db.session.refresh(reg)
    assert reg.state == ApplicationState.rejected and reg.decision_reason == "执照已过期"
    assert reg.organization is None and db.session.scalar(sa.select(User).where(User.email == reg.contact_email)) is None
    assert "执照已过期" in client.get(f"/register/organisations/{reg.id}").get_data(as_text=True)


def test_only_the_bureau_decides(client, login, make):
    reg = registered()
    for role in ("admin", "enterprise", "applicant", "reviewer"):
        user = make.user(role)
        with pytest.raises(Forbidden, match="您的角色无权执行“通过”"):
            fire(reg, "approve", user)
        login(user)
        assert client.get("/register/").status_code == 403
        assert client.post(f"/register/organisations/{reg.id}/approve").status_code == 403
        assert client.get(f"/register/files/{reg.licence_id}").status_code == 403
    db.session.refresh(reg)
    assert reg.state == ApplicationState.submitted and Organization.query.filter_by(credit_code=reg.credit_code).count() == 0


def test_approval_waits_for_the_confirmed_address(make):
    with outbox():
        reg = services.register_organisation(org_form(), licence=pdf())
    db.session.commit()
    with pytest.raises(Refused) as refused:
        fire(reg, "approve", make.user("officer"))
    assert "尚未确认" in str(refused.value)


def test_a_code_black_listed_after_registering_is_refused_on_approval(make):
    reg = registered()
    make.black(("organization", reg.credit_code, reg.name))
    with pytest.raises(Refused) as refused:
        fire(reg, "approve", make.user("officer"))
    assert "黑名单" in str(refused.value)
    db.session.rollback()
    assert db.session.scalar(sa.select(Organization).where(Organization.credit_code == reg.credit_code)) is None


def test_a_red_listed_code_shows_its_trust_mark_to_the_officer(client, login, make):
    reg = registered()
    make.red(("organization", reg.credit_code, reg.name))
    login(make.user("officer"))
    assert "红名单" in client.get(f"/register/organisations/{reg.id}").get_data(as_text=True)
    assert "红名单" in client.get("/register/").get_data(as_text=True)


def test_links_expire_after_seven_days_and_can_be_sent_again(client):
    with outbox() as sent:
        post_form(client)
    clock.set_now(clock.now() + timedelta(days=7, seconds=1))
    html = client.post(f"/register/confirm/{sent.token()}", follow_redirects=True).get_data(as_text=True)
    assert "过期，请重新申请" in html
    with outbox() as resent:
        client.post("/register/resend", data={"email": "wangmin@qinchuan.cn"})
    assert len(resent) == 1
    client.post(f"/register/confirm/{resent.token()}")
    assert db.session.scalar(sa.select(OrgRegistration)).email_confirmed_at is not None
    html = client.post("/register/confirm/not-a-real-token", follow_redirects=True).get_data(as_text=True)
    assert "该链接无效" in html


def test_the_registration_pages_are_rate_limited(client, app):
    app.config["REGISTRATION_RATE_LIMIT"] = "2 per hour"
    try:
        codes = [post_form(client, name="").status_code for _ in range(3)]
    finally:
        app.config["REGISTRATION_RATE_LIMIT"] = "10 per hour"
    assert codes == [200, 200, 429]
    assert client.get("/register/organisation").status_code == 200  # only posts count


def test_the_form_carries_csrf(client, app):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        before = counts()
        response = post_form(client)
        assert response.status_code == 400 and "安全令牌" in response.get_data(as_text=True)
        assert counts() == before
        assert 'name="csrf_token"' in client.get("/register/organisation").get_data(as_text=True)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_the_login_page_and_the_board_link_to_registration(client):
    assert 'href="/register/organisation"' in client.get("/login").get_data(as_text=True)
    assert 'href="/register/expert"' in client.get("/login").get_data(as_text=True)
    assert 'href="/register/organisation"' in client.get("/challenges/").get_data(as_text=True)


def test_the_service_refuses_the_same_way(make):
    with pytest.raises(ValidationFailed) as refused:
        services.register_organisation(org_form(credit_code=complete_credit_code("91610100MA0000009")[:-1] + "0"),
                                       licence=pdf())
    assert "credit_code" in refused.value.details


def test_the_links_wait_in_the_outbox_and_the_officers_hear_of_a_confirmed_registration(client, login, make):
    from grants.notifications.models import Notification, OutboundEmail

    officer = make.user("officer")
    with outbox() as sent:
        post_form(client)
    queued = db.session.scalar(sa.select(OutboundEmail).where(OutboundEmail.to_address == "wangmin@qinchuan.cn"))
    assert sent.links()[0] in queued.body
    login(make.user("admin"))
    assert sent.links()[0] in client.get("/outbox").get_data(as_text=True)  # no SMTP: a trial still works
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0
    client.post("/logout")
    client.post(f"/register/confirm/{sent.token()}")
    note = db.session.scalar(sa.select(Notification).where(Notification.user_id == officer.id))
    reg = db.session.scalar(sa.select(OrgRegistration))
    assert note.kind == "registration.organisation_waiting" and note.link == f"/register/organisations/{reg.id}"
    assert note.unread
    fire(reg, "reject", officer, comment="执照模糊")
    db.session.refresh(note)
    assert not note.unread  # decided: no longer waiting in the officers' inboxes
    told = db.session.scalars(sa.select(OutboundEmail).where(OutboundEmail.to_address == reg.contact_email)
                              .order_by(OutboundEmail.id)).all()[-1]
    assert "执照模糊" in told.body


def test_a_contact_whose_id_number_has_an_account_is_refused_at_once(client, make):
    member = make.user("applicant")
    html = post_form(client, kind="university", contact_name=member.display_name,
                     contact_id_number=member.person.id_number).get_data(as_text=True)
    assert "该居民身份证号码已有账号，请直接登录。" in html
