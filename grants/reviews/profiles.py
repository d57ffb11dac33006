"""The expert pool: reviewer profiles, their fields of expertise, and who sees them."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from grants.auth.models import User
from grants.core import audit
from grants.core.errors import Forbidden, ValidationFailed
from grants.core.permissions import Role, can, has_role
from grants.core.search import contains
from grants.extensions import db
from grants.reviews.models import ChallengeField, ReviewerExpertise, ReviewerProfile


def profile_of(user: User) -> ReviewerProfile | None:
    return db.session.scalar(sa.select(ReviewerProfile).where(ReviewerProfile.user_id == user.id))


def _check_fields(fields) -> list[ChallengeField]:
    chosen = []
    for value in fields or ():
        try:
            field = ChallengeField(value)
        except ValueError:
            message = _("Unknown field of expertise: %(value)s", value=value)
            raise ValidationFailed(message, details={"fields": message}) from None
        if field not in chosen:
            chosen.append(field)
    if not chosen:
        message = _("Choose at least one field of expertise.")
        raise ValidationFailed(message, details={"fields": message})
    return chosen


def can_see_profile(user, profile: ReviewerProfile) -> bool:
    """The bureau sees the whole pool; an expert their own profile."""
    return can("reviews.see_profile", profile, user)


def reviewer_profile(reviewer_id: int) -> ReviewerProfile | None:
    """The profile of the reviewer account ``reviewer_id``, if it has one."""
    return db.session.scalar(sa.select(ReviewerProfile).where(ReviewerProfile.user_id == reviewer_id))


def save_reviewer_profile(user: User, *, fields, title: str = "", available: bool = True,
                          actor=None) -> ReviewerProfile:
    """Create or update the profile of a reviewer account: by the expert themself,
    or by the system (``actor`` None: an administrator's command, demo data)."""
    if actor is not None and actor.id != user.id:
        raise Forbidden(_("Only the expert may change their own expert profile."))
    if not has_role(user, Role.EXPERTS):
        raise ValidationFailed(_("Only expert reviewer accounts have a reviewer profile."))
    chosen = _check_fields(fields)
    title = (title or "").strip()
    if len(title) > 100:
        message = _("The professional title is longer than 100 characters.")
        raise ValidationFailed(message, details={"title": message})
    profile = profile_of(user)
    created = profile is None
    if created:
        profile = ReviewerProfile(user=user, user_id=user.id)
        db.session.add(profile)
    before = {"title": profile.title, "available": profile.available, "fields": profile.fields}
    profile.title = title
    profile.available = bool(available)
    keep = {e.field: e for e in profile.expertise}
    profile.expertise = [keep.get(f) or ReviewerExpertise(field=f) for f in chosen]
    db.session.flush()
    after = {"title": profile.title, "available": profile.available, "fields": [str(f) for f in chosen]}
    audit.record(profile, "create" if created else "update", actor=actor,
                 evidence={"before": None if created else before, "after": after})
    return profile


def reviewer_pool_query(*, field: str | None = None, q: str | None = None, available_only: bool = False):
    """Profiles of active reviewer accounts, optionally in one field."""
    query = (sa.select(ReviewerProfile).join(ReviewerProfile.user)
             .where(User.role.in_(Role.EXPERTS), User.active).order_by(User.display_name, ReviewerProfile.id))
    if field:
        query = query.where(ReviewerProfile.id.in_(
            sa.select(ReviewerExpertise.profile_id).where(ReviewerExpertise.field == field)))
    if q:
        query = query.where(sa.or_(contains(User.display_name, q), contains(ReviewerProfile.title, q)))
    if available_only:
        query = query.where(ReviewerProfile.available)
    return query
