"""Experts apply to join the pool; the bureau approves or rejects; an approved expert keeps their record."""
import pytest
import sqlalchemy as sa

from grants.auth.models import User
from grants.core.errors import Forbidden, Refused
from grants.core.workflow import fire
from grants.extensions import db
from grants.registration import services
from grants.registration.models import ApplicationState, ExpertApplication
from grants.reviews.profiles import profile_of, reviewer_pool_query
from grants.reviews.services import never_assign_reason
from tests.registration.helpers import PDF, counts, expert_form, outbox, pdf


def post_form(client, **overrides):
    data = {**expert_form(), "cv": pdf("cv.pdf")}
    data.update(overrides)
    return client.post("/register/expert", data=data, content_type="multipart/form-data")


def applied(**overrides) -> ExpertApplication:
    with outbox() as sent:
        application = services.apply_as_expert(expert_form(**overrides), cv=pdf("cv.pdf"))
        services.confirm_email(sent.token())
    db.session.commit()
    return application


def test_an_expert_applies_confirms_and_the_officer_admits_them_to_the_pool(client, login, make):
    employer = make.org(kind="university")
    officer = make.user("officer")
    with outbox() as sent:
        response = post_form(client, employer_code=employer.credit_code.lower(), employer_name="")
    assert response.status_code == 200 and "确认链接已发送到 lihua@nwpu.edu.cn" in response.get_data(as_text=True)
    client.post(f"/register/confirm/{sent.token()}")
    application = db.session.scalar(sa.select(ExpertApplication))
    assert application.employer_org_id == employer.id
    login(officer)
    page = client.get(f"/register/experts/{application.id}").get_data(as_text=True)
    assert "智能制造" in page and employer.name in page and "cv.pdf" in page
    assert client.get(f"/register/files/{application.cv_id}").data == PDF
    client.post(f"/register/experts/{application.id}/approve", data={"version": application.version})
    db.session.refresh(application)
    assert application.state == ApplicationState.approved
    expert = application.user
    assert expert.role.value == "reviewer" and expert.organization_id == employer.id
    assert expert.person.organization_id == employer.id
    profile = profile_of(expert)
    assert profile.title == "教授" and profile.fields == ["new_materials", "smart_manufacturing"]
    assert profile in db.session.scalars(reviewer_pool_query()).all()
    login(expert, password="secret-pass-2")
    assert client.get("/register/expert/profile").status_code == 200


def test_the_conflict_rules_use_the_employer(make):
    employer = make.org(kind="enterprise")
    application = applied(employer_code=employer.credit_code, employer_name="")
    fire(application, "approve", make.user("officer"))
    own = make.challenge(owner_org=employer)
    other = make.challenge()
    assert str(never_assign_reason(own, application.user)) == "就职于本榜单的发榜企业"
    assert never_assign_reason(other, application.user) is None


def test_an_expert_with_a_free_employer_name_joins_without_an_organisation(make):
    application = applied()
    fire(application, "approve", make.user("officer"))
    assert application.user.organization_id is None and application.employer_label == "西北某大学"


def test_an_employer_named_in_words_is_the_registered_organisation_of_that_name(make):
    """Typing the name instead of the credit code must not let an expert review their own employer."""
    employer = make.org(kind="enterprise", name="秦川智造有限公司")
    application = applied(employer_code="", employer_name=" 秦川智造 有限公司 ")
    assert application.employer_org_id == employer.id and application.employer_label == "秦川智造有限公司"
    fire(application, "approve", make.user("officer"))
    own = make.challenge(owner_org=employer)
    assert str(never_assign_reason(own, application.user)) == "就职于本榜单的发榜企业"
    other = applied(employer_code="", employer_name="秦川智造研究院", email="zhang@fushu.cn")
    assert other.employer_org_id is None


