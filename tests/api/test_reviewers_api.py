"""The expert pool and reviewer profiles through the API and ``flask reviewers``:
the same services, permissions and messages as the profile and pool pages."""
import json

import pytest

from grants.core import audit
from grants.core.errors import Forbidden
from grants.extensions import db
from grants.reviews.profiles import profile_of, save_reviewer_profile
from tests.api.documented import documented_api as api  # noqa: F401  (every answer checked)
from tests.api.helpers import error_of


def profile_body(**overrides):
    body = {"fields": ["biomedicine", "new_materials"], "title": "研究员", "available": True}
    body.update(overrides)
    return body


def test_an_expert_saves_and_reads_their_own_profile(api, make):
    org = make.org("西北理工大学", kind="university")
    expert = make.user("reviewer", org=org, name="陈专家")
    client = api(make.token(expert))
    missing = client.get("/reviewers/me")
    assert missing.status_code == 404 and error_of(missing)["message"] == "您还没有专家信息，请先保存。"

    response = client.put("/reviewers/me", profile_body())
    assert response.status_code == 200, response.get_json()
    data = response.get_json()
    assert data["reviewer_id"] == expert.id and data["name"] == "陈专家" and data["title"] == "研究员"
    assert data["fields"] == ["biomedicine", "new_materials"] and data["field_labels"] == ["生物医药", "新材料"]
    assert data["organization"]["name"] == "西北理工大学" and data["available"] is True
    assert client.get("/reviewers/me").get_json() == data
    assert client.get(f"/reviewers/{expert.id}").get_json() == data

    changed = client.put("/reviewers/me", {"fields": ["other"], "available": False})
    assert changed.status_code == 200
    assert changed.get_json()["fields"] == ["other"] and changed.get_json()["title"] == ""
    events = audit.history(profile_of(expert))
    assert [e.action for e in events] == ["create", "update"] and {e.actor_id for e in events} == {expert.id}
    assert events[-1].evidence["before"]["fields"] == ["biomedicine", "new_materials"]


def test_a_profile_is_checked_by_the_pages_rules(api, make):
    expert = make.user("reviewer")
    client = api(make.token(expert))
    none = client.put("/reviewers/me", profile_body(fields=[]))
    assert none.status_code == 422 and error_of(none)["details"] == {"fields": "请至少选择一个专业领域。"}
    unknown = client.put("/reviewers/me", profile_body(fields=["astrology"]))
    assert unknown.status_code == 422
    assert error_of(unknown)["details"] == {"fields": "未知的专业领域：astrology"}
    long_title = client.put("/reviewers/me", profile_body(title="教" * 101))
    assert long_title.status_code == 422
    assert error_of(long_title)["details"] == {"title": "职称不得超过 100 个字符。"}
    wrong_type = client.put("/reviewers/me", {"fields": "biomedicine", "colour": "red"})
    assert wrong_type.status_code == 422
    assert set(error_of(wrong_type)["details"]) == {"fields", "colour"}
    assert profile_of(expert) is None


@pytest.mark.parametrize("role", ["applicant", "enterprise", "officer", "admin"])
def test_only_experts_keep_a_profile(api, make, role):
    client = api(make.token(make.user(role)))
    for response in (client.put("/reviewers/me", profile_body()), client.get("/reviewers/me")):
        assert response.status_code == 403
        assert error_of(response)["message"] == "您的角色无权使用此部分 API。"


def test_nobody_changes_another_experts_profile(make):
    expert, other = make.reviewer(), make.user("reviewer")
    with pytest.raises(Forbidden, match="只有专家本人可以修改自己的专家信息"):
        save_reviewer_profile(expert, fields=["other"], actor=other)
    with pytest.raises(Forbidden):
        save_reviewer_profile(expert, fields=["other"], actor=make.user("admin"))
    assert profile_of(expert).fields == ["smart_manufacturing"]


