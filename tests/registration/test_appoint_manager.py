"""An organisation the administrator registered has no manager of its accounts: the administrator
names one (page, API, command), who can then invite the others."""
import sqlalchemy as sa

from grants.core import audit
from grants.extensions import db
from grants.registration import members
from grants.registration.models import OrgManager
from tests.api.helpers import ApiClient, error_of


def manager_id(org):
    return db.session.scalar(sa.select(OrgManager.user_id).where(OrgManager.organization_id == org.id))


def test_the_administrator_names_a_manager_who_can_then_invite(client, login, make):
    org = make.org(kind="university")
    lead, other = make.user("applicant", org=org), make.user("applicant", org=org)
    login(lead)
    assert client.get("/register/members").status_code == 403  # nobody manages the accounts yet
    login(make.user("admin"))
    page = client.get(f"/admin/organizations/{org.id}").get_data(as_text=True)
    assert "还没有人管理本单位的账号" in page and "设为管理员" in page
    assert f"{lead.display_name} &lt;{lead.email}&gt; · 揭榜团队" in page  # each account with its role
    html = client.post(f"/register/organizations/{org.id}/manager", data={"user_id": lead.id},
                       follow_redirects=True).get_data(as_text=True)
    assert f"{lead.display_name}现在管理{org.name}的账号" in html
    assert manager_id(org) == lead.id
    assert [e.action for e in audit.history(org)][-1] == "appoint_manager"
    client.post(f"/register/organizations/{org.id}/manager", data={"user_id": other.id})
    assert manager_id(org) == other.id  # the part moves: one manager per organisation
    login(other)
    assert client.get("/register/members").status_code == 200


def test_the_bureau_is_not_asked_for_a_manager_it_cannot_have(client, login, make):
    bureau = make.org(kind="other")
    make.user("officer", org=bureau)
    login(make.user("admin"))
    page = client.get(f"/admin/organizations/{bureau.id}").get_data(as_text=True)
    assert "还没有人管理本单位的账号" not in page and "设为管理员" not in page


def test_only_an_active_member_of_the_organisation_with_a_team_or_enterprise_account(client, login, make):
    org, elsewhere = make.org(kind="enterprise"), make.org(kind="enterprise")
    outsider = make.user("enterprise", org=elsewhere)
    gone = make.user("enterprise", org=org)
    gone.active = False
    db.session.commit()
    login(make.user("admin"))
    for user, words in ((outsider, f"不是{org.name}的成员"), (gone, "已停用，不能担任账号管理员")):
        html = client.post(f"/register/organizations/{org.id}/manager", data={"user_id": user.id},
                           follow_redirects=True).get_data(as_text=True)
        assert words in html
    assert manager_id(org) is None


def test_no_one_but_the_administrator_names_a_manager(client, login, make):
    org = make.org(kind="enterprise")
    member = make.user("enterprise", org=org)
    for role in ("officer", "enterprise"):
        login(make.user(role) if role == "officer" else member)
        assert client.post(f"/register/organizations/{org.id}/manager", data={"user_id": member.id}).status_code == 403
    assert manager_id(org) is None


def test_through_the_api_and_the_command(app, client, make):
    org = make.org(kind="enterprise")
    first, second = make.user("enterprise", org=org), make.user("enterprise", org=org)
    officer = ApiClient(client, make.token(make.user("officer")))
    refused = officer.put(f"/registration/organizations/{org.id}/manager", {"user_id": first.id})
    assert refused.status_code == 403 and "无权" in error_of(refused)["message"]
    admin = ApiClient(client, make.token(make.user("admin")))
    done = admin.put(f"/registration/organizations/{org.id}/manager", {"user_id": first.id})
    assert done.status_code == 200 and done.get_json()["email"] == first.email
    again = admin.put(f"/registration/organizations/{org.id}/manager", {"user_id": first.id})
    assert again.status_code == 409 and "已经在管理" in error_of(again)["message"]

    result = app.test_cli_runner().invoke(args=["orgs", "set-manager", "--org", org.credit_code,
                                                "--email", second.email])
    assert result.exit_code == 0 and second.email in result.output
    db.session.expire_all()
    assert manager_id(org) == second.id
    result = app.test_cli_runner().invoke(args=["orgs", "set-manager", "--org", org.credit_code,
                                                "--email", "nobody@example.cn"])
    assert result.exit_code == 2 and "no user" in result.output
    assert members.manager_of(org).id == second.id
