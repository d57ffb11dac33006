"""The project's whole file as a ZIP: what is inside, the certificate byte for byte, who may have it."""
import io
import zipfile

from pypdf import PdfReader

from grants.acceptance import decisions
from grants.extensions import db
from tests.acceptance.helpers import confirm, judge_all, under_acceptance
from tests.challenges.test_pages import signed_in


def certified(make):
    acceptance = under_acceptance(make)
    judge_all(acceptance, [80, 75, 70])
    confirm(acceptance, conclusion="各项指标达到任务书要求,同意通过验收。")
    certificate = decisions.issue_project_certificate(acceptance.project, actor=acceptance.officer)
    db.session.commit()
    return acceptance, certificate


def api_get(app, make, user, url):
    return app.test_client().get(url, headers={"Authorization": f"Bearer {make.token(user)}"})


def _zip(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.get_data()))


def test_the_zip_holds_the_whole_file_and_the_certificate_as_issued(app, make):
    acceptance, certificate = certified(make)
    client = signed_in(app, acceptance.team)
    page = client.get(f"/projects/{acceptance.project.id}").get_data(as_text=True)
    assert f"/acceptance/projects/{acceptance.project.id}/archive.zip" in page
    response = client.get(f"/acceptance/projects/{acceptance.project.id}/archive.zip")
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    archive = _zip(response)
    names = archive.namelist()
    assert "任务书/任务书（第1版）.pdf" in names, names
    progress = [n for n in names if n.startswith("进展报告/")]
    assert len([n for n in progress if n.endswith("report.pdf")]) == 2  # each milestone's attachment
    assert len([n for n in progress if n.endswith("/报告内容.pdf")]) == 2, progress
    assert any(n.startswith("进展报告/01 进展报告：样机研制 ") for n in progress), progress
    assert {n.rsplit("/", 1)[1] for n in names if n.startswith("结题报告/")} == {"报告内容.pdf", "结题报告.pdf"}
    assert "验收专家组意见.pdf" in names
    assert all(info.flag_bits & 0x800 for info in archive.infolist() if not info.filename.isascii())
    assert archive.read(f"验收证书 {certificate.number}.pdf") == certificate.pdf
    opinions = PdfReader(io.BytesIO(archive.read("验收专家组意见.pdf")))
    text = "".join(page.extract_text() for page in opinions.pages)
    assert "验收专家组意见" in text and "同意通过验收" in text and "意见" in text
    agreement = PdfReader(io.BytesIO(archive.read("任务书/任务书（第1版）.pdf")))
    assert "样机研制" in "".join(page.extract_text() for page in agreement.pages)


def test_the_enterprise_and_the_bureau_get_it_from_the_api_too(app, make):
    acceptance, certificate = certified(make)
    page = signed_in(app, acceptance.officer).get(f"/projects/{acceptance.project.id}").get_data(as_text=True)
    assert f"/acceptance/projects/{acceptance.project.id}\"" in page  # the way to the acceptance page
    for user in (acceptance.owner, acceptance.officer):
        response = api_get(app, make, user, f"/api/v1/acceptance/{acceptance.project.id}/archive")
        assert archive_has(response, f"验收证书 {certificate.number}.pdf")


def archive_has(response, name) -> bool:
    return name in _zip(response).namelist()


def test_a_stranger_gets_404_and_nothing(app, make):
    acceptance, _certificate = certified(make)
    pid = acceptance.project.id
    stranger = make.user("applicant")
    assert signed_in(app, stranger).get(f"/acceptance/projects/{pid}/archive.zip").status_code == 404
    assert api_get(app, make, stranger, f"/api/v1/acceptance/{pid}/archive").status_code == 404
    reviewer = acceptance.panel[0]  # the panel judges, it does not take the file home
    assert signed_in(app, reviewer).get(f"/acceptance/projects/{pid}/archive.zip").status_code == 404
    assert app.test_client().get(f"/acceptance/projects/{pid}/archive.zip").status_code in (302, 401)
