"""Schemas shared by every part of the API."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import timezone

import marshmallow as ma
from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_smorest.fields import Upload
from werkzeug.datastructures import FileStorage

from grants.core.security import has_control_characters


# Record ids are 32-bit integers in the database; a larger number names no record.
MAX_ID = 2**31 - 1


def IdField(**kwargs) -> ma.fields.Integer:
    """The id of a record, given in a body or a query string."""
    return ma.fields.Integer(validate=ma.validate.Range(min=1, max=MAX_ID), **kwargs)


class EvidenceField(ma.fields.Dict):
    """An audit event's evidence as the caller may see it (personal ID numbers
    masked for anyone but the bureau: :func:`grants.core.evidence.shown_evidence`)."""

    def _serialize(self, value, attr, obj, **kwargs):
        from grants.core.evidence import shown_evidence

        return super()._serialize(shown_evidence(value), attr, obj, **kwargs)


class UtcDateTime(ma.fields.DateTime):
    """A stored naive-UTC datetime, written with its offset (``...+00:00``)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return super()._serialize(value, attr, obj, **kwargs)


def _unsafe_text(value: str) -> bool:
    if has_control_characters(value):  # NUL, escape sequences, bells ...: never wanted in text
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        return True
    return False


class AttachmentSchema(ma.Schema):
    """A stored PDF of a challenge or a bid, with where to download it."""

    id = ma.fields.Integer(required=True)
    original_filename = ma.fields.String(required=True)
    size = ma.fields.Integer(required=True)
    sha256 = ma.fields.String(required=True)
    uploaded_at = UtcDateTime(required=True)
    download_url = ma.fields.Method("_url", required=True, metadata={"type": "string"})

    def _url(self, attachment) -> str:
        return url_for(attachment.download_endpoint, **attachment.download_args)
class FileUpload(Upload):
    """An uploaded file; in a multipart body mixing text and files, a text value is refused."""

    default_error_messages = {"invalid": "Not a valid file."}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, FileStorage):
            raise self.make_error("invalid")
        return value


class ApiSchema(ma.Schema):
    """Base of request and response schemas: unknown fields are refused, and so is
    text no database can store or a screen should not show (control characters other
    than tab and line breaks, lone surrogates)."""

    class Meta:
        unknown = ma.RAISE

    @ma.pre_load
    def _refuse_unstorable_text(self, data, **kwargs):
        if isinstance(data, Mapping):  # a JSON object, or webargs' view of a query string
            bad = {}
            for key in data:
                value = data[key]
                values = value if isinstance(value, (list, tuple)) else [value]
                if any(isinstance(v, str) and _unsafe_text(v) for v in values):
                    bad[str(key)] = [str(_l("contains characters that are not allowed"))]
            if bad:
                raise ma.ValidationError(bad)
        return data


class QuerySchema(ApiSchema):
    """Filters in the query string; paging parameters are read separately."""

    class Meta:
        unknown = ma.EXCLUDE


class ErrorDetailSchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={
        "description": "Stable machine-readable code: validation_failed, refused, forbidden, "
                       "not_found, unauthorized, conflict, payload_too_large, bad_request, ..."})
    message = ma.fields.String(required=True, metadata={"description": "For people, in the requested language."})
    details = ma.fields.Dict(required=True, metadata={
        "description": "Per-field messages for validation errors; evidence for refusals."})


class ErrorSchema(ma.Schema):
    error = ma.fields.Nested(ErrorDetailSchema, required=True)


class OrganizationRefSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    kind = ma.fields.String(required=True)
    credit_code = ma.fields.String(required=True)


class EventSchema(ma.Schema):
    """One audit event (what happened to an object, who did it, when)."""

    id = ma.fields.Integer(required=True)
    object_type = ma.fields.String(required=True)
    object_id = ma.fields.Integer(required=True)
    action = ma.fields.String(required=True)
    from_state = ma.fields.String(allow_none=True)
    to_state = ma.fields.String(allow_none=True)
    actor_id = ma.fields.Integer(allow_none=True)
    actor = ma.fields.String(attribute="actor_label", required=True)
    at = UtcDateTime(required=True)
    comment = ma.fields.String(allow_none=True)
    evidence = EvidenceField(allow_none=True, metadata={
        "description": "What the rules looked at; personal ID numbers masked except for the bureau."})
    hash = ma.fields.String(required=True)


class TransitionRequestSchema(ApiSchema):
    comment = ma.fields.String(allow_none=True, metadata={"description": "Reason or note; some actions require one."})
    version = ma.fields.Integer(allow_none=True, metadata={
        "description": "The version you last saw; if the object changed since, the answer is 409 conflict."})


class AvailableTransitionSchema(ma.Schema):
    name = ma.fields.String(required=True)
    label = ma.fields.String(required=True, metadata={"description": "In the requested language"})
    comment_required = ma.fields.Boolean(required=True)


class TransitionResultSchema(ma.Schema):
    state = ma.fields.String(required=True)
    version = ma.fields.Integer(allow_none=True)
    event = ma.fields.Nested(EventSchema, required=True)
