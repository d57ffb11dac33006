"""``/api/v1/integrity``: the red and black lists, and objections to entries.

Officers keep the lists. A listed person, or a member of a listed
organisation, sees their own entries (``/integrity/mine``) and may object to
one (异议); the bureau upholds (revoking the entry) or dismisses the
objection through its workflow. Who sees and does what is the pages' rule
(:mod:`grants.integrity.permissions`).
"""
from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from grants.api.auth import body_limit, require_permission, require_user
from grants.api.base import ID, SelectPage, add_history, add_transitions, api_blueprint
from grants.api.schemas import ApiSchema, FileUpload, QuerySchema, UtcDateTime
from grants.core import clock
from grants.core.errors import NotFound
from grants.extensions import db
from grants.integrity import services
from grants.integrity.models import (EntryStatus, IntegrityEntry, IntegrityObjection, ListKind, ObjectionState,
                                     SubjectType)

# As on the pages: any number of PDFs of at most 20 MB each, 25 MB in all.
MAX_OBJECTION_BODY = 25 * 1024 * 1024

blp = api_blueprint("integrity", __name__, "/integrity",
                    description="Research-integrity red and black lists (officers) and objections to "
                                "entries (the listed subject files, officers decide).")


class EntrySchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    list = ma.fields.String(required=True, metadata={"enum": [k.value for k in ListKind]})
    subject_type = ma.fields.String(required=True, metadata={"enum": [k.value for k in SubjectType]})
    subject_code = ma.fields.String(required=True)
    subject_name = ma.fields.String(required=True)
    reason = ma.fields.String(required=True)
    basis = ma.fields.String(required=True)
    authority = ma.fields.String(required=True)
    start_on = ma.fields.Date(required=True)
    end_on = ma.fields.Date(allow_none=True)
    status = ma.fields.Method("_status", required=True,
                              metadata={"type": "string", "enum": [s.value for s in EntryStatus]})
    revoked_at = UtcDateTime(allow_none=True)
    revocation_reason = ma.fields.String(allow_none=True)
    created_at = UtcDateTime(required=True)

    def _status(self, entry) -> str:
        return entry.status(clock.today()).value


class EntryCreateSchema(ApiSchema):
    list = ma.fields.String(required=True, metadata={"enum": [k.value for k in ListKind]})
    subject_type = ma.fields.String(required=True, metadata={"enum": [k.value for k in SubjectType]})
    code = ma.fields.String(required=True, metadata={
        "description": "Unified social credit code (organisation) or resident ID number (person)"})
    name = ma.fields.String(required=True)
    reason = ma.fields.String(required=True)
    basis = ma.fields.String(required=True, metadata={"description": "Document number"})
    authority = ma.fields.String(required=True)
    start_on = ma.fields.Date(required=True)
    end_on = ma.fields.Date(allow_none=True, metadata={"description": "None: indefinite"})


class RevokeSchema(ApiSchema):
    reason = ma.fields.String(required=True)


class EntryFilters(QuerySchema):
    list = ma.fields.String(validate=ma.validate.OneOf([k.value for k in ListKind]))
    status = ma.fields.String(validate=ma.validate.OneOf([s.value for s in EntryStatus]))
    code = ma.fields.String(metadata={"description": "Exact credit code or ID number"})
    q = ma.fields.String(metadata={"description": "Part of the name or code"})


def load_entry(entry_id: int, user) -> IntegrityEntry | None:
    """The bureau sees every entry's history; anyone else is refused (401/403) before looking."""
    require_permission("integrity.view_lists")
    return db.session.get(IntegrityEntry, entry_id)


def _not_found() -> NotFound:
    return NotFound(_("There is no such record, or it is not visible to you."))


def _get(entry_id: int) -> IntegrityEntry:
    entry = db.session.get(IntegrityEntry, entry_id)
    if entry is None:
        raise _not_found()
    return entry


def _visible_entry(entry_id: int) -> tuple:
    """(caller, entry) for officers and the entry's subject; 404 for anyone else."""
    user = require_user()
    entry = db.session.get(IntegrityEntry, entry_id)
    if entry is None or not services.can_see_entry(user, entry):
        raise _not_found()
    return user, entry


@blp.route("/entries", methods=["GET"])
@blp.arguments(EntryFilters, location="query")
@blp.response(200, EntrySchema(many=True))
@blp.paginate(SelectPage)
def list_entries(filters):
    """List entries, newest first"""
    require_permission("integrity.view_lists")
    return services.search_entries(q=filters.get("q", ""), code=filters.get("code"),
                                   list_kind=filters.get("list"), status=filters.get("status"))


@blp.route("/entries", methods=["POST"], permission="integrity.add_entry")
@blp.arguments(EntryCreateSchema)
@blp.response(201, EntrySchema)
def create_entry(data):
    """Add an entry (a black entry in force applies its effects at once)"""
    user = require_permission("integrity.add_entry")
    entry = services.add_entry(actor=user, list_kind=data["list"], subject_type=data["subject_type"],
                               code=data["code"], name=data["name"], reason=data["reason"],
                               basis=data["basis"], authority=data["authority"],
                               start_on=data["start_on"], end_on=data.get("end_on"), source="api")
    db.session.commit()
    return entry


