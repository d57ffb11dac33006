"""Issuing a certificate: who, for which project, its number, and what the PDF says."""
import hashlib
import io

import pytest
from pypdf import PdfReader

from grants.certificates.models import Certificate, CertificateState
from grants.certificates.services import issue_certificate
from grants.core import audit
from grants.core.errors import Forbidden, Refused, ValidationFailed
from grants.extensions import db
from grants.projects.models import ProjectState
from tests.certificates.conftest import accepted_project, reached_values


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_certificate_is_issued_for_an_accepted_project(project, officer, issue):
    certificate = issue(project, reached=reached_values(project, "0.4"))
    assert certificate.state == CertificateState.issued
    assert certificate.number == "XN-JB-2026-0001"
    assert certificate.pdf.startswith(b"%PDF-")
    assert certificate.pdf_sha256 == hashlib.sha256(certificate.pdf).hexdigest()
    contents = certificate.contents
    assert contents["project_title"] == project.title
    assert contents["challenge_title"] == project.challenge.title
    assert contents["enterprise"] == project.challenge.owner_org.name
    assert contents["organization"] == project.lead_org.name
    assert contents["lead_name"] == project.lead_person.name
    assert contents["award_fen"] == project.award_fen
    assert contents["released_fen"] == 0  # no tranche released
    assert [(i["name"], i["target"], i["reached"]) for i in contents["indicators"]] == [
        ("定位精度", "0.5", "0.4"), ("响应时间", "2", "0.4")]
    assert contents["verify_url"] == "http://127.0.0.1:5000/verify/XN-JB-2026-0001"
    [event] = audit.history(certificate)
    assert (event.action, event.to_state, event.actor_id) == ("issue", "issued", officer.id)
    assert event.evidence["pdf_sha256"] == certificate.pdf_sha256
    assert event.evidence["integrity"]["black"] == []


def test_the_pdf_reads_as_the_certificate_with_the_number_and_the_lead(project, issue):
    certificate = issue(project)
    text = pdf_text(certificate.pdf)
    assert "验收证书" in text.replace(" ", "")
    assert certificate.number in text
    assert project.lead_person.name in text
    assert project.title in text


def test_a_cjk_font_is_embedded(project, issue):
    reader = PdfReader(io.BytesIO(issue(project).pdf))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            fonts[str(font["/BaseFont"])] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    assert any("CertSerif" in name for name in fonts), fonts
    assert all(fonts.values()), fonts  # every font is embedded, none left to the reader's machine


def test_html_in_the_conclusion_is_printed_as_text(project, issue):
    certificate = issue(project, conclusion="结论：<b>通过</b><img src='file:///etc/passwd'>")
    text = pdf_text(certificate.pdf)
    assert "<b>通过</b>" in text
    assert "file:///etc/passwd" in text.replace("\n", "")


@pytest.mark.parametrize("state", [s for s in ProjectState if s != ProjectState.accepted])
def test_only_an_accepted_project_gets_a_certificate(make, officer, state):
    project = accepted_project(make, state=state)
    with pytest.raises(Refused, match="只能为已通过验收的项目签发证书"):
        issue_certificate(project, officer, conclusion="通过", reached={})
    assert Certificate.query.count() == 0


def test_a_black_listed_lead_gets_no_certificate(make, project, officer):
    entry = make.black(project.lead_person)
    with pytest.raises(Refused) as refused:
        issue_certificate(project, officer, conclusion="通过", reached={})
    message = str(refused.value)
    assert project.lead_person.name in message and entry.basis in message and "不得获得验收证书" in message
    assert Certificate.query.count() == 0


def test_a_black_listed_organisation_gets_no_certificate_and_red_marks_do_not_block(make, project, officer):
    make.red(project.lead_person)
    make.black(project.lead_org)
    with pytest.raises(Refused, match=project.lead_org.name):
        issue_certificate(project, officer, conclusion="通过", reached={})


