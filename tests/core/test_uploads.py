"""Uploads are checked by parsing, limited in number, and named without
characters that reorder or hide what a name shows."""
from __future__ import annotations

import io

import pikepdf
import pytest

from grants.bids import services as bids
from grants.core import attachments
from grants.core.errors import ValidationFailed
from grants.extensions import db
from tests.factories import pdf_bytes


def _locked_pdf() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(owner="o", user="u"))
    return out.getvalue()


@pytest.mark.parametrize("data, words", [
    (b"%PDF-1.7\n" + b"not really a pdf " * 50, "不是 PDF 文件"),
    (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "不是 PDF 文件"),
    (_locked_pdf(), "密码"),
])
def test_a_file_that_only_looks_like_a_pdf_is_refused_at_upload(make, login, data, words):
    team = make.user("applicant")
    bid = make.bid(make.challenge(), user=team, submit=False)
    client = login(team)
    html = client.post(f"/bids/{bid.id}/attachments", data={"file": (io.BytesIO(data), "方案.pdf")},
                       content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "方案.pdf" in html and words in html
    db.session.refresh(bid)
    assert not bid.attachments


def test_a_real_pdf_is_accepted(make):
    team = make.user("applicant")
    bid = make.bid(make.challenge(), user=team, submit=False)
    bids.add_attachment(bid, actor=team, stream=io.BytesIO(pdf_bytes("plan")), filename="方案.pdf")
    assert [a.original_filename for a in bid.attachments] == ["方案.pdf"]


def test_a_bid_takes_a_limited_number_of_files(make):
    team = make.user("applicant")
    bid = make.bid(make.challenge(), user=team, submit=False)
    for n in range(attachments.MAX_PER_OWNER):
        bids.add_attachment(bid, actor=team, stream=io.BytesIO(pdf_bytes("p")), filename=f"{n}.pdf")
    with pytest.raises(ValidationFailed, match=f"最多可附 {attachments.MAX_PER_OWNER} 个文件"):
        bids.add_attachment(bid, actor=team, stream=io.BytesIO(pdf_bytes("p")), filename="one-more.pdf")
    assert len(bid.attachments) == attachments.MAX_PER_OWNER


def test_a_report_takes_a_limited_number_of_files(make):
    from grants.projects import reports
    from tests.projects.helpers import signed

    parties = signed(make)
    uploads = [(io.BytesIO(pdf_bytes("r")), f"{n}.pdf") for n in range(attachments.MAX_PER_OWNER + 1)]
    with pytest.raises(ValidationFailed, match="最多可附"):
        reports.submit_report(parties.project.milestones[0], actor=parties.team, text="进展", uploads=uploads)


@pytest.mark.parametrize("name, kept", [
    ("invoice\u202efdp.exe", "invoicefdp.exe"),
    ("\u2067报告\u2069\u200e.pdf", "报告.pdf"),
    ("a\u202a\u202b\u202c\u202d\u2066\u2068\u200fb.pdf", "ab.pdf"),
    ("..\\..\\etc\\方案.pdf", "方案.pdf"),
    ("\u202e", "attachment.pdf"),
])
def test_file_names_lose_bidirectional_and_control_characters(make, name, kept):
    team = make.user("applicant")
    bid = make.bid(make.challenge(), user=team, submit=False)
    attachment = bids.add_attachment(bid, actor=team, stream=io.BytesIO(pdf_bytes("p")), filename=name)
    assert attachment.original_filename == kept
