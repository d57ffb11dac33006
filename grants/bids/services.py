"""Bid operations shared by the pages, the CLI and the API.

They validate, change the session and write audit events; they flush but
never commit. State changes go through ``grants.core.workflow.fire``.
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm  # noqa: F401  (sa.orm.selectinload)
from sqlalchemy.exc import IntegrityError
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from grants.auth.models import Organization
from grants.auth.services import active_users, ensure_person, organization_by_code
from grants.bids import permissions, rules
from grants.bids.permissions import (HIDDEN_FROM_OWNER, PARTNERS, is_team, owner_sees_bids,  # noqa: F401
                                    view_of)
from grants.bids.models import (COUNTED_STATES, LIVE_STATES, UNLISTED_STATES, Bid, BidAttachment, BidIndicator,
                                BidMember, BidMilestone, BidPartner, BidState)
from grants.challenges import services as challenge_services
from grants.challenges.models import Challenge, ChallengeState
from grants.core import attachments, audit, clock
from grants.core.errors import Refused, ValidationFailed
from grants.core.permissions import Role, can, has_role, require, signed_in
from grants.core.validation import (Errors, FieldSpec, clean_fields, optional_text, saving_edit, whole,
                                    whole_number)
from grants.core.workflow import check_version
from grants.bids.workflow import BID_WORKFLOW
from grants.extensions import db
from grants.integrity.effects import on_black_entry
from grants.integrity.models import IntegrityEntry, SubjectType
from grants.notifications.services import link_for, notify, settle

# The board counts the bids this area lists.
challenge_services.COUNTED_BID_STATES = tuple(s.value for s in COUNTED_STATES)

MONEY = ("requested_fen", "equipment_fen", "materials_fen", "personnel_fen", "other_fen", "own_cofunding_fen")


# who sees what -------------------------------------------------------------------

def can_view(user, bid: Bid) -> bool:
    """The team and the bureau see a bid; everyone else is told it does not exist."""
    return can("bids.see_full", bid, user)


def is_partner_user(user, bid: Bid) -> BidPartner | None:
    return permissions.partner_of(user, bid)


def listed_bids_query(challenge: Challenge):
    """The bids listed for a challenge (to the bureau and, after closing, to the owner), in order."""
    return (sa.select(Bid).where(Bid.challenge_id == challenge.id, Bid.state.in_(COUNTED_STATES))
            .order_by(Bid.submitted_at, Bid.id))


def listed_bids(challenge: Challenge) -> list[Bid]:
    """The bids shown on a challenge's page to the bureau and, after closing, to the owner."""
    return db.session.scalars(listed_bids_query(challenge)).all()


def partner_invitations(user, *, pending_only: bool = False, limit: int | None = None) -> list[BidPartner]:
    """Bids that name the user's organisation as a partner, newest first; ``pending_only``:
    those still waiting for its confirmation (a draft bid not yet confirmed)."""
    if not has_role(user, PARTNERS) or user.organization_id is None:
        return []
    query = (sa.select(BidPartner).join(BidPartner.bid)
             .where(BidPartner.organization_id == user.organization_id, Bid.state != BidState.withdrawn)
             .options(sa.orm.selectinload(BidPartner.bid).joinedload(Bid.organization),
                      sa.orm.selectinload(BidPartner.bid).joinedload(Bid.challenge))
             .order_by(Bid.updated_at.desc(), Bid.id.desc()).limit(limit))
    if pending_only:
        query = query.where(BidPartner.confirmed.is_(False), Bid.state == BidState.draft)
    return db.session.scalars(query).all()


