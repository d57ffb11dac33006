"""Organisations through the API: officers and administrators read, administrators register."""
import json

import pytest

from grants.auth.models import Organization
from grants.core import audit
from grants.extensions import db
from tests.api.helpers import error_of
from tests.factories import credit_code


@pytest.mark.parametrize("role", ["officer", "admin"])
def test_officers_and_admins_list_and_read(api, make, role):
    org = make.org(name="秦川智能装备有限公司")
    client = api(make.token(make.user(role)))
    response = client.get("/organizations", query_string={"q": "秦川"})
    assert response.status_code == 200
    assert [o["credit_code"] for o in response.get_json()] == [org.credit_code]
    assert json.loads(response.headers["X-Pagination"])["total"] == 1
    one = client.get(f"/organizations/{org.id}")
    assert one.status_code == 200 and one.get_json()["name"] == "秦川智能装备有限公司"


@pytest.mark.parametrize("role", ["applicant", "enterprise", "reviewer"])
def test_others_may_not_read_organisations(api, make, role):
    response = api(make.token(make.user(role))).get("/organizations")
    assert response.status_code == 403 and error_of(response)["code"] == "forbidden"


def test_admin_registers_an_organisation_through_the_shared_service(api, make):
    admin = make.user("admin")
    code = credit_code(901)
    response = api(make.token(admin)).post("/organizations", {"name": "西部高校", "kind": "university",
                                                              "credit_code": code.lower()})
    assert response.status_code == 201, response.get_json()
    org = db.session.get(Organization, response.get_json()["id"])
    assert org.credit_code == code
    [event] = audit.history(org)
    assert event.action == "create" and event.actor_id == admin.id


def test_registration_errors_name_the_field(api, make):
    client = api(make.token(make.user("admin")))
    existing = make.org()
    duplicate = client.post("/organizations", {"name": "重复", "kind": "enterprise",
                                               "credit_code": existing.credit_code})
    assert duplicate.status_code == 422
    assert error_of(duplicate)["details"]["credit_code"] == f"统一社会信用代码{existing.credit_code} 已被登记"
    bad_kind = client.post("/organizations", {"name": "某单位", "kind": "club", "credit_code": credit_code()})
    assert bad_kind.status_code == 422 and "kind" in error_of(bad_kind)["details"]


def test_officers_may_not_register_organisations(api, make):
    response = api(make.token(make.user("officer"))).post(
        "/organizations", {"name": "某单位", "kind": "enterprise", "credit_code": credit_code()})
    assert response.status_code == 403
