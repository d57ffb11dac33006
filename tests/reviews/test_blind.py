"""Blind review: attachments without names or PDF metadata."""
import io

from pypdf import PdfReader, PdfWriter

from grants.reviews.blind import blind_file_name, strip_pdf_metadata


def pdf_with_metadata() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Author": "张教授", "/Title": "西北理工大学揭榜方案", "/Creator": "WPS 张教授"})
    writer.add_attachment("团队名单-张教授.txt", "张教授 李研究员".encode())
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_stripped_pdf_has_no_author_title_or_embedded_files(app):
    original = pdf_with_metadata()
    assert "张教授" in PdfReader(io.BytesIO(original)).metadata.author
    stripped = strip_pdf_metadata(original)
    reader = PdfReader(io.BytesIO(stripped))
    assert not reader.metadata or not any(reader.metadata.values())
    assert reader.xmp_metadata is None
    assert not reader.attachments
    assert len(reader.pages) == 1
    assert "张教授".encode("utf-16-be") not in stripped and "张教授".encode() not in stripped


def test_blind_file_names_keep_only_position_and_extension(app):
    with app.test_request_context():
        assert blind_file_name(1, "西北理工大学-张教授-方案.PDF") == "附件1.pdf"
        assert blind_file_name(2, "budget.xlsx") == "附件2.xlsx"
        assert blind_file_name(3, "no-extension") == "附件3"
