"""Domain errors that carry a message for the user."""
from __future__ import annotations


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


class NotFound(DomainError):
    status = 404
    code = "not_found"