def visible_clause(user):
    """The SQL form of :func:`view_of` is not None: the bids listed for ``user``."""
    if has_role(user, Role.BUREAU):
        return sa.true()
    if not signed_in(user) or user.organization_id is None:
        return sa.false()
    org = user.organization_id
    clauses = []
    if has_role(user, Role.BIDDERS):
        clauses.append(Bid.organization_id == org)
    if has_role(user, PARTNERS):
        clauses.append(Bid.partners.any(BidPartner.organization_id == org))
    if has_role(user, Role.CHALLENGE_OWNERS):
        clauses.append(sa.and_(Bid.state.notin_(UNLISTED_STATES), Bid.challenge.has(sa.and_(
            Challenge.owner_org_id == org, Challenge.state.notin_(HIDDEN_FROM_OWNER)))))
    return sa.or_(*clauses) if clauses else sa.false()


def live_bid_of(challenge: Challenge, organization_id: int) -> Bid | None:
    return db.session.scalar(sa.select(Bid).where(
        Bid.challenge_id == challenge.id, Bid.organization_id == organization_id,
        Bid.state != BidState.withdrawn))


# drafting ------------------------------------------------------------------------

def create_bid(challenge: Challenge, *, actor, data: dict | None = None) -> Bid:
    """A new draft for the actor's organisation, led by the actor by default."""
    require("bids.create", actor, challenge)
    if not challenge.bidding_open():
        raise Refused(_("The challenge is not open for bids."))
    if live_bid_of(challenge, actor.organization_id):
        raise Refused(_("%(org)s already has a bid for this challenge; an organisation may bid only once.",
                        org=actor.organization.name))
    data = dict(data or {})
    data.setdefault("title", challenge.title)
    bid = Bid(challenge=challenge, organization=actor.organization, created_by_id=actor.id,
              state=BidState.draft, lead=actor.person, title="")
    _apply(bid, data, actor)  # raises before anything is added when the data is wrong
    try:
        with db.session.begin_nested():  # the unique index decides a race between two colleagues
            db.session.add(bid)
    except IntegrityError:
        raise Refused(_("%(org)s already has a bid for this challenge; an organisation may bid only once.",
                        org=actor.organization.name)) from None
    audit.record(bid, "create", actor=actor, evidence=_summary(bid))
    _invite_partners(bid)
    return bid


def can_edit(user, bid: Bid) -> bool:
    """``bids.edit``, while the bid is a draft."""
    return can("bids.edit", bid, user) and bid.state == BidState.draft


def update_bid(bid: Bid, *, actor, data: dict, expected_version: int | None = None) -> Bid:
    """Save (part of) a draft: only what ``data`` names changes."""
    require("bids.edit", actor, bid)
    if bid.state != BidState.draft:
        raise Refused(_("Only a draft bid can be edited."))
    check_version(bid, expected_version)
    with saving_edit():
        _apply(bid, data, actor)
    audit.record(bid, "update", actor=actor, evidence=_summary(bid))
    _invite_partners(bid)
    return bid


def _clean_title(errors, data, key, now) -> str:
    title = (data.get(key) or "").strip()
    if not title:
        errors.add(key, _("Title is required."))
    return title[:200]


def _budget_line(label) -> FieldSpec:
    """Spec: one line of the budget breakdown; left empty it is 0."""
    return lambda errors, data, key, now: whole_number(errors, data, key, label, low=0) or 0


def _declaration(errors, data, key, now):
    return now if data.get(key) else None


# A draft's own columns (data key -> spec), in the order their problems are listed.
BID_FIELDS: dict[str, FieldSpec] = {
    "title": _clean_title,
    "technical_approach": optional_text,
    "requested_fen": whole(_l("Budget requested"), low=1),
    "equipment_fen": _budget_line(_l("Equipment")),
    "materials_fen": _budget_line(_l("Materials")),
    "personnel_fen": _budget_line(_l("Personnel")),
    "other_fen": _budget_line(_l("Other costs")),
    "own_cofunding_fen": whole(_l("Own co-funding"), low=0),
    "declaration": _declaration,
}
COLUMN_OF = {"declaration": "declaration_confirmed_at"}


