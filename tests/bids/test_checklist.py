"""The checklist marks as failed only what blocks: supporting documents are optional
(neither the design nor a challenge's settings require them), so they are shown as such."""
import io
from datetime import timedelta

from grants.core import clock
from grants.core.workflow import fire
from grants.extensions import db

from tests.challenges.test_pages import signed_in
from tests.factories import pdf_bytes


def _item(html: str, text: str) -> str:
    return next(line for line in html.splitlines() if text in line)


def test_a_bid_without_documents_is_complete_and_shows_them_as_optional(app, make):
    challenge = make.challenge()
    bid = make.bid(challenge)  # submitted without an attachment: nothing blocks it
    assert bid.state == "submitted"
    team = signed_in(app, make.user("applicant", org=bid.organization))
    html = team.get(f"/bids/{bid.id}").get_data(as_text=True)
    line = _item(html, "证明材料")
    assert "✘" not in line and "可选" in line and "未上传" in line
    assert "✘" not in html


def test_the_officer_sees_no_failed_item_for_missing_documents(app, make):
    challenge = make.challenge()
    make.bid(challenge)
    clock.set_now(challenge.deadline_at + timedelta(seconds=1))
    fire(challenge, "close_bidding", None)
    db.session.commit()
    officer = signed_in(app, make.user("officer"))
    html = officer.get(f"/bids/eligibility/{challenge.id}").get_data(as_text=True)
    line = _item(html, "证明材料")
    assert "✘" not in line and "可选" in line


def test_documents_uploaded_are_counted(app, make):
    challenge = make.challenge()
    bid = make.bid(challenge, submit=False)
    team = signed_in(app, make.user("applicant", org=bid.organization))
    pdf = io.BytesIO(pdf_bytes("checklist"))
    team.post(f"/bids/{bid.id}/attachments", data={"file": (pdf, "资质证明.pdf")},
              content_type="multipart/form-data")
    line = _item(team.get(f"/bids/{bid.id}").get_data(as_text=True), "证明材料")
    assert "✔" in line and "1 份" in line


def test_a_failed_item_is_still_shown_as_failed(app, make):
    challenge = make.challenge()
    bid = make.bid(challenge, submit=False, declaration=False)
    team = signed_in(app, make.user("applicant", org=bid.organization))
    html = team.get(f"/bids/{bid.id}").get_data(as_text=True)
    assert "✘" in _item(html, "负责人已确认承诺声明")
