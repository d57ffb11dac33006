"""Certificates through the JSON API, every answer checked against the OpenAPI document."""
import hashlib
import io

import pytest

from grants.certificates.models import CertificateState
from grants.extensions import db
from tests.api.documented import documented_api as api  # noqa: F401
from tests.api.helpers import error_of
from tests.certificates.conftest import reached_values
from tests.certificates.test_verification import tampered


def test_the_bureau_issues_lists_and_reads_a_certificate(api, make, officer, project):
    client = api(make.token(officer))
    reached = {str(k): v for k, v in reached_values(project, "0.4").items()}
    issued = client.post("/certificates", {"project_id": project.id, "conclusion": "通过验收", "reached": reached})
    assert issued.status_code == 201, issued.get_json()
    body = issued.get_json()
    assert body["number"] == "XN-JB-2026-0001" and body["state"] == "issued"
    assert body["contents"]["lead_name"] == project.lead_person.name
    assert {i["reached"] for i in body["contents"]["indicators"]} == {"0.4"}
    assert [c["number"] for c in client.get("/certificates").get_json()] == ["XN-JB-2026-0001"]
    assert client.get(f"/certificates/{body['id']}").get_json()["pdf_sha256"] == body["pdf_sha256"]


def test_issuing_for_a_project_not_accepted_is_refused_in_words(api, make, officer):
    from tests.certificates.conftest import accepted_project
    from grants.projects.models import ProjectState

    project = accepted_project(make, state=ProjectState.active)
    response = api(make.token(officer)).post("/certificates", {"project_id": project.id, "conclusion": "通过"})
    assert response.status_code == 409
    assert "只能为已通过验收的项目签发证书" in error_of(response)["message"]


def test_only_the_bureau_issues_through_the_api(api, make, project):
    response = api(make.token(make.user("applicant", org=project.lead_org))).post(
        "/certificates", {"project_id": project.id, "conclusion": "通过"})
    assert response.status_code == 403 and error_of(response)["code"] == "forbidden"


def test_the_pdf_is_the_same_bytes_every_time(api, make, project, issue):
    certificate = issue(project)
    client = api(make.token(make.user("enterprise", org=project.challenge.owner_org)))
    first, second = (client.get(f"/certificates/{certificate.id}/pdf") for _ in range(2))
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    assert first.data == second.data and hashlib.sha256(first.data).hexdigest() == certificate.pdf_sha256


def test_others_do_not_find_the_certificate(api, make, project, issue):
    certificate = issue(project)
    client = api(make.token(make.user("applicant")))
    assert client.get("/certificates").get_json() == []
    for path in (f"/certificates/{certificate.id}", f"/certificates/{certificate.id}/pdf",
                 f"/certificates/{certificate.id}/history"):
        assert client.get(path).status_code == 404
    assert api().get("/certificates").status_code == 401


def test_a_project_id_beyond_the_integer_range_is_refused_in_words(api, make, officer):
    client = api(make.token(officer))
    response = client.get("/certificates?project_id=6493380591599364096")
    assert response.status_code == 422 and "project_id" in error_of(response)["details"]
    assert client.get("/certificates?project_id=1").status_code == 200


def test_revocation_through_transitions(api, make, officer, project, issue):
    certificate = issue(project)
    team = api(make.token(make.user("applicant", org=project.lead_org)))
    assert team.post(f"/certificates/{certificate.id}/transitions/revoke", {"comment": "x"}).status_code == 403
    client = api(make.token(officer))
    assert [t["name"] for t in client.get(f"/certificates/{certificate.id}/transitions").get_json()] == ["revoke"]
    no_reason = client.post(f"/certificates/{certificate.id}/transitions/revoke", {})
    assert no_reason.status_code == 409 and "“撤销”须填写理由" in error_of(no_reason)["message"]
    done = client.post(f"/certificates/{certificate.id}/transitions/revoke", {"comment": "发现抄袭"})
    assert done.status_code == 200 and done.get_json()["state"] == "revoked"
    db.session.refresh(certificate)
    assert certificate.state == CertificateState.revoked
    history = client.get(f"/certificates/{certificate.id}/history").get_json()
    assert [e["action"] for e in history] == ["issue", "revoke"]
    public = api().get(f"/verify/{certificate.number}").get_json()
    assert public["state"] == "revoked" and public["revoked_reason"] == "发现抄袭" and public["revoked_at"]


def test_public_verification_by_number(api, project, issue):
    certificate = issue(project)
    body = api().get(f"/verify/{certificate.number}").get_json()
    assert (body["state"], body["state_label"]) == ("issued", "有效")
    assert body["pdf_sha256"] == certificate.pdf_sha256 and "id" not in body
    missing = api().get("/verify/XN-JB-2026-0999")
    assert missing.status_code == 404 and "未签发过编号为 XN-JB-2026-0999 的证书" in error_of(missing)["message"]


def upload(client, data: bytes):
    return client.post("/verify", data={"file": (io.BytesIO(data), "copy.pdf")}, content_type="multipart/form-data")


def test_public_verification_by_file(api, project, issue):
    certificate = issue(project)
    genuine = upload(api(), certificate.pdf).get_json()
    assert genuine["identical"] and genuine["genuine"] and genuine["in_force"]
    assert genuine["signature"] == {"present": True, "valid": True, "by_bureau": True,
                                    "signer": certificate.signer}
    assert genuine["certificate"]["number"] == certificate.number
    forged = upload(api(), tampered(certificate.pdf)).get_json()
    assert not forged["identical"] and not forged["signature"]["valid"] and forged["certificate"] is None


@pytest.mark.parametrize("data, message", [(b"x", "文件为空或过小（1 字节）"), (b"<html>", "该文件不是 PDF 文档")])
def test_uploads_that_cannot_be_certificates_are_refused(api, data, message):
    response = upload(api(), data)
    assert response.status_code == 422 and message in error_of(response)["message"]
    assert "file" in error_of(response)["details"]


def test_an_oversized_upload_is_refused(api, app):
    response = upload(api(), b"%PDF-" + b"0" * app.config["CERT_VERIFY_MAX_BYTES"])
    assert response.status_code == 422 and "文件超过 20 MB" in error_of(response)["message"]
