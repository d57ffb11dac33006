"""Objections to integrity entries through the API: the listed subject files one
(with PDFs), officers decide it through its workflow; as on the pages."""
import io

import pytest

from grants.core import audit
from grants.extensions import db
from grants.integrity.models import IntegrityObjection, ObjectionState
from tests.api.documented import documented_api as api  # noqa: F401  (every answer checked)
from tests.api.helpers import error_of
from tests.factories import pdf_bytes

PDF = pdf_bytes("objection")


@pytest.fixture
def listed(make):
    """(organisation, its black entry, a member of it)."""
    org = make.org(name="异议单位")
    return org, make.black(org), make.user("enterprise", org=org)


def file(client, entry, reasons="决定书认定事实有误", files=()):
    data = {"files": [(io.BytesIO(body), name) for name, body in files]}
    if reasons is not None:
        data["reasons"] = reasons
    return client.post(f"/integrity/entries/{entry.id}/objections", data=data, content_type="multipart/form-data")


def decide(client, objection_id, name, comment=None, **body):
    return client.post(f"/integrity/objections/{objection_id}/transitions/{name}",
                       {"comment": comment, **body} if comment is not None or body else None)


def test_the_subject_sees_their_record_and_files_an_objection_with_a_pdf(api, make, listed):
    org, entry, member = listed
    subject = api(make.token(member))
    record = subject.get("/integrity/mine").get_json()
    assert [e["id"] for e in record["entries"]] == [entry.id] and record["objections"] == []
    assert subject.get(f"/integrity/entries/{entry.id}").get_json()["subject_name"] == "异议单位"

    response = file(subject, entry, files=[("说明.pdf", PDF)])
    assert response.status_code == 201, response.get_json()
    objection = response.get_json()
    assert objection["state"] == "open" and objection["state_label"] == "待处理"
    assert objection["reasons"] == "决定书认定事实有误" and objection["answer"] is None
    assert [(f["name"], f["size"]) for f in objection["files"]] == [("说明.pdf", len(PDF))]
    download = subject.get(f"/integrity/objections/{objection['id']}/files/{objection['files'][0]['id']}")
    assert download.status_code == 200 and download.data == PDF
    assert download.mimetype == "application/pdf"
    assert subject.get(f"/integrity/objections/{objection['id']}/files/{objection['files'][0]['id'] + 99}"
                       ).status_code == 404
    assert [o["id"] for o in subject.get("/integrity/mine").get_json()["objections"]] == [objection["id"]]
    assert [o["id"] for o in subject.get(f"/integrity/entries/{entry.id}/objections").get_json()] == \
        [objection["id"]]

    again = file(subject, entry)
    assert again.status_code == 409
    assert error_of(again)["message"] == "该条目已有一项未处理的异议，请等待答复。"


def test_a_person_on_the_list_objects_without_files(api, make):
    applicant = make.user("applicant")
    entry = make.black(applicant.person)
    response = file(api(make.token(applicant)), entry)
    assert response.status_code == 201 and response.get_json()["files"] == []


def test_bad_objections_name_the_field(api, make, listed, monkeypatch):
    org, entry, member = listed
    subject = api(make.token(member))
    not_pdf = file(subject, entry, files=[("fake.pdf", b"MZ\x90\x00 not a pdf")])
    assert not_pdf.status_code == 422
    assert error_of(not_pdf)["details"] == {"files": "附件 fake.pdf不是 PDF 文件"}
    from grants.integrity import services

    monkeypatch.setattr(services, "MAX_ATTACHMENT_BYTES", 100)
    too_big = file(subject, entry, files=[("big.pdf", PDF + b"0" * 200)])
    assert too_big.status_code == 422 and "大于 20 MB" in error_of(too_big)["details"]["files"]
    blank = file(subject, entry, reasons="   ")
    assert blank.status_code == 422 and error_of(blank)["details"] == {"reasons": "理由为必填项"}
    text = subject.post(f"/integrity/entries/{entry.id}/objections", data={"reasons": "理由", "files": "false"},
                        content_type="multipart/form-data")
    assert text.status_code == 422 and error_of(text)["details"] == {"files": "0: 须为文件"}
    missing = file(subject, entry, reasons=None)
    assert missing.status_code == 422 and error_of(missing)["details"] == {"reasons": "为必填项"}
    assert db.session.query(IntegrityObjection).count() == 0


def test_only_the_subject_may_object(api, make, listed):
    org, entry, member = listed
    for role in ("enterprise", "applicant", "reviewer"):
        stranger = api(make.token(make.user(role)))
        for response in (file(stranger, entry), stranger.get(f"/integrity/entries/{entry.id}"),
                         stranger.get(f"/integrity/entries/{entry.id}/objections")):
            assert response.status_code == 404
            assert error_of(response)["message"] == "该记录不存在，或您无权查看。"
    officer = api(make.token(make.user("officer")))
    refused = file(officer, entry)
    assert refused.status_code == 403
    assert error_of(refused)["message"] == "只有被列入名单的个人或单位成员可以提出异议。"
    assert file(api(), entry).status_code == 401
    assert db.session.query(IntegrityObjection).count() == 0