@blp.route(f"/entries/<{ID}:entry_id>", methods=["GET"])
@blp.response(200, EntrySchema)
def get_entry(entry_id: int):
    """One entry (officers, and the listed person or organisation)"""
    return _visible_entry(entry_id)[1]


@blp.route(f"/entries/<{ID}:entry_id>/revoke", methods=["POST"], permission="integrity.revoke_entry")
@blp.arguments(RevokeSchema)
@blp.response(200, EntrySchema)
def revoke(data, entry_id: int):
    """Revoke an entry, with the reason"""
    user = require_permission("integrity.revoke_entry")
    entry = services.revoke_entry(_get(entry_id), actor=user, reason=data["reason"])
    db.session.commit()
    return entry


add_history(blp, IntegrityEntry, load_entry, path="/entries")


# objections to entries ------------------------------------------------------------

OBJECTION_STATES = [s.value for s in ObjectionState]


class ObjectionFileSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(attribute="original_name", required=True)
    size = ma.fields.Integer(required=True, metadata={"description": "Bytes"})
    sha256 = ma.fields.String(required=True)


class IntegrityObjectionSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    entry_id = ma.fields.Integer(required=True)
    state = ma.fields.String(required=True, metadata={"enum": OBJECTION_STATES})
    state_label = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True)
    reasons = ma.fields.String(required=True)
    filed_by = ma.fields.String(attribute="filed_by.display_name", required=True)
    created_at = UtcDateTime(required=True)
    answer = ma.fields.String(allow_none=True, metadata={"description": "The bureau's answer, once decided"})
    decided_at = UtcDateTime(allow_none=True)
    files = ma.fields.List(ma.fields.Nested(ObjectionFileSchema), required=True, metadata={
        "description": "PDFs filed with the objection; download at /integrity/objections/<id>/files/<file_id>"})


class ObjectionInSchema(ApiSchema):
    reasons = ma.fields.String(required=True, metadata={
        "description": "Why the entry is wrong (up to 10,000 characters)"})
    files = ma.fields.List(FileUpload(), metadata={"description": "PDFs, at most 20 MB each"})


class ObjectionFilters(QuerySchema):
    state = ma.fields.String(validate=ma.validate.OneOf(OBJECTION_STATES))


class SubjectRecordSchema(ma.Schema):
    entries = ma.fields.List(ma.fields.Nested(EntrySchema), required=True)
    objections = ma.fields.List(ma.fields.Nested(IntegrityObjectionSchema), required=True)


def load_objection(objection_id: int, user) -> IntegrityObjection | None:
    """Officers, and the subject of the entry objected to; anyone else: not found."""
    user = require_user()
    objection = db.session.get(IntegrityObjection, objection_id)
    return objection if objection is not None and services.can_see_objection(user, objection) else None


def _objection(objection_id: int) -> IntegrityObjection:
    objection = load_objection(objection_id, None)
    if objection is None:
        raise _not_found()
    return objection


@blp.route("/mine", methods=["GET"])
@blp.response(200, SubjectRecordSchema)
def my_record():
    """The entries about me or my organisation, and the objections to them"""
    entries, objections = services.subject_record(require_user())
    return {"entries": entries, "objections": objections}


@blp.route(f"/entries/<{ID}:entry_id>/objections", methods=["GET"])
@blp.response(200, IntegrityObjectionSchema(many=True))
def entry_objections(entry_id: int):
    """The objections to one entry, oldest first (officers and the listed subject)"""
    return services.objections_to(_visible_entry(entry_id)[1])


@blp.route(f"/entries/<{ID}:entry_id>/objections", methods=["POST"])
@body_limit(MAX_OBJECTION_BODY)
@blp.arguments(ObjectionInSchema, location="multipart")
@blp.response(201, IntegrityObjectionSchema)
def file_objection(data, entry_id: int):
    """Object to an entry about me or my organisation, with PDFs if any (one open objection per entry)"""
    user, entry = _visible_entry(entry_id)
    files = [(f.filename, f.stream) for f in data.get("files") or [] if f.filename]
    objection = services.file_objection(entry, actor=user, reasons=data["reasons"], files=files)
    db.session.commit()
    return objection


@blp.route("/objections", methods=["GET"])
@blp.arguments(ObjectionFilters, location="query")
@blp.response(200, IntegrityObjectionSchema(many=True))
@blp.paginate(SelectPage)
def list_objections(filters):
    """Objections to entries, newest first (the bureau)"""
    require_permission("integrity.view_lists")
    return services.objections_query(filters.get("state")).options(selectinload(IntegrityObjection.files))


@blp.route(f"/objections/<{ID}:objection_id>", methods=["GET"])
@blp.response(200, IntegrityObjectionSchema)
def get_objection(objection_id: int):
    """One objection, with the answer once decided (officers and the listed subject)"""
    return _objection(objection_id)


@blp.route(f"/objections/<{ID}:objection_id>/files/<{ID}:file_id>", methods=["GET"])
@blp.response(200, {"type": "string", "format": "binary"}, content_type="application/pdf")
def objection_file(objection_id: int, file_id: int):
    """Download a PDF filed with an objection"""
    found = services.objection_file(_objection(objection_id), file_id)
    if found is None:
        raise _not_found()
    return services.send_objection_file(found)


add_transitions(blp, IntegrityObjection, load_objection, path="/objections")
add_history(blp, IntegrityObjection, load_objection, path="/objections")
