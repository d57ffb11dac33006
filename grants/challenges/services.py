"""Challenge operations shared by the pages, the CLI and the API.

They validate, change the session and write audit events; they flush but
never commit. State changes go through ``grants.core.workflow.fire``.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from grants.challenges.models import (BOARD_OPEN_FIRST, DEFAULT_RUBRIC, PUBLIC_STATES, Challenge, ChallengeAttachment,
                                      ChallengeField, ChallengeIndicator, ChallengeState, RubricCriterion)
from grants.core import attachments, audit, clock
from grants.core.models import AuditEvent
from grants.core.errors import ChangedUnderYou, Forbidden, Refused, ValidationFailed
from grants.challenges import permissions
from grants.core.permissions import can, require
from grants.core.registry import tick_job
from grants.core.validation import (Errors, FieldSpec, clean_fields, flag, optional_text, saving_edit, whole,
                                    whole_number)
from grants.core.workflow import check_version, fire
from grants.core.search import contains
from grants.extensions import db

EDITABLE = ("title", "field", "problem", "budget_fen", "enterprise_cofunding_fen", "max_winners",
            "pass_mark", "deadline_at", "duration_months", "blind_review", "notice_days")


# who sees what -------------------------------------------------------------------

def is_owner(challenge: Challenge, user) -> bool:
    """A user of the enterprise that posted the challenge."""
    return permissions.is_owner(user, challenge)


def can_see(challenge: Challenge, user) -> bool:
    """``challenges.see``: the public once published; its owner and the bureau always."""
    return permissions.can_see(user, challenge) is None


def can_see_history(challenge: Challenge, user) -> bool:
    return permissions.can_see_history(user, challenge) is None


def visible_challenge(challenge_id: int, user) -> Challenge | None:
    """The challenge if ``user`` may see it, else None."""
    challenge = db.session.get(Challenge, challenge_id)
    return challenge if challenge is not None and can_see(challenge, user) else None


def view_challenge(challenge_id: int, user) -> Challenge | None:
    """What a challenge's page and the API's ``GET`` show: :func:`visible_challenge`, and
    for the bureau as the clock has it: a published challenge past its deadline is closed
    on the way, by the clock as the tick would. That is the clock's own change, committed
    at once, before the request does anything else."""
    challenge = visible_challenge(challenge_id, user)
    if challenge is not None and can("challenges.oversee", user=user) and close_if_due(challenge):
        db.session.commit()
    return challenge


def visible_clause(user):
    """Challenges listed for ``user``: the public board's states; an enterprise's own
    challenges in any state; everything for the bureau. ``None``: the public."""
    if can("challenges.oversee", user=user):
        return sa.true()
    public = Challenge.state.in_(PUBLIC_STATES)
    if can("challenges.create", user=user):  # an enterprise: its own in any state
        return sa.or_(public, Challenge.owner_org_id == user.organization_id)
    return public


# The bid states that count as "bids so far": set by the bids area, which owns the
# bids table and its states (drafts and withdrawn bids do not count); no import the other way.
COUNTED_BID_STATES: tuple[str, ...] = ()


def attach_bid_counts(challenges):
    """Set ``bid_count`` on a page of challenges, in one grouped query over their bids only
    (from the index ``ix_bids_challenge_state``). Counting every bid in the database, or a
    count per row evaluated for each row an OFFSET skips, grew with the whole database."""
    challenges = list(challenges)
    ids = [c.id for c in challenges]
    bids = db.metadata.tables["bids"]
    counts = dict(db.session.execute(
        sa.select(bids.c.challenge_id, sa.func.count()).where(
            bids.c.challenge_id.in_(ids), bids.c.state.in_(COUNTED_BID_STATES))
        .group_by(bids.c.challenge_id)).all()) if ids else {}
    for challenge in challenges:
        set_committed_value(challenge, "bid_count", counts.get(challenge.id, 0))
    return challenges


def bid_count(challenge: Challenge) -> int:
    bids = db.metadata.tables["bids"]
    return db.session.scalar(sa.select(sa.func.count()).select_from(bids).where(
        bids.c.challenge_id == challenge.id, bids.c.state.in_(COUNTED_BID_STATES))) or 0


BOARD_SORTS = ("deadline", "budget")


def search_challenges(viewer=None, *, q: str = "", field: str | None = None, status: str | None = None,
                      sort: str = "deadline"):
    """The board's query (``viewer`` None): filtered by state, field and up to
    five words of text, open challenges first by nearest deadline, or by budget. Each order
    is an index's (``ix_challenges_board``, ``ix_challenges_budget``), so a deep page skips
    index entries instead of sorting every row. The page's bid counts: :func:`attach_bid_counts`."""
    # Lists never show the problem text: leaving it out keeps the rows narrow.
    query = sa.select(Challenge).options(sa.orm.defer(Challenge.problem)).where(visible_clause(viewer))
    if status:
        query = query.where(Challenge.state == status)
    if field:
        query = query.where(Challenge.field == field)
    for word in (q or "").split()[:5]:
        query = query.where(sa.or_(contains(Challenge.title, word), contains(Challenge.problem, word)))
    if sort == "budget":
        query = query.order_by(Challenge.budget_fen.desc(), Challenge.id.desc())
    else:
        # Open challenges first, the nearest deadline first.
        query = query.order_by(BOARD_OPEN_FIRST, Challenge.deadline_at, Challenge.id)
    return query


