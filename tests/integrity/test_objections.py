import io

import pytest
import sqlalchemy as sa

from grants.core import audit
from grants.extensions import db
from grants.integrity.check import check, org_subject
from grants.integrity.models import IntegrityObjection, ObjectionState
from tests.factories import pdf_bytes

PDF = pdf_bytes("objection")


@pytest.fixture
def listed(make):
    org = make.org(name="异议单位")
    return org, make.black(org), make.user("enterprise", org=org)


def file(client, entry, reasons="决定书认定事实有误", files=()):
    data = {"reasons": reasons, "files": [(io.BytesIO(body), name) for name, body in files]}
    return client.post(f"/integrity/entries/{entry.id}/objection", data=data, content_type="multipart/form-data")


def objection_of(entry):
    return db.session.scalar(sa.select(IntegrityObjection).where(IntegrityObjection.entry_id == entry.id))


def test_subject_files_an_objection_with_a_pdf(app, client, login, listed):
    org, entry, member = listed
    login(member)
    assert "异议单位" in client.get("/integrity/mine").get_data(as_text=True)
    response = file(client, entry, files=[("说明.pdf", PDF)])
    assert response.status_code == 302, response.get_data(as_text=True)
    objection = objection_of(entry)
    assert objection.state == ObjectionState.open and objection.filed_by_id == member.id
    (stored,) = objection.files
    path = (__import__("pathlib").Path(app.config["UPLOAD_FOLDER"]) / "integrity" / stored.stored_name)
    assert path.read_bytes() == PDF and stored.original_name == "说明.pdf"
    assert "static" not in str(path)
    download = client.get(f"/integrity/objections/{objection.id}/files/{stored.id}")
    assert download.data == PDF
    assert [e.action for e in audit.history(objection)] == ["file"]
    # one open objection per entry
    html = file(client, entry).get_data(as_text=True)
    assert "已有一项未处理的异议" in html


def test_a_person_on_the_list_may_object(client, login, make):
    applicant = make.user("applicant")
    entry = make.black(applicant.person)
    login(applicant)
    assert file(client, entry).status_code == 302
    assert objection_of(entry) is not None


def test_non_pdf_or_oversized_attachments_are_refused(client, login, listed, monkeypatch):
    org, entry, member = listed
    login(member)
    html = file(client, entry, files=[("fake.pdf", b"MZ\x90\x00 not a pdf")]).get_data(as_text=True)
    assert "不是 PDF 文件" in html and objection_of(entry) is None
    from grants.integrity import services

    monkeypatch.setattr(services, "MAX_ATTACHMENT_BYTES", 100)
    html = file(client, entry, files=[("big.pdf", PDF + b"0" * 200)]).get_data(as_text=True)
    assert "大于 20 MB" in html and objection_of(entry) is None


@pytest.mark.parametrize("role", ["enterprise", "applicant"])
def test_someone_who_is_not_the_subject_cannot_object(client, login, listed, make, role):
    org, entry, member = listed
    login(make.user(role))
    assert client.get(f"/integrity/entries/{entry.id}/objection").status_code == 404
    assert file(client, entry).status_code == 404
    assert objection_of(entry) is None


def test_officer_upholds_and_the_entry_is_revoked(client, login, listed, make):
    org, entry, member = listed
    login(member)
    file(client, entry)
    objection = objection_of(entry)
    officer = make.user("officer")
    login(officer)
    page = client.get(f"/integrity/objections/{objection.id}").get_data(as_text=True)
    assert "决定书认定事实有误" in page
    client.post(f"/integrity/objections/{objection.id}/uphold",
                data={"comment": "经复核，异议成立", "version": objection.version})
    db.session.refresh(objection)
    db.session.refresh(entry)
    assert objection.state == ObjectionState.upheld and objection.answer == "经复核，异议成立"
    assert entry.revoked_at is not None and entry.revoked_by_id == officer.id
    assert not check([org_subject(org)]).blocked
    assert [e.action for e in audit.history(entry)][-1] == "revoke"
    # the subject sees the answer and the history
    login(member)
    html = client.get(f"/integrity/objections/{objection.id}").get_data(as_text=True)
    assert "经复核，异议成立" in html and "支持异议并撤销条目" in html and "异议成立" in html


def test_officer_dismisses_with_a_written_answer(client, login, listed, make):
    org, entry, member = listed
    login(member)
    file(client, entry)
    objection = objection_of(entry)
    login(make.user("officer"))
    html = client.post(f"/integrity/objections/{objection.id}/dismiss", data={"comment": ""},
                       follow_redirects=True).get_data(as_text=True)
    assert "须填写理由" in html
    db.session.refresh(objection)
    assert objection.state == ObjectionState.open
    client.post(f"/integrity/objections/{objection.id}/dismiss", data={"comment": "证据充分，维持原决定"})
    db.session.refresh(objection)
    db.session.refresh(entry)
    assert objection.state == ObjectionState.dismissed and entry.revoked_at is None
    assert check([org_subject(org)]).blocked
    login(member)
    html = client.get(f"/integrity/objections/{objection.id}").get_data(as_text=True)
    assert "证据充分，维持原决定" in html and "已驳回" in html


def test_only_officers_decide_and_only_parties_see_the_objection(client, login, listed, make):
    org, entry, member = listed
    login(member)
    file(client, entry)
    objection = objection_of(entry)
    assert client.post(f"/integrity/objections/{objection.id}/uphold", data={"comment": "x"}).status_code == 403
    login(make.user("enterprise"))
    assert client.get(f"/integrity/objections/{objection.id}").status_code == 404
    login(make.user("admin"))  # DESIGN.md: the administrator has no part in the integrity lists
    assert client.get(f"/integrity/objections/{objection.id}").status_code == 404
    assert client.post(f"/integrity/objections/{objection.id}/uphold", data={"comment": "x"}).status_code == 403
    db.session.refresh(objection)
    assert objection.state == ObjectionState.open


def test_the_database_holds_one_open_objection_per_entry(listed, make):
    org, entry, member = listed
    db.session.add(IntegrityObjection(entry=entry, reasons="一", filed_by_id=member.id))
    db.session.flush()
    db.session.add(IntegrityObjection(entry=entry, reasons="二", filed_by_id=member.id))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()
