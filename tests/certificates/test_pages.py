"""The bureau's certificate pages, the parties' download, and who sees what."""
import hashlib

import pytest

from grants.certificates.models import Certificate, CertificateState
from grants.core import audit
from grants.extensions import db
from tests.certificates.conftest import accepted_project


def test_the_officer_issues_from_the_list_page(login, client, officer, project):
    login(officer)
    page = client.get("/certificates").get_data(as_text=True)
    assert "待签发证书的项目" in page and project.title in page
    ids = [p.challenge_indicator_id for p in project.bid.indicators]
    response = client.post(f"/certificates/issue/{project.id}",
                           data={"conclusion": "通过验收", f"reached-{ids[0]}": "0.45", f"reached-{ids[1]}": "1.5"})
    certificate = db.session.scalars(db.select(Certificate)).one()
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/certificates/{certificate.id}")
    assert [i["reached"] for i in certificate.contents["indicators"]] == ["0.45", "1.5"]
    listing = client.get("/certificates").get_data(as_text=True)
    assert certificate.number in listing and f'action="/certificates/issue/{project.id}"' not in listing


def test_a_refused_issue_is_flashed_and_nothing_is_kept(login, client, officer, make, project):
    make.black(project.lead_org)
    login(officer)
    page = client.post(f"/certificates/issue/{project.id}", data={"conclusion": "通过"}, follow_redirects=True)
    assert "不得获得验收证书" in page.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Certificate.id))) == 0


def test_the_list_is_paginated(app, login, client, officer, make, issue):
    for _ in range(3):
        issue(accepted_project(make))
    app.config["PER_PAGE"] = 2
    try:
        login(officer)
        first = client.get("/certificates").get_data(as_text=True)
        second = client.get("/certificates?page=2").get_data(as_text=True)
    finally:
        app.config["PER_PAGE"] = 50
    assert "XN-JB-2026-0003" in first and "XN-JB-2026-0002" in first and "XN-JB-2026-0001" not in first
    assert "XN-JB-2026-0001" in second


def test_revocation_needs_a_reason_and_the_confirmation(login, client, officer, project, issue):
    certificate = issue(project)
    login(officer)
    unconfirmed = client.post(f"/certificates/{certificate.id}/revoke", data={"reason": "数据造假"})
    assert unconfirmed.status_code == 422 and "请勾选以确认" in unconfirmed.get_data(as_text=True)
    db.session.refresh(certificate)
    assert certificate.state == CertificateState.issued
    done = client.post(f"/certificates/{certificate.id}/revoke",
                       data={"reason": "数据造假", "confirm": "y", "version": certificate.version})
    assert done.status_code == 302
    db.session.refresh(certificate)
    assert certificate.state == CertificateState.revoked and certificate.revoked_reason == "数据造假"
    event = audit.history(certificate)[-1]
    assert (event.action, event.from_state, event.to_state, event.comment) == ("revoke", "issued", "revoked", "数据造假")
    assert db.session.get(Certificate, certificate.id) is not None  # nothing deleted
    page = client.get(f"/certificates/{certificate.id}").get_data(as_text=True)
    assert "签发证书" in page and "数据造假" in page and "撤销该证书" not in page


def test_only_the_bureau_revokes(login, client, make, project, issue):
    certificate = issue(project)
    login(make.user("applicant", org=project.lead_org))
    response = client.post(f"/certificates/{certificate.id}/revoke", data={"reason": "x", "confirm": "y"})
    assert response.status_code == 403
    db.session.refresh(certificate)
    assert certificate.state == CertificateState.issued


def test_the_same_bytes_are_served_every_time(login, client, officer, project, issue):
    certificate = issue(project)
    login(officer)
    first = client.get(f"/certificates/{certificate.id}/certificate.pdf")
    second = client.get(f"/certificates/{certificate.id}/certificate.pdf")
    assert first.mimetype == "application/pdf"
    assert first.data == second.data == certificate.pdf
    assert hashlib.sha256(first.data).hexdigest() == certificate.pdf_sha256 == first.headers["X-Content-SHA256"]


@pytest.mark.parametrize("who, status", [("team", 200), ("owner", 200), ("other applicant", 404),
                                         ("other enterprise", 404), ("reviewer", 403)])
def test_the_projects_parties_download_their_certificate(login, client, make, project, issue, who, status):
    certificate = issue(project)
    user = {"team": lambda: make.user("applicant", org=project.lead_org),
            "owner": lambda: make.user("enterprise", org=project.challenge.owner_org),
            "other applicant": lambda: make.user("applicant"),
            "other enterprise": lambda: make.user("enterprise"),
            "reviewer": lambda: make.user("reviewer")}[who]()
    login(user)
    assert client.get(f"/certificates/{certificate.id}/certificate.pdf").status_code == status
    assert client.get(f"/certificates/{certificate.id}").status_code == status
    if status != 403:
        assert (certificate.number in client.get("/certificates").get_data(as_text=True)) == (status == 200)


def test_parties_see_no_issue_or_revoke_forms(login, client, make, project, issue):
    certificate = issue(project)
    login(make.user("applicant", org=project.lead_org))
    page = client.get(f"/certificates/{certificate.id}").get_data(as_text=True)
    assert "下载 PDF" in page and "撤销该证书" not in page
    assert "待签发证书的项目" not in client.get("/certificates").get_data(as_text=True)


def test_the_list_needs_signing_in(client):
    response = client.get("/certificates")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