# drafting ----------------------------------------------------------------------

def _clean_title(errors, data, key, now) -> str:
    title = (data.get(key) or "").strip()
    if not title:
        errors.add(key, _("Title is required."))
    elif len(title) > 200:
        errors.add(key, _("Title is longer than 200 characters."))
    return title


def _clean_field(errors, data, key, now):
    value = data.get(key) or None
    if value is None:
        return None
    try:
        return ChallengeField(value)
    except ValueError:
        errors.add(key, _("Choose a field from the list."))
        return value


def _clean_deadline(errors, data, key, now):
    deadline = data.get(key)
    if deadline is not None and not isinstance(deadline, datetime):
        errors.add(key, _("Bidding deadline is not a date and time."))
    elif deadline is not None and deadline <= now:
        errors.add(key, _("The bidding deadline must be in the future."))
    return deadline


def _clean_indicators(errors, data, key, now) -> list[dict]:
    rows = []
    for i, row in enumerate(data.get(key) or [], start=1):
        name = (row.get("name") or "").strip()
        target = str(row.get("target_value") or "").strip()
        if not name or not target:
            errors.add(key, _("Indicator %(n)s needs a name and a target value.", n=i))
            continue
        if len(name) > 200 or len(target) > 100 or len(row.get("unit") or "") > 50:
            errors.add(key, _("Indicator %(n)s is too long.", n=i))
            continue
        rows.append({"name": name, "target_value": target, "unit": (row.get("unit") or "").strip(),
                     "binding": bool(row.get("binding"))})
    return rows


def _clean_rubric(errors, data, key, now) -> list[dict]:
    rows = []
    for i, row in enumerate(data.get(key) or [], start=1):
        name = (row.get("name") or "").strip()
        weight = whole_number(errors, row, "weight", _l("Weight of criterion %(n)s", n=i), low=1, high=100)
        if not name or weight is None:
            errors.add(key, _("Criterion %(n)s needs a name and a weight from 1 to 100.", n=i))
            continue
        rows.append({"name": name[:200], "weight": weight})
    total = sum(r["weight"] for r in rows)
    if key not in errors.details and total != 100:
        errors.add(key, _("The rubric weights add up to %(total)s, not 100.", total=total))
    return rows


