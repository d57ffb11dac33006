import sqlalchemy as sa

from grants.auth.models import Organization, User
from grants.core.codes import complete_credit_code
from grants.extensions import db
from tests.factories import credit_code, id_number


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_admin_registers_an_organisation_and_sees_its_history(client, make, login):
    login(make.user("admin"))
    code = complete_credit_code("91610100MA6TAB001")
    response = client.post("/admin/organizations/new",
                           data={"name": "秦岭装备", "kind": "enterprise", "credit_code": code.lower()})
    assert response.status_code == 302
    org = db.session.scalar(sa.select(Organization).where(Organization.credit_code == code))
    assert org.name == "秦岭装备"
    page = client.get(f"/admin/organizations/{org.id}").get_data(as_text=True)
    assert "历史记录" in page and "创建" in page


def test_bad_credit_code_is_refused_naming_the_field_and_nothing_is_saved(client, make, login):
    login(make.user("admin"))
    before = _count(Organization)
    response = client.post("/admin/organizations/new",
                           data={"name": "X", "kind": "enterprise", "credit_code": "91610100MA6TAB0010"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "统一社会信用代码校验码不正确" in html
    assert _count(Organization) == before


def test_duplicate_credit_code_is_refused(client, make, login):
    login(make.user("admin"))
    existing = make.org()
    response = client.post("/admin/organizations/new",
                           data={"name": "Copy", "kind": "enterprise", "credit_code": existing.credit_code})
    assert f"{existing.credit_code} 已被登记" in response.get_data(as_text=True)


def test_admin_creates_an_applicant_account(client, make, login):
    login(make.user("admin"))
    org = make.org(kind="university")
    response = client.post("/admin/users/new", data={
        "email": "new@example.cn", "display_name": "新用户", "role": "applicant",
        "organization_id": org.id, "id_number": id_number(), "password": "long-enough-pw",
    })
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "new@example.cn"))
    assert user.organization_id == org.id and user.person is not None
    assert user.check_password("long-enough-pw")


def test_duplicate_email_is_refused_and_nothing_saved(client, make, login):
    login(make.user("admin"))
    make.user("officer", email="taken@example.cn")
    before = _count(User)
    response = client.post("/admin/users/new", data={
        "email": "taken@example.cn", "display_name": "Dup", "role": "officer",
        "organization_id": 0, "password": "long-enough-pw",
    })
    assert "taken@example.cn 已有账号" in response.get_data(as_text=True)
    assert _count(User) == before


def test_applicant_without_id_number_is_refused(client, make, login):
    login(make.user("admin"))
    org = make.org(kind="university")
    response = client.post("/admin/users/new", data={
        "email": "x@example.cn", "display_name": "X", "role": "applicant",
        "organization_id": org.id, "password": "long-enough-pw",
    })
    assert "居民身份证号码对该角色为必填项" in response.get_data(as_text=True)


def test_deactivating_a_user_stops_their_sign_in(client, make, login):
    admin = make.user("admin")
    target = make.user("officer", email="leaving@example.cn")
    login(admin)
    assert client.post(f"/admin/users/{target.id}/active").status_code == 302
    client.post("/logout")
    response = client.post("/login", data={"email": "leaving@example.cn", "password": "password123"})
    assert "该账号已停用" in response.get_data(as_text=True)


def test_admin_cannot_deactivate_themself(client, make, login):
    admin = make.user("admin")
    login(admin)
    response = client.post(f"/admin/users/{admin.id}/active", follow_redirects=True)
    assert "不能停用自己的账号" in response.get_data(as_text=True)


def test_id_numbers_are_masked_except_for_officers(app, make):
    applicant = make.user("applicant")
    other = make.user("reviewer")
    officer = make.user("officer")
    person = applicant.person
    assert person.id_for(officer) == person.id_number
    assert person.id_for(applicant) == person.id_number
    masked = person.id_for(other)
    assert masked != person.id_number and masked[6:14] == "********"


def test_forms_without_csrf_token_are_rejected(app, make):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        make.user("admin", email="a@example.cn")
        client = app.test_client()
        before = _count(Organization)
        response = client.post("/login", data={"email": "a@example.cn", "password": "password123"})
        assert response.status_code == 400
        assert "安全令牌" in response.get_data(as_text=True)
        response = client.post("/admin/organizations/new",
                               data={"name": "X", "kind": "enterprise", "credit_code": credit_code()})
        assert response.status_code == 400
        assert _count(Organization) == before
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_editing_a_user_keeps_the_rules_of_creation(client, make, login):
    login(make.user("admin"))
    officer = make.user("officer")
    university = make.org(kind="university")
    response = client.post(f"/admin/users/{officer.id}/edit", data={
        "email": officer.email, "display_name": officer.display_name, "role": "enterprise",
        "organization_id": university.id})
    assert "企业账号须属于企业单位" in response.get_data(as_text=True)
    response = client.post(f"/admin/users/{officer.id}/edit", data={
        "email": officer.email, "display_name": officer.display_name, "role": "reviewer", "organization_id": 0})
    assert "居民身份证号码对该角色为必填项" in response.get_data(as_text=True)
    db.session.refresh(officer)
    assert officer.role == "officer"


def test_crafted_list_arguments_do_not_break_pages(client, make, login):
    login(make.user("admin"))
    for n in range(55):
        make.org(name=f"单位{n:02d}")
    assert client.get("/admin/users?role=bogus").status_code == 200
    response = client.get("/admin/organizations?endpoint=x&_external=1&q=单位")
    assert response.status_code == 200 and "page=2" in response.get_data(as_text=True)