@pytest.mark.parametrize("overrides, message", [
    ({"id_number": "610102198001011234"}, "校验码不正确"),
    ({"fields": []}, "请至少选择一个专业领域"),
    ({"fields": ["astrology"]}, "astrology"),
    ({"years": "many"}, "从业年限"),
    ({"years": "99"}, "从业年限"),
    ({"employer_name": ""}, "请填写工作单位"),
    ({"employer_code": "91610100MA9999999X", "employer_name": ""}, "没有已注册且在用的单位"),
    ({"title": ""}, "职称"),
    ({"mobile": "0101"}, "手机号码应为以 1 开头的 11 位数字"),
])
def test_bad_applications_are_refused_in_words_and_nothing_is_created(client, overrides, message):
    before = counts()
    html = post_form(client, **overrides).get_data(as_text=True)
    assert message in html
    assert counts() == before


def test_a_cv_that_is_not_a_pdf_is_refused(client):
    before = counts()
    html = post_form(client, cv=pdf("cv.txt", b"plain text")).get_data(as_text=True)
    assert "cv.txt 不是 PDF 文件" in html
    assert counts() == before


def test_a_person_with_an_account_or_a_waiting_application_or_black_listed_is_refused(client, make):
    expert = make.reviewer()
    assert "该居民身份证号码已有账号，请直接登录。" in post_form(
        client, id_number=expert.person.id_number).get_data(as_text=True)
    application = applied()
    assert "该居民身份证号码的申请已在等待科技局审核。" in post_form(
        client, id_number=application.id_number, email="other@example.cn").get_data(as_text=True)
    person = make.person()
    entry = make.black(person)
    html = post_form(client, id_number=person.id_number, name=person.name, email="third@example.cn").get_data(
        as_text=True)
    assert f"申请人在科研诚信黑名单中（依据 {entry.basis}" in html


def test_the_officer_rejects_with_a_reason_and_only_the_bureau_decides(client, login, make):
    application = applied()
    for role in ("admin", "enterprise", "applicant", "reviewer"):
        with pytest.raises(Forbidden):
            fire(application, "approve", make.user(role))
    with pytest.raises(Refused) as refused:
        fire(application, "reject", make.user("officer"))
    assert "须填写理由" in str(refused.value)
    fire(application, "reject", make.user("officer"), comment="从业年限不足")
    assert application.state == ApplicationState.rejected and application.decision_reason == "从业年限不足"
    assert db.session.scalar(sa.select(User).where(User.email == application.email)) is None


def test_an_application_is_approved_only_once_its_address_is_confirmed(make):
    with outbox():
        application = services.apply_as_expert(expert_form(), cv=pdf())
    with pytest.raises(Refused) as refused:
        fire(application, "approve", make.user("officer"))
    assert "尚未确认" in str(refused.value)


def test_an_approved_expert_edits_their_own_record(client, login, make):
    application = applied()
    fire(application, "approve", make.user("officer"))
    db.session.commit()
    new_employer = make.org(kind="institute")
    login(application.user, password="secret-pass-2")
    html = client.post("/register/expert/profile",
                       data={"title": "研究员", "fields": ["biomedicine"], "employer_code": new_employer.credit_code,
                             "years": "20"}, follow_redirects=True).get_data(as_text=True)
    assert "已保存" in html
    db.session.refresh(application)
    assert (application.title, application.fields, application.years) == ("研究员", ["biomedicine"], 20)
    assert application.user.organization_id == new_employer.id
    assert profile_of(application.user).fields == ["biomedicine"]
    html = client.post("/register/expert/profile", data={"title": "研究员", "fields": [], "employer_name": "某所",
                                                         "years": "20"}).get_data(as_text=True)
    assert "请至少选择一个专业领域" in html
    other = make.reviewer()
    login(other)
    assert client.get("/register/expert/profile").status_code == 404  # no record of theirs
    with pytest.raises(Forbidden):
        services.update_expert_record(application, {"title": "x", "fields": ["biomedicine"], "employer_name": "y",
                                                    "years": 1}, actor=other)


def test_an_id_number_known_under_another_name_is_refused_at_once(client, make):
    person = make.person(name="赵强")
    before = counts()
    html = post_form(client, id_number=person.id_number, name="赵刚").get_data(as_text=True)
    assert "该居民身份证号码登记的是另一个姓名，请核对姓名和号码。" in html
    assert counts() == before