def test_an_expired_black_entry_no_longer_blocks(make, project, officer, issue):
    from datetime import date

    make.black(project.lead_person, start_on=date(2025, 1, 1), end_on=date(2026, 1, 1))
    assert issue(project).state == CertificateState.issued


@pytest.mark.parametrize("role", ["applicant", "enterprise", "reviewer", "admin"])
def test_only_the_bureau_issues(make, project, role):
    with pytest.raises(Forbidden, match="只有科技局项目主管可以签发验收证书"):
        issue_certificate(project, make.user(role), conclusion="通过", reached={})


def test_a_conclusion_is_required_and_reached_values_must_name_the_projects_indicators(project, officer):
    with pytest.raises(ValidationFailed) as failed:
        issue_certificate(project, officer, conclusion="  ", reached={"999999": "1"})
    assert set(failed.value.details) == {"conclusion", "reached-999999"}
    assert "请填写验收专家组结论" in str(failed.value)


def test_one_certificate_in_force_per_project(project, issue, officer):
    first = issue(project)
    with pytest.raises(Refused, match=first.number):
        issue_certificate(project, officer, conclusion="再次", reached={})


def test_numbers_run_in_sequence_per_year_and_restart_each_year(make, issue):
    from datetime import datetime

    from grants.core import clock

    numbers = [issue(accepted_project(make)).number for _ in range(3)]
    assert numbers == ["XN-JB-2026-0001", "XN-JB-2026-0002", "XN-JB-2026-0003"]
    clock.set_now(datetime(2027, 1, 5, 2, 0))
    assert issue(accepted_project(make)).number == "XN-JB-2027-0001"


def test_a_failed_issue_gives_its_number_back(make, project, issue, officer, monkeypatch):
    from grants.certificates import services
    from grants.extensions import db

    def broken(values):
        raise RuntimeError("the renderer failed")

    monkeypatch.setattr(services.pdf, "render_pdf", broken)
    with pytest.raises(RuntimeError):
        issue_certificate(accepted_project(make), officer, conclusion="通过", reached={})
    db.session.rollback()
    monkeypatch.undo()
    assert issue(project).number == "XN-JB-2026-0001"


def test_a_rare_character_outside_the_common_set_still_prints_from_the_full_font(make, issue):
    from grants.certificates.fonts import common_characters

    assert ord("喆") not in common_characters()
    project = accepted_project(make)
    project.lead_person.name = "王喆"
    certificate = issue(project)
    assert "王喆" in pdf_text(certificate.pdf)
    fonts = {str(f.get_object()["/BaseFont"]) for page in PdfReader(io.BytesIO(certificate.pdf)).pages
             for f in page["/Resources"]["/Font"].values()}
    assert any("Full" in name for name in fonts), fonts


def test_the_certificate_states_the_funds_actually_released(make):
    from grants.certificates.contents import funds_released_fen
    from grants.projects import services as projects
    from tests.projects.helpers import signed

    parties = signed(make)
    signing, *_later = parties.project.tranches
    assert funds_released_fen(parties.project) == 0
    projects.release_tranche(signing, actor=parties.officer)
    db.session.commit()
    assert funds_released_fen(parties.project) == signing.amount_fen > 0


def test_a_less_common_character_prints_from_the_second_prepared_face_not_the_full_font(make, issue):
    from grants.certificates.fonts import basic_characters, more_characters

    assert ord("亓") in more_characters() and ord("亓") not in basic_characters()
    project = accepted_project(make)
    project.lead_person.name = "亓明"
    certificate = issue(project)
    assert "亓明" in pdf_text(certificate.pdf)
    fonts = {str(f.get_object()["/BaseFont"]) for page in PdfReader(io.BytesIO(certificate.pdf)).pages
             for f in page["/Resources"]["/Font"].values()}
    assert any("More" in name for name in fonts) and not any("Full" in name for name in fonts), fonts
