"""``/api/v1/integrity/entries``: the red and black lists, for officers."""
from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _

from grants.api.auth import require_role
from grants.api.base import ID, SelectPage, add_history, api_blueprint
from grants.api.schemas import ApiSchema, QuerySchema, UtcDateTime
from grants.core import clock
from grants.core.errors import NotFound
from grants.extensions import db
from grants.integrity import services
from grants.integrity.models import EntryStatus, IntegrityEntry, ListKind, SubjectType

OFFICERS = ("officer", "admin")

blp = api_blueprint("integrity", __name__, "/integrity",
                    description="Research-integrity red and black list entries (officers only).")


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
    """Officers see every entry; anyone else is refused (401/403) before looking."""
    require_role(*OFFICERS)
    return db.session.get(IntegrityEntry, entry_id)


def _get(entry_id: int) -> IntegrityEntry:
    entry = db.session.get(IntegrityEntry, entry_id)
    if entry is None:
        raise NotFound(_("There is no such record, or it is not visible to you."))
    return entry


@blp.route("/entries", methods=["GET"])
@blp.arguments(EntryFilters, location="query")
@blp.response(200, EntrySchema(many=True))
@blp.paginate(SelectPage)
def list_entries(filters):
    """List entries, newest first"""
    require_role(*OFFICERS)
    return services.search_entries(q=filters.get("q", ""), code=filters.get("code"),
                                   list_kind=filters.get("list"), status=filters.get("status"))


@blp.route("/entries", methods=["POST"])
@blp.arguments(EntryCreateSchema)
@blp.response(201, EntrySchema)
def create_entry(data):
    """Add an entry (a black entry in force applies its effects at once)"""
    user = require_role(*OFFICERS)
    entry = services.add_entry(actor=user, list_kind=data["list"], subject_type=data["subject_type"],
                               code=data["code"], name=data["name"], reason=data["reason"],
                               basis=data["basis"], authority=data["authority"],
                               start_on=data["start_on"], end_on=data.get("end_on"), source="api")
    db.session.commit()
    return entry


@blp.route(f"/entries/<{ID}:entry_id>", methods=["GET"])
@blp.response(200, EntrySchema)
def get_entry(entry_id: int):
    """One entry"""
    require_role(*OFFICERS)
    return _get(entry_id)


@blp.route(f"/entries/<{ID}:entry_id>/revoke", methods=["POST"])
@blp.arguments(RevokeSchema)
@blp.response(200, EntrySchema)
def revoke(data, entry_id: int):
    """Revoke an entry, with the reason"""
    user = require_role(*OFFICERS)
    entry = services.revoke_entry(_get(entry_id), actor=user, reason=data["reason"])
    db.session.commit()
    return entry


add_history(blp, IntegrityEntry, load_entry, path="/entries")