# A draft's fields, in the order their problems are listed.
CHALLENGE_FIELDS: dict[str, FieldSpec] = {
    "title": _clean_title,
    "field": _clean_field,
    "problem": optional_text,
    "budget_fen": whole(_l("Budget offered"), low=1),
    "enterprise_cofunding_fen": whole(_l("Enterprise co-funding"), low=0),
    "max_winners": whole(_l("Maximum number of winners"), low=1, high=20, required=True),
    "pass_mark": whole(_l("Pass mark"), low=0, high=100, required=True),
    "duration_months": whole(_l("Project duration"), low=1, high=120),
    "notice_days": whole(_l("Notice period"), low=1, high=60, required=True),
    "blind_review": flag,
    "deadline_at": _clean_deadline,
    "indicators": _clean_indicators,
    "rubric": _clean_rubric,
}


def clean_challenge(data: dict, *, now: datetime) -> dict:
    """Check a (possibly partial) draft; return cleaned columns and child rows."""
    errors = Errors()
    out = clean_fields(CHALLENGE_FIELDS, data, errors, now)
    errors.raise_if_any()
    return out


def _apply(challenge: Challenge, values: dict) -> None:
    for key in EDITABLE:
        if key in values:
            setattr(challenge, key, values[key])
    if "indicators" in values:
        challenge.indicators = [ChallengeIndicator(position=i, **row)
                                for i, row in enumerate(values["indicators"])]
    if "rubric" in values:
        challenge.rubric = [RubricCriterion(position=i, **row) for i, row in enumerate(values["rubric"])]


def _changes(values: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in values.items()}


def create_challenge(*, actor, data: dict, owner_org=None) -> Challenge:
    """A new draft owned by the actor's organisation (an enterprise)."""
    owner_org = owner_org or getattr(actor, "organization", None)
    require("challenges.create", actor)
    if owner_org is None or owner_org.id != actor.organization_id:
        raise Forbidden(_("Only an enterprise account posts challenges, for its own organisation."))
    data = dict(data)
    data.setdefault("title", "")
    if not data.get("rubric"):
        data["rubric"] = [{"name": str(name), "weight": weight} for name, weight in DEFAULT_RUBRIC]
    values = clean_challenge(data, now=clock.now())
    challenge = Challenge(owner_org=owner_org, created_by_id=actor.id, state=ChallengeState.draft)
    _apply(challenge, values)
    db.session.add(challenge)
    db.session.flush()
    audit.record(challenge, "create", actor=actor, evidence=_changes(values))
    return challenge


def return_notes(challenges) -> dict:
    """{challenge id: the audit event that returned it for revision}, for drafts whose latest
    hand-over was a return: the officer's comment says what to change. One query."""
    ids = [c.id for c in challenges if c.state == ChallengeState.draft]
    if not ids:
        return {}
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_type == Challenge.__audit_type__, AuditEvent.object_id.in_(ids),
        AuditEvent.action.in_(("submit", "return_for_revision"))).order_by(AuditEvent.id)).all()
    latest = {event.object_id: event for event in events}
    return {cid: event for cid, event in latest.items() if event.action == "return_for_revision"}


def return_note(challenge: Challenge):
    return return_notes([challenge]).get(challenge.id)


def can_edit(challenge: Challenge, user) -> bool:
    """``challenges.edit``, while the challenge is a draft."""
    return can("challenges.edit", challenge, user) and challenge.state == ChallengeState.draft


def update_challenge(challenge: Challenge, *, actor, data: dict,
                     expected_version: int | None = None) -> Challenge:
    """Save (part of) a draft; only the owner edits, only while it is a draft."""
    if not can_edit(challenge, actor):
        if challenge.state != ChallengeState.draft:
            raise Refused(_("Only a draft can be edited; this challenge is %(state)s.",
                            state=challenge.__workflow__.state_label(challenge.state)))
        require("challenges.edit", actor, challenge)
    check_version(challenge, expected_version)
    values = clean_challenge(data, now=clock.now())
    with saving_edit():
        _apply(challenge, values)
    audit.record(challenge, "update", actor=actor, evidence=_changes(values))
    return challenge