def _apply(bid: Bid, data: dict, actor) -> None:
    errors = Errors()
    for key, value in clean_fields(BID_FIELDS, data, errors, clock.now()).items():
        setattr(bid, COLUMN_OF.get(key, key), value)
    errors.raise_if_any()
    for key, replace in BID_CHILDREN.items():
        if key in data:
            replace(bid, data[key], actor)
    # A draft may be incomplete, but what it says must not be wrong.
    field, problem = rules.budget_issue(bid, complete=False)
    if problem:
        raise ValidationFailed(problem, details={field: str(problem)})


def _refuse(field: str, message) -> None:
    raise ValidationFailed(message, details={field: message})


def _set_lead(bid: Bid, lead, actor) -> None:
    if not lead:
        return
    bid.lead = lead if not isinstance(lead, dict) else ensure_person(
        name=lead.get("name"), id_number=lead.get("id_number"), organization=bid.organization, actor=actor)


def _set_members(bid: Bid, rows, actor) -> None:
    members, seen = [], set()
    for i, row in enumerate(rows or []):
        try:
            person = ensure_person(name=row.get("name"), id_number=row.get("id_number"),
                                   organization=bid.organization, actor=actor)
        except ValidationFailed as exc:
            _refuse("members", _("Team member %(n)s: %(problem)s", n=i + 1, problem=str(exc)))
        if person.id in seen:
            continue
        seen.add(person.id)
        members.append(BidMember(person=person, role=(row.get("role") or "").strip()[:100], position=i))
    bid.members = members


def _set_indicators(bid: Bid, values, actor) -> None:
    """The promised values, by the challenge's indicator; unknown indicators and empty values are dropped."""
    allowed = {ci.id for ci in bid.challenge.indicators}
    values = values or {}
    if isinstance(values, list):
        values = {row["challenge_indicator_id"]: row.get("promised_value") for row in values}
    existing = {row.challenge_indicator_id: row for row in bid.indicators}
    kept = []
    for ci_id, value in values.items():
        ci_id, value = int(ci_id), (str(value or "")).strip()[:100]
        if ci_id not in allowed or not value:
            continue
        row = existing.get(ci_id) or BidIndicator(challenge_indicator_id=ci_id, promised_value=value)
        row.promised_value = value
        kept.append(row)
    bid.indicators = kept


def _set_milestones(bid: Bid, rows, actor) -> None:
    errors = Errors()
    milestones = []
    for i, row in enumerate(rows or []):
        title = (row.get("title") or "").strip()
        month = whole_number(errors, row, "month", _l("Month of milestone %(n)s", n=i + 1), low=1, high=120,
                             required=True)
        if not title:
            errors.add("milestones", _("Milestone %(n)s needs a title.", n=i + 1))
        if title and month:
            milestones.append(BidMilestone(title=title[:200], month=month, position=i,
                                           deliverable=(row.get("deliverable") or "").strip()))
    if "month" in errors.details:
        errors.add("milestones", errors.details.pop("month"))
    errors.raise_if_any()
    bid.milestones = milestones


def _set_partners(bid: Bid, codes, actor) -> None:
    codes = [c for c in (codes or []) if c and str(c).strip()]
    if len(codes) > rules.MAX_PARTNERS:
        _refuse("partners", _("A bid may have at most five partner organisations; this one has %(n)s.",
                              n=len(codes)))
    existing = {p.organization_id: p for p in bid.partners}
    partners = []
    for code in codes:
        org = _partner_organization(bid, code)
        if org.id not in existing and all(p.organization_id != org.id for p in partners):
            partners.append(BidPartner(organization=org, confirmed=False))
            bid._invited_orgs = getattr(bid, "_invited_orgs", []) + [org.id]
        elif org.id in existing:
            partners.append(existing[org.id])
    dropped = [org_id for org_id in existing if all(p.organization_id != org_id for p in partners)]
    if dropped:  # an invitation withdrawn: it no longer waits in that organisation's inboxes
        settle(bid, kinds=[PARTNER_INVITED], users=active_users(roles=PARTNERS, organization_ids=dropped))
    bid.partners = partners


