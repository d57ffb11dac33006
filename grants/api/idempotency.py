"""``Idempotency-Key`` on the API's POST operations (creations and transitions).

A client that lost the answer to a POST (a timeout, a dropped connection) sends
it again with the same ``Idempotency-Key`` header: if the first one succeeded,
the retry gets the first answer (header ``Idempotent-Replayed: true``) and
nothing is created twice. The same key with another method, path or body is
refused (422); a retry while the first request still runs gets 409. Keys are
kept per token; a request without a token, or an answer that was not a success,
keeps nothing, so such a request may simply be retried.
"""
from __future__ import annotations

import hashlib
from datetime import timedelta

import sqlalchemy as sa
from flask import Response, g, request
from flask_babel import gettext as _

from grants.api.models import IdempotencyKey
from grants.core import clock
from grants.core.errors import ChangedUnderYou, ValidationFailed
from grants.extensions import db

HEADER = "Idempotency-Key"
MAX_KEY = 255
# How long a key is remembered; older ones are removed as new ones come in.
KEPT_FOR = timedelta(days=1)


def _fingerprint() -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _problem(message) -> ValidationFailed:
    return ValidationFailed(message, details={HEADER: message})


def replay_or_claim():
    """before_request for /api/ (after the caller is known): answer a repeated key
    from the table, or claim the key for this request."""
    key = request.headers.get(HEADER)
    token = g.get("api_token")
    if key is None or request.method != "POST" or token is None or not request.path.startswith("/api/"):
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY or not key.isprintable() or not key.isascii():
        raise _problem(_("The Idempotency-Key header must be 1 to %(n)s visible ASCII characters.", n=MAX_KEY))
    fingerprint = _fingerprint()
    db.session.execute(sa.delete(IdempotencyKey).where(IdempotencyKey.created_at < clock.now() - KEPT_FOR))
    earlier = db.session.scalar(sa.select(IdempotencyKey).where(
        IdempotencyKey.token_id == token.id, IdempotencyKey.key == key))
    if earlier is None:
        claim = IdempotencyKey(token_id=token.id, key=key, request_hash=fingerprint, created_at=clock.now())
        db.session.add(claim)
        try:
            db.session.commit()  # claimed before the work starts: a parallel retry sees it
        except sa.exc.IntegrityError:
            db.session.rollback()
            raise ChangedUnderYou(_("A request with this Idempotency-Key is still running; "
                                    "try again in a moment.")) from None
        g.idempotency_claim_id = claim.id
        return None
    db.session.commit()
    if earlier.request_hash != fingerprint:
        raise _problem(_("This Idempotency-Key was already used with a different request. "
                         "Use a new key for a new request."))
    if earlier.status is None:
        raise ChangedUnderYou(_("A request with this Idempotency-Key is still running; "
                                "try again in a moment."))
    response = Response(earlier.body, status=earlier.status, content_type=earlier.content_type)
    response.headers["Idempotent-Replayed"] = "true"
    return response


def remember_answer(response):
    """after_request: keep a success as the key's answer; after anything else give
    the key up, so the client may retry."""
    claim_id = g.pop("idempotency_claim_id", None)
    if claim_id is None:
        return response
    db.session.rollback()  # whatever the request left unfinished
    claim = db.session.get(IdempotencyKey, claim_id)
    if claim is not None:
        if 200 <= response.status_code < 300 and response.is_json and not response.direct_passthrough:
            claim.status = response.status_code
            claim.content_type = response.content_type
            claim.body = response.get_data(as_text=True)
        else:
            db.session.delete(claim)
        db.session.commit()
    return response



