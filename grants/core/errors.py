"""Domain errors that carry a message for the user."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

# What a user is told who lost a race: someone saved the same record first.
CHANGED_MESSAGE = _l("Someone else changed this record while you were working on it. "
                     "Reload the page to see the current version, then try again.")


class DomainError(Exception):
    """A refusal with a message in the user's language."""

    status = 400
    code = "bad_request"

    def __init__(self, message, *, details=None):
        super().__init__(str(message))
        self.message = message
        self.details = details or {}

    def __str__(self) -> str:  # lazy strings render in the current locale
        return str(self.message)


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"


class Refused(DomainError):
    """A guard said no: the rule and the reason are in the message."""

    status = 409
    code = "refused"


class Forbidden(DomainError):
    """The actor's role or relation to the object does not allow the action."""

    status = 403
    code = "forbidden"


class ChangedUnderYou(DomainError):
    """Optimistic concurrency: someone else changed the object first."""

    status = 409
    code = "conflict"

    def __init__(self, message=CHANGED_MESSAGE, *, details=None):
        super().__init__(message, details=details)


class NotFound(DomainError):
    status = 404
    code = "not_found"


# The JSON error shape of everything under /api/:
#   {"error": {"code": "<stable string>", "message": "<in the user's language>", "details": {...}}}
HTTP_ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "too_many_requests",
    500: "server_error",
}


def error_body(code: str, message, details=None) -> dict:
    return {"error": {"code": code, "message": str(message),
                      "details": {k: _plain(v) for k, v in (details or {}).items()}}}


def _plain(value):
    """Lazy strings and nested messages as JSON-ready values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)


def json_error(status: int, message, *, code: str | None = None, details=None, headers=None):
    """A Flask response carrying the API error shape."""
    from flask import jsonify

    response = jsonify(error_body(code or HTTP_ERROR_CODES.get(status, "error"), message, details))
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