def _invite_partners(bid: Bid) -> None:
    """The accounts of each organisation newly named a partner are asked to confirm (once)."""
    invited = [org_id for org_id in getattr(bid, "_invited_orgs", [])
               if any(p.organization_id == org_id for p in bid.partners)]
    bid._invited_orgs = []
    if invited:
        notify(active_users(roles=PARTNERS, organization_ids=invited), "bids.partner_invited",
               link=link_for("bids.partner", bid_id=bid.id), about=bid, org=bid.organization.name,
               challenge=bid.challenge.title)


def _partner_organization(bid: Bid, code) -> Organization:
    org = code if isinstance(code, Organization) else organization_by_code(str(code))
    if org is None:
        _refuse("partners", _("No organisation with the credit code %(code)s is registered.", code=code))
    if org.id == bid.organization_id:
        _refuse("partners", _("The bidding organisation cannot be its own partner."))
    return org


# The draft's child collections (data key -> replace the collection), in this order.
BID_CHILDREN = {
    "lead": _set_lead,
    "members": _set_members,
    "indicators": _set_indicators,
    "milestones": _set_milestones,
    "partners": _set_partners,
}


def _summary(bid: Bid) -> dict:
    return {"title": bid.title, "lead": bid.lead.id_number if bid.lead else None,
            **{key: getattr(bid, key) for key in MONEY},
            "members": [m.person.id_number for m in bid.members],
            "partners": [p.organization.credit_code for p in bid.partners],
            "declaration": bid.declaration_confirmed}


def add_attachment(bid: Bid, *, actor, stream, filename: str) -> BidAttachment:
    if not can_edit(actor, bid):
        raise Refused(_("Attachments can only be added to a draft bid, by its team."))
    return attachments.attach_pdf(bid, actor=actor, stream=stream, filename=filename)


def confirm_partner(bid: Bid, *, actor) -> BidPartner:
    """A user of a partner organisation confirms its participation."""
    require("bids.confirm_partner", actor, bid)
    partner = is_partner_user(actor, bid)
    if bid.state != BidState.draft:
        raise Refused(_("Participation can only be confirmed while the bid is a draft."))
    if not partner.confirmed:
        partner.confirmed, partner.confirmed_at, partner.confirmed_by_id = True, clock.now(), actor.id
        db.session.flush()
        audit.record(bid, "confirm_partner", actor=actor,
                     evidence={"partner": partner.organization.credit_code})
    # Answered for the organisation: the invitation no longer waits in its accounts' inboxes.
    settle(bid, kinds=[PARTNER_INVITED],
           users=active_users(roles=PARTNERS, organization_ids=[partner.organization_id]))
    return partner


PARTNER_INVITED = "bids.partner_invited"


def _settle_invitations(attempt) -> None:
    """The bid left its draft (submitted or withdrawn): partners can no longer confirm."""
    settle(attempt.obj, kinds=[PARTNER_INVITED])


for _leaving in ("submit", "withdraw", "close_with_challenge"):
    BID_WORKFLOW.add_effects(_leaving, _settle_invitations)


# integrity ---------------------------------------------------------------------

def party_clause(subject_type: str, code: str):
    """SQL condition on Bid: ``code`` is its organisation, a partner, its lead or a member."""
    if subject_type == SubjectType.organization:
        return sa.or_(Bid.organization.has(credit_code=code),
                      Bid.partners.any(BidPartner.organization.has(credit_code=code)))
    return sa.or_(Bid.lead.has(id_number=code), Bid.members.any(BidMember.person.has(id_number=code)))