def set_cofunding_ratio(challenge: Challenge, *, actor, own: int | None, public: int | None) -> Challenge:
    """Officer override of the bid co-funding ratio; None, None = the default."""
    require("challenges.set_cofunding_ratio", actor, challenge)
    if challenge.state not in (ChallengeState.draft, ChallengeState.submitted):
        raise Refused(_("The co-funding ratio can only be changed before publication."))
    if (own is None) != (public is None) or (own is not None and (own < 1 or public < 1)):
        message = _("Give both parts of the ratio as whole numbers of at least 1, or neither.")
        raise ValidationFailed(message, details={"cofund_own": message})
    challenge.cofund_own, challenge.cofund_public = own, public
    db.session.flush()
    audit.record(challenge, "set_cofunding_ratio", actor=actor, evidence={"own": own, "public": public})
    return challenge


def add_attachment(challenge: Challenge, *, actor, stream, filename: str) -> ChallengeAttachment:
    if not can_edit(challenge, actor):
        raise Refused(_("Attachments can only be added to a draft, by its owner."))
    return attachments.attach_pdf(challenge, actor=actor, stream=stream, filename=filename)


def close_if_due(challenge: Challenge) -> bool:
    """Close bidding on a published challenge whose deadline has passed (the clock acts)."""
    if challenge.state == ChallengeState.published and challenge.deadline_at is not None \
            and challenge.deadline_at <= clock.now():
        try:
            with db.session.begin_nested():
                fire(challenge, "close_bidding", None)
        except ChangedUnderYou:
            # Someone (an officer's page view, the tick) closed it a moment ago.
            db.session.refresh(challenge)
            return False
        return True
    return False


@tick_job("close_bidding")
def close_due_challenges() -> int:
    due = db.session.scalars(
        sa.select(Challenge).where(Challenge.state == ChallengeState.published,
                                   Challenge.deadline_at <= clock.now()).order_by(Challenge.id)
    ).all()
    return sum(1 for challenge in due if close_if_due(challenge))


# work queues and figures ---------------------------------------------------------

def count_by_state(owner_org_id: int | None = None) -> dict[ChallengeState, int]:
    """How many challenges are in each state: one organisation's, or all of them. One query."""
    query = sa.select(Challenge.state, sa.func.count()).group_by(Challenge.state)
    if owner_org_id is not None:
        query = query.where(Challenge.owner_org_id == owner_org_id)
    return {ChallengeState(state): n for state, n in db.session.execute(query)}


def count_returned_drafts(owner_org_id: int) -> int:
    """Drafts of the organisation whose latest hand-over was a return for revision. One query."""
    latest = (sa.select(sa.func.max(AuditEvent.id)).where(
        AuditEvent.object_type == Challenge.__audit_type__, AuditEvent.object_id == Challenge.id,
        AuditEvent.action.in_(("submit", "return_for_revision"))).correlate(Challenge).scalar_subquery())
    returned = sa.select(AuditEvent.action).where(AuditEvent.id == latest).scalar_subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Challenge).where(
        Challenge.owner_org_id == owner_org_id, Challenge.state == ChallengeState.draft,
        returned == "return_for_revision")) or 0


def count_by_field(states=None) -> dict[ChallengeField | None, int]:
    """How many challenges are in each field (``states``: only those). One query."""
    query = sa.select(Challenge.field, sa.func.count()).group_by(Challenge.field)
    if states is not None:
        query = query.where(Challenge.state.in_(states))
    return {ChallengeField(f) if f else None: n for f, n in db.session.execute(query)}


def count_published() -> int:
    """Challenges ever published (on the public board in any state). One query."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Challenge).where(
        Challenge.state.in_(PUBLIC_STATES))) or 0