def test_a_revoked_entry_takes_no_objection(api, make, listed):
    from grants.integrity.services import revoke_entry

    org, entry, member = listed
    revoke_entry(entry, actor=make.user("officer"), reason="复议撤销")
    db.session.commit()
    response = file(api(make.token(member)), entry)
    assert response.status_code == 409
    assert error_of(response)["message"] == "该条目已撤销，无需提出异议。"


def test_the_officer_upholds_and_the_entry_is_revoked(api, make, listed):
    org, entry, member = listed
    subject = api(make.token(member))
    objection_id = file(subject, entry).get_json()["id"]
    officer_user = make.user("officer")
    officer = api(make.token(officer_user))

    listed_open = officer.get("/integrity/objections", query_string={"state": "open"}).get_json()
    assert [o["id"] for o in listed_open] == [objection_id]
    assert [t["name"] for t in officer.get(f"/integrity/objections/{objection_id}/transitions").get_json()] == \
        ["uphold", "dismiss"]
    assert subject.get(f"/integrity/objections/{objection_id}/transitions").get_json() == []

    no_answer = decide(officer, objection_id, "uphold")
    assert no_answer.status_code == 409
    assert error_of(no_answer)["message"] == "“支持异议并撤销条目”须填写理由。"
    stale = decide(officer, objection_id, "uphold", "经复核，异议成立", version=99)
    assert stale.status_code == 409 and error_of(stale)["code"] == "conflict"
    upheld = decide(officer, objection_id, "uphold", "经复核，异议成立", version=1)
    assert upheld.status_code == 200, upheld.get_json()
    assert upheld.get_json()["state"] == "upheld"

    seen = subject.get(f"/integrity/objections/{objection_id}").get_json()
    assert seen["state"] == "upheld" and seen["answer"] == "经复核，异议成立" and seen["decided_at"]
    assert subject.get(f"/integrity/entries/{entry.id}").get_json()["status"] == "revoked"
    history = subject.get(f"/integrity/objections/{objection_id}/history").get_json()
    assert [(e["action"], e["to_state"]) for e in history] == [("file", "open"), ("uphold", "upheld")]
    db.session.refresh(entry)
    assert entry.revoked_by_id == officer_user.id
    assert audit.history(entry)[-1].action == "revoke"
    assert officer.get("/integrity/objections", query_string={"state": "open"}).get_json() == []


def test_the_officer_dismisses_and_nobody_else_decides(api, make, listed):
    org, entry, member = listed
    subject = api(make.token(member))
    objection_id = file(subject, entry).get_json()["id"]
    refused = decide(subject, objection_id, "dismiss", "我自己驳回")
    assert refused.status_code == 403 and error_of(refused)["code"] == "forbidden"
    # Neither a stranger nor the administrator (accounts, organisations, settings) sees it.
    for stranger in (api(make.token(make.user("enterprise"))), api(make.token(make.user("admin")))):
        for response in (decide(stranger, objection_id, "dismiss", "驳回"),
                         stranger.get(f"/integrity/objections/{objection_id}"),
                         stranger.get(f"/integrity/objections/{objection_id}/history")):
            assert response.status_code == 404

    officer = api(make.token(make.user("officer")))
    dismissed = decide(officer, objection_id, "dismiss", "证据充分，维持原决定")
    assert dismissed.status_code == 200 and dismissed.get_json()["state"] == "dismissed"
    db.session.refresh(entry)
    assert entry.revoked_at is None
    objection = db.session.get(IntegrityObjection, objection_id)
    assert objection.state == ObjectionState.dismissed and objection.answer == "证据充分，维持原决定"
    # Decided once: a second decision is refused.
    again = decide(officer, objection_id, "uphold", "改判")
    assert again.status_code == 409 and error_of(again)["code"] == "refused"


def test_the_objection_list_is_for_the_bureau(api, make, listed):
    org, entry, member = listed
    for role in ("enterprise", "applicant", "reviewer", "admin"):
        response = api(make.token(make.user(role))).get("/integrity/objections")
        assert response.status_code == 403
        assert error_of(response)["message"] == "您的角色无权使用此部分 API。"
    officer = api(make.token(make.user("officer")))
    assert officer.get("/integrity/objections").status_code == 200
    wrong = officer.get("/integrity/objections", query_string={"state": "closed"})
    assert wrong.status_code == 422 and "state" in error_of(wrong)["details"]


def _queries(client, path) -> int:
    import sqlalchemy as sa

    conn = db.session.connection()
    counter = []
    listen = lambda *a, **k: counter.append(1)  # noqa: E731
    sa.event.listen(conn, "before_cursor_execute", listen)
    try:
        response = client.get(path, query_string={"page_size": 100})
    finally:
        sa.event.remove(conn, "before_cursor_execute", listen)
    assert response.status_code == 200
    return len(counter)


def test_the_objection_list_takes_a_fixed_number_of_queries(api, make):
    officer = api(make.token(make.user("officer")))

    def grow(n):
        for _ in range(n):
            org = make.org()
            file(api(make.token(make.user("enterprise", org=org))), make.black(org), files=[("a.pdf", PDF)])
        db.session.expunge_all()

    grow(2)
    officer.get("/integrity/objections")
    few = _queries(officer, "/integrity/objections")
    grow(4)
    assert _queries(officer, "/integrity/objections") == few
