"""What reviewers of a blind challenge may see of a bid's files.

A blind review shows no lead, member or organisation names. File names and
PDF metadata often carry them, so reviewers get attachments renamed by
position ("附件1.pdf") and PDFs with their metadata stripped:

* the document information dictionary (/Info: Title, Author, Subject,
  Keywords, Creator, Producer, dates), dropped entirely;
* the document's XMP metadata stream (/Metadata in the catalog), and any
  per-page /Metadata and /PieceInfo (application private data);
* embedded files (/Names → /EmbeddedFiles), the outline (bookmarks) and
  file-attachment annotations, whose names and contents may identify the team.

Page content is not rewritten: a name typed into the text of the proposal
is the applicant's to avoid (the blind-review instructions say so).
"""
from __future__ import annotations

import io
from pathlib import PurePosixPath

from flask_babel import gettext as _
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, NameObject


def blind_file_name(position: int, original_name: str) -> str:
    """"附件1.pdf": the position in the bid and the original extension only."""
    suffix = PurePosixPath(original_name or "").suffix.lower()
    if not suffix[1:].isalnum() or len(suffix) > 8:
        suffix = ""
    return _("Attachment %(n)s", n=position) + suffix


def strip_pdf_metadata(data: bytes) -> bytes:
    """The same pages without metadata that could name the authors.

    Only the pages are copied into a new document, so the catalog's XMP
    stream, embedded files, outline and document information stay behind.
    """
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(data)).pages:
        page = writer.add_page(page)
        for key in ("/Metadata", "/PieceInfo"):
            if key in page:
                del page[NameObject(key)]
        annots = page.get("/Annots")
        if annots is not None:
            kept = ArrayObject(a for a in annots.get_object()
                               if a.get_object().get("/Subtype") != "/FileAttachment")
            if kept:
                page[NameObject("/Annots")] = kept
            else:
                del page[NameObject("/Annots")]
    writer.metadata = None  # no /Info, not even a /Producer
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def reviewer_view_of_bid(bid, blind: bool) -> dict:
    """What a reviewer is shown of a bid, for the page and the API alike.

    A blind review leaves out the organisation, the lead, the members and the
    partners, and names attachments by position only.
    """
    view = {
        "id": bid.id,
        "title": bid.title,
        "technical_approach": bid.technical_approach or "",
        "requested_fen": bid.requested_fen,
        "own_cofunding_fen": bid.own_cofunding_fen,
        "indicators": [{"name": i.challenge_indicator.name, "unit": i.challenge_indicator.unit,
                        "promised_value": i.promised_value} for i in bid.indicators],
        "milestones": [{"month": m.month, "title": m.title} for m in bid.milestones],
        "attachments": [{"position": n, "name": blind_file_name(n, a.original_filename) if blind
                         else a.original_filename} for n, a in enumerate(bid.attachments, start=1)],
        "blind": blind,
    }
    if not blind:
        view.update({
            "organization": bid.organization.name,
            "lead": bid.lead.name if bid.lead else "",
            "members": [m.person.name for m in bid.members],
            "partners": [p.organization.name for p in bid.partners],
        })
    return view