def test_officers_search_the_pool(api, make):
    make.reviewer(["biomedicine"], name="陈生物", title="主任医师")
    make.reviewer(["smart_manufacturing", "biomedicine"], name="李智造", available=False)
    make.reviewer(["modern_agriculture"], name="王农业")
    officer = api(make.token(make.user("officer")))

    def names(**filters):
        response = officer.get("/reviewers", query_string=filters)
        assert response.status_code == 200, response.get_json()
        return [r["name"] for r in response.get_json()]

    assert names() == ["李智造", "王农业", "陈生物"]
    assert names(field="biomedicine") == ["李智造", "陈生物"]
    assert names(field="biomedicine", available="true") == ["陈生物"]
    assert names(q="主任") == ["陈生物"]
    paged = officer.get("/reviewers", query_string={"page_size": 2})
    assert json.loads(paged.headers["X-Pagination"])["total"] == 3
    unknown = officer.get("/reviewers", query_string={"field": "astrology"})
    assert unknown.status_code == 422 and "field" in error_of(unknown)["details"]
    # DESIGN.md: the administrator has no part in the review, the pool included.
    admin = api(make.token(make.user("admin"))).get("/reviewers")
    assert admin.status_code == 403
    assert error_of(admin)["message"] == "您的角色无权使用此部分 API。"


def test_the_pool_and_other_profiles_are_not_for_everyone(api, make):
    expert = make.reviewer()
    for role in ("applicant", "enterprise", "reviewer"):
        client = api(make.token(make.user(role)))
        refused = client.get("/reviewers")
        assert refused.status_code == 403 and error_of(refused)["code"] == "forbidden"
        hidden = client.get(f"/reviewers/{expert.id}")
        assert hidden.status_code == 404 and error_of(hidden)["message"] == "该记录不存在，或您无权查看。"
    officer = api(make.token(make.user("officer")))
    assert officer.get(f"/reviewers/{expert.id}").get_json()["reviewer_id"] == expert.id
    assert officer.get(f"/reviewers/{expert.id + 1000}").status_code == 404
    assert api().get("/reviewers").status_code == 401


# flask reviewers ... ---------------------------------------------------------------------

def run(app, *args):
    return app.test_cli_runner().invoke(args=["reviewers", *args])


def test_an_administrator_sets_profiles_from_the_command_line(app, make):
    university = make.org("西安交通大学", kind="university")
    expert = make.user("reviewer", email="expert@example.cn", name="周研究员")
    result = run(app, "set", "--email", "expert@example.cn", "--fields", "smart_manufacturing, new_materials",
                 "--title", "研究员", "--employer", university.credit_code)
    assert result.exit_code == 0, result.output
    profile = profile_of(expert)
    assert profile.fields == ["new_materials", "smart_manufacturing"] and profile.title == "研究员"
    assert expert.organization == university
    assert audit.history(profile)[-1].actor_id is None  # the system, at an administrator's command

    result = run(app, "set", "--email", "expert@example.cn", "--unavailable")
    assert result.exit_code == 0, result.output
    assert profile.available is False and profile.title == "研究员" and len(profile.fields) == 2
    listed = run(app, "list")
    assert listed.exit_code == 0
    assert listed.output.splitlines() == [
        "expert@example.cn\t周研究员\t研究员\tnew_materials,smart_manufacturing\tunavailable\t"
        f"西安交通大学 ({university.credit_code})"]
    assert run(app, "list", "--available-only").output == ""
    assert run(app, "list", "--field", "biomedicine").output == ""
    assert run(app, "set", "--email", "expert@example.cn", "--employer", "").exit_code == 0
    assert expert.organization is None and run(app, "list").output.endswith("\t-\n")


def test_the_command_line_refuses_with_the_reason(app, make):
    make.user("applicant", email="pi@example.cn")
    make.user("reviewer", email="new@example.cn")
    result = run(app, "set", "--email", "nobody@example.cn", "--fields", "other")
    assert result.exit_code == 2 and "no user with email nobody@example.cn" in result.output
    result = run(app, "set", "--email", "pi@example.cn", "--fields", "other")
    assert result.exit_code == 2 and "只有评审专家账号才有专家信息" in result.output
    result = run(app, "set", "--email", "new@example.cn", "--title", "教授")
    assert result.exit_code == 2 and "请至少选择一个专业领域" in result.output
    result = run(app, "set", "--email", "new@example.cn", "--fields", "other", "--employer", "91610100MA0000001X")
    assert result.exit_code == 2 and "no organisation with credit code" in result.output
    db.session.expire_all()
    assert run(app, "list").output == ""
