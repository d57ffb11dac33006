"""API errors: every failure under /api/ answers in one JSON shape.

``{"error": {"code": ..., "message": ..., "details": ...}}`` (see
:func:`grants.core.errors.json_error`). Domain errors raised by services
(ValidationFailed 422, Refused 409, Forbidden 403, ChangedUnderYou 409,
NotFound 404) and the errors below go through the application's one
DomainError handler; HTTP errors under /api/ are turned into the same shape.
Request bodies and query strings are parsed by :class:`ApiParser`, which
reports marshmallow's complaints per field, in the user's language.
"""
from __future__ import annotations

import re

from flask import Flask, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import CombinedMultiDict
from werkzeug.exceptions import HTTPException
from webargs.flaskparser import FlaskParser

from grants.core.errors import DomainError, ValidationFailed, json_error


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class MalformedRequest(DomainError):
    status = 400
    code = "bad_request"


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"


# marshmallow's fixed messages, in the user's language.
FIELD_MESSAGES = {
    "Unknown field.": _l("is not a known field"),
    "Missing data for required field.": _l("is required"),
    "Field may not be null.": _l("may not be null"),
    "Not a valid string.": _l("must be a string"),
    "Not a valid integer.": _l("must be an integer"),
    "Not a valid number.": _l("must be a number"),
    "Not a valid boolean.": _l("must be true or false"),
    "Not a valid date.": _l("must be a date (YYYY-MM-DD)"),
    "Not a valid datetime.": _l("must be a date and time (ISO 8601)"),
    "Invalid input type.": _l("must be a JSON object"),
    "Invalid value.": _l("is not valid"),
    "Not a valid file.": _l("must be a file"),
}


ONE_OF = re.compile(r"Must be one of: (.*)\.")
RANGE = re.compile(r"Must be greater than or equal to (-?\d+)(?: and less than or equal to (-?\d+))?\.")


def _field_message(messages) -> str:
    if isinstance(messages, (list, tuple)):
        return "; ".join(_field_message(m) for m in messages)
    if isinstance(messages, dict):
        return "; ".join(f"{k}: {_field_message(v)}" for k, v in messages.items())
    text = str(messages)
    if text in FIELD_MESSAGES:
        return str(FIELD_MESSAGES[text])
    match = ONE_OF.fullmatch(text)
    if match:
        return _("must be one of: %(values)s", values=match.group(1))
    match = RANGE.fullmatch(text)
    if match and match.group(2):
        return _("must be between %(low)s and %(high)s", low=match.group(1), high=match.group(2))
    if match:
        return _("must be at least %(low)s", low=match.group(1))
    return text


def field_details(messages: dict) -> dict[str, str]:
    """``{"json": {"code": ["Not a valid string."]}}`` -> ``{"code": "须为字符串"}``."""
    details: dict[str, str] = {}
    for location, fields in messages.items():
        if not isinstance(fields, dict):  # e.g. a body that is not an object
            details["_schema" if location == "json" else location] = _field_message(fields)
            continue
        for name, problem in fields.items():
            details[str(name)] = _field_message(problem)
    return details


class ApiParser(FlaskParser):
    """Parses API input; a bad input is a DomainError that names the fields."""

    DEFAULT_VALIDATION_STATUS = 422
    # "multipart": a multipart/form-data body of text fields and files together.
    __location_map__ = dict(multipart="load_multipart", **FlaskParser.__location_map__)

    def load_multipart(self, req, schema):
        return self._makeproxy(CombinedMultiDict([req.form, req.files]), schema)

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        messages = error.normalized_messages()
        if not isinstance(messages, dict) or not messages or not all(
                isinstance(v, (dict, list)) for v in messages.values()):
            messages = {"json": messages}
        details = field_details(messages)
        raise ValidationFailed(
            _("Some fields are not valid: %(fields)s", fields=", ".join(sorted(details))),
            details=details)

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        raise MalformedRequest(_("The request body is not valid JSON."))


def init_errors(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def api_http_error(err: HTTPException):
        # Pages keep Werkzeug's answer for the codes they do not handle.
        if not request.path.startswith("/api/"):
            return err
        return json_error(err.code or 500, _("The request could not be completed: %(reason)s.",
                                              reason=err.name))

    @app.after_request
    def ask_for_a_token(response):
        if response.status_code == 401 and request.path.startswith("/api/"):
            response.headers.setdefault("WWW-Authenticate", 'Bearer realm="api"')
        return response
