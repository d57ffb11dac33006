"""Blind review: attachments without names or PDF metadata."""
import io

import pikepdf
from pypdf import PdfReader, PdfWriter

from grants.reviews.blind import blind_file_name, blind_pdf


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
    stripped = blind_pdf(original)
    reader = PdfReader(io.BytesIO(stripped))
    assert not reader.metadata or not any(reader.metadata.values())
    assert reader.xmp_metadata is None
    assert not reader.attachments
    assert len(reader.pages) == 1
    assert "张教授".encode("utf-16-be") not in stripped and "张教授".encode() not in stripped


AUTHOR = "张教授 (西北理工大学)"


def pdf_with_annotations_links_and_actions() -> bytes:
    """One page drawing text, with what the issue found surviving: a comment
    with its author /T and text, a link with a URI, page-level JavaScript
    (/AA); plus document-open JavaScript, a form field and metadata."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    page = pdf.pages[0]
    page.obj.Contents = pdf.make_stream(b"BT /F1 12 Tf 20 100 Td (Proposal) Tj ET")
    page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)))
    comment = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Text, Rect=[10, 10, 30, 30],
        T=pikepdf.String(AUTHOR), Contents=pikepdf.String("请张教授团队补充数据")))
    link = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[10, 40, 90, 60],
        A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://nwpu-zhang-lab.example/team"))))
    field = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget, FT=pikepdf.Name.Tx, Rect=[10, 70, 90, 90],
        T=pikepdf.String("lead"), V=pikepdf.String("张教授")))
    page.obj.Annots = pdf.make_indirect(pikepdf.Array([comment, link, field]))
    page.obj.AA = pikepdf.Dictionary(O=pikepdf.Dictionary(
        S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('西北理工大学')")))
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('张教授')"))
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([field]))
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:creator"] = [AUTHOR]
    pdf.docinfo["/Author"] = pikepdf.String(AUTHOR)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _every_string(pdf: pikepdf.Pdf) -> str:
    """All text in every object of the file, decoded, streams included."""
    parts = []
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream):
            parts.append(obj.read_bytes().decode("latin-1"))
            obj = obj.stream_dict
        parts.append(repr(obj))
    return "\n".join(parts)


def test_blind_pdf_drops_annotations_links_actions_and_forms_but_keeps_the_page(app):
    original = pdf_with_annotations_links_and_actions()
    with pikepdf.open(io.BytesIO(original)) as before:
        assert AUTHOR in _every_string(before)
    with pikepdf.open(io.BytesIO(blind_pdf(original))) as after:
        text = _every_string(after)
        for trace in (AUTHOR, "张教授", "西北理工大学", "nwpu-zhang-lab", "/URI", "/JavaScript", "/JS"):
            assert trace not in text
        page = after.pages[0].obj
        for key in ("/Annots", "/AA", "/Metadata"):
            assert key not in page
        for key in ("/OpenAction", "/AcroForm", "/Metadata", "/Names", "/Outlines"):
            assert key not in after.Root
        assert not after.docinfo.keys()
        assert len(after.pages) == 1
        assert page.Contents.read_bytes() == b"BT /F1 12 Tf 20 100 Td (Proposal) Tj ET"
        assert page.Resources.Font.F1.BaseFont == "/Helvetica"
        assert [float(v) for v in page.MediaBox] == [0, 0, 200, 200]


def test_blind_file_names_keep_only_position_and_extension(app):
    with app.test_request_context():
        assert blind_file_name(1, "西北理工大学-张教授-方案.PDF") == "附件1.pdf"
        assert blind_file_name(2, "budget.xlsx") == "附件2.xlsx"
        assert blind_file_name(3, "no-extension") == "附件3"


def test_a_file_that_cannot_be_read_is_refused_in_words_not_a_server_error(app):
    import pytest

    from grants.core.errors import Refused

    with app.test_request_context(), pytest.raises(Refused, match="无法作为 PDF 文档读取"):
        blind_pdf(b"%PDF-1.7 stored before uploads were parsed")
