"""What reviewers of a blind challenge may see of a bid's files.

A blind review shows no lead, member or organisation names. File names and
PDFs often carry them, so reviewers get attachments renamed by position
("附件1.pdf") and each PDF rewritten (pikepdf) into a new document that keeps
only what the pages draw:

* each page's content stream, resources (fonts, images), size and rotation;
* nothing else: no document information (/Info) or XMP metadata, no
  annotations (comments with their author /T and text, links and their
  URIs, form widgets, file attachments), no actions (/OpenAction, document
  and page /AA, JavaScript), no embedded files, outline, form (/AcroForm),
  page labels or application private data (/PieceInfo).

Page content is not rewritten: a name typed into the text of the proposal
is the applicant's to avoid (the blind-review instructions say so).
"""
from __future__ import annotations

import io
from pathlib import PurePosixPath

import pikepdf
from flask_babel import gettext as _

from grants.core.errors import Refused

# What a page keeps: how it is drawn, nothing that annotates or acts.
KEPT_PAGE_KEYS = ("/MediaBox", "/CropBox", "/BleedBox", "/TrimBox", "/ArtBox", "/Rotate", "/UserUnit")
# Keys inside kept objects (resources, XObjects, images) that can still carry
# names or behaviour; they are removed wherever they occur.
INHERITED_PAGE_KEYS = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")
DROPPED_KEYS = ("/Metadata", "/PieceInfo", "/AA", "/A", "/JS", "/JavaScript", "/OpenAction", "/URI",
                "/Annots", "/EmbeddedFiles", "/AcroForm")


def blind_file_name(position: int, original_name: str) -> str:
    """"附件1.pdf": the position in the bid and the original extension only."""
    suffix = PurePosixPath(original_name or "").suffix.lower()
    if not suffix[1:].isalnum() or len(suffix) > 8:
        suffix = ""
    return _("Attachment %(n)s", n=position) + suffix


def _scrub(obj, seen: set) -> None:
    """Remove :data:`DROPPED_KEYS` from every dictionary reachable from ``obj``."""
    if isinstance(obj, pikepdf.Object) and obj.is_indirect:
        if obj.objgen in seen:
            return
        seen.add(obj.objgen)
    if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
        for key in DROPPED_KEYS:
            if key in obj:
                del obj[key]
        for key in list(obj.keys()):
            _scrub(obj[key], seen)
    elif isinstance(obj, pikepdf.Array):
        for item in obj:
            _scrub(item, seen)


def blind_pdf(data: bytes) -> bytes:
    """The same pages in a new document with nothing that could name the authors.

    Each page is rebuilt from its content and resources only (inherited
    attributes are resolved first), so whatever else the original carried
    (see the module's docstring) stays behind.
    """
    try:
        return _rebuilt(data)
    except (pikepdf.PdfError, RecursionError, ValueError) as exc:
        # Only files stored before uploads were parsed can get here.
        raise Refused(_("This file cannot be read as a PDF document, so it cannot be shown for blind "
                        "review. Ask the programme officer to have the team upload it again.")) from exc


def _rebuilt(data: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(data)) as source, pikepdf.new() as out:
        seen: set = set()
        for page in source.pages:
            page_dict = page.obj
            for key in INHERITED_PAGE_KEYS:
                if key not in page_dict:
                    value = _inherited(page_dict, key)
                    if value is not None:
                        page_dict[key] = value
            for key in list(page_dict.keys()):
                if key not in KEPT_PAGE_KEYS + ("/Type", "/Parent", "/Resources", "/Contents"):
                    del page_dict[key]
            if "/MediaBox" not in page_dict:
                page_dict.MediaBox = pikepdf.Array([0, 0, 595, 842])  # A4, the default
            _scrub(page_dict, seen)
        out.pages.extend(source.pages)  # copies the pages and what they still refer to, nothing else
        buffer = io.BytesIO()
        out.save(buffer, fix_metadata_version=False, deterministic_id=True)
    return buffer.getvalue()


def _inherited(page_obj, key: str):
    node = page_obj.get("/Parent")
    while node is not None:
        if key in node:
            return node[key]
        node = node.get("/Parent")
    return None


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