def codes_in_live_bids(subject_type: str, codes: set[str], live=None) -> set[str]:
    """Which of ``codes`` are a party (lead, member, organisation, partner) to a live bid
    (``live``: another SQL condition on Bid choosing the bids that count)."""
    from grants.auth.models import Person

    live = Bid.state.in_(LIVE_STATES) if live is None else live
    if subject_type == SubjectType.organization:
        queries = [
            sa.select(Organization.credit_code).join(Bid, Bid.organization_id == Organization.id)
            .where(live, Organization.credit_code.in_(codes)),
            sa.select(Organization.credit_code).join(BidPartner, BidPartner.organization_id == Organization.id)
            .join(Bid, Bid.id == BidPartner.bid_id).where(live, Organization.credit_code.in_(codes)),
        ]
    else:
        queries = [
            sa.select(Person.id_number).join(Bid, Bid.lead_id == Person.id)
            .where(live, Person.id_number.in_(codes)),
            sa.select(Person.id_number).join(BidMember, BidMember.person_id == Person.id)
            .join(Bid, Bid.id == BidMember.bid_id).where(live, Person.id_number.in_(codes)),
        ]
    return set(db.session.scalars(sa.union(*queries)).all())


@on_black_entry("flag_bids", live_codes=codes_in_live_bids)
def flag_bids(entry: IntegrityEntry, actor) -> int:
    """Flag every live bid one of whose parties the new black entry names."""
    hit = party_clause(entry.subject_type, entry.subject_code)
    bids = db.session.scalars(sa.select(Bid).where(Bid.state.in_(LIVE_STATES), hit).order_by(Bid.id)).all()
    bureau = active_users(roles=Role.BUREAU) if bids else []
    for bid in bids:
        bid.integrity_flagged_at = clock.now()
        bid.integrity_flag_entry_id = entry.id
        db.session.flush()
        audit.record(bid, "integrity_flag", actor=actor,
                     comment=_("Black-list entry %(basis)s against %(name)s.",
                               basis=entry.basis, name=entry.subject_name),
                     evidence={"entry_id": entry.id, "code": entry.subject_code, "basis": entry.basis})
        # The lead and the bureau are asked to look at the flagged bid.
        notify(active_users(person_ids=[bid.lead_id]) + bureau, "bids.flagged",
               link=link_for("bids.show", bid_id=bid.id), org=bid.organization.name,
               challenge=bid.challenge.title, basis=entry.basis, subject=entry.subject_name)
    return len(bids)


# work queues ----------------------------------------------------------------------

def count_awaiting_eligibility() -> int:
    """Closed challenges with submitted bids waiting for the eligibility check. One query."""
    pending = sa.select(Bid.challenge_id).where(Bid.state == BidState.submitted)
    return db.session.scalar(sa.select(sa.func.count()).select_from(Challenge).where(
        Challenge.state == ChallengeState.closed, Challenge.id.in_(pending))) or 0


def count_team_work(user) -> dict[str, int]:
    """The organisation's draft bids and the bids waiting for its confirmation as a partner. One query."""
    if user.organization_id is None:
        return {"drafts": 0, "invitations": 0}
    org = user.organization_id
    drafts = sa.select(sa.func.count()).select_from(Bid).where(
        Bid.organization_id == org, Bid.state == BidState.draft).scalar_subquery()
    invitations = sa.select(sa.func.count()).select_from(BidPartner).join(BidPartner.bid).where(
        BidPartner.organization_id == org, BidPartner.confirmed.is_(False),
        Bid.state == BidState.draft).scalar_subquery()
    row = db.session.execute(sa.select(drafts, invitations)).one()
    return {"drafts": row[0] or 0, "invitations": row[1] if has_role(user, PARTNERS) else 0}


def bids_per_challenge(limit: int = 10) -> list[tuple[int, str, int]]:
    """(challenge id, title, bids counted) of the challenges open or closed most recently
    published, most recent first. One query."""
    counted = (sa.select(sa.func.count()).select_from(Bid).where(
        Bid.challenge_id == Challenge.id, Bid.state.in_(COUNTED_STATES)).correlate(Challenge).scalar_subquery())
    rows = db.session.execute(sa.select(Challenge.id, Challenge.title, counted).where(
        Challenge.state.in_((ChallengeState.published, ChallengeState.closed, ChallengeState.reviewing)))
        .order_by(Challenge.published_at.desc(), Challenge.id.desc()).limit(limit))
    return [(cid, title, n) for cid, title, n in rows]
