"""Guards, permissions and effects of the bid workflow, and the rules they share."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
import sqlalchemy as sa

from grants.auth.models import OrgKind
from grants.bids.models import Bid, BidState
from grants.challenges.models import ChallengeState
from grants.core import clock
from grants.extensions import db
from grants.integrity.check import org_subject, person_subject

MAX_PARTNERS = 5


def _local(moment) -> str:
    return clock.to_local(moment).strftime("%Y-%m-%d %H:%M:%S") if moment else "—"


# rules -------------------------------------------------------------------------

def cofunding_ratio(bid: Bid) -> tuple[int, int]:
    """(own, public): the challenge's override, else by the lead organisation's kind."""
    challenge = bid.challenge
    if challenge.cofund_own and challenge.cofund_public:
        return challenge.cofund_own, challenge.cofund_public
    if bid.organization.kind == OrgKind.enterprise:
        return 2, 1
    return 1, 1


def subjects(bid: Bid):
    """Every party the integrity check covers: organisation, lead, partners, members."""
    found = [org_subject(bid.organization, "organization")]
    if bid.lead is not None:
        found.append(person_subject(bid.lead, "lead"))
    found += [org_subject(p.organization, "partner") for p in bid.partners]
    found += [person_subject(m.person, "member") for m in bid.members]
    return found


def budget_problem(bid: Bid, *, complete: bool):
    """What is wrong with the budget, or None. ``complete``: a submission, not a draft."""
    return budget_issue(bid, complete=complete)[1]


def budget_issue(bid: Bid, *, complete: bool):
    """(field, message) of what is wrong with the budget, or (None, None)."""
    offer = bid.challenge.budget_fen or 0
    if bid.requested_fen is None:
        return ("requested_fen", _l("The budget requested is missing.")) if complete else (None, None)
    if bid.requested_fen > offer:
        return "requested_fen", _l("The budget requested (%(requested)s) is above the challenge's offer (%(offer)s).",
                  requested=yuan(bid.requested_fen), offer=yuan(offer))
    total = bid.breakdown_total_fen
    if (complete or total) and total != bid.requested_fen:
        return "breakdown", _l("The budget breakdown adds up to %(total)s, not the %(requested)s requested.",
                  total=yuan(total), requested=yuan(bid.requested_fen))
    return None, None


def cofunding_problem(bid: Bid):
    if bid.requested_fen is None:
        return None
    own, public = cofunding_ratio(bid)
    funded = bid.own_cofunding_fen or 0
    if funded * public < bid.requested_fen * own:
        needed = -(-bid.requested_fen * own // public)
        return _l("The team's own co-funding (%(funded)s) must be at least %(own)s:%(public)s of the public "
                  "funds requested, that is at least %(needed)s.",
                  funded=yuan(funded), own=own, public=public, needed=yuan(needed))
    return None


def missing_fields(bid: Bid) -> list:
    missing = []
    for value, label in ((bid.title, _l("title")), (bid.lead_id, _l("team lead")),
                         (bid.technical_approach, _l("technical approach")),
                         (bid.requested_fen, _l("budget requested")),
                         (bid.own_cofunding_fen is not None, _l("own co-funding"))):
        if not value:
            missing.append(label)
    promised = {i.challenge_indicator_id for i in bid.indicators if i.promised_value}
    if any(ci.id not in promised for ci in bid.challenge.indicators):
        missing.append(_l("a promised value for every required indicator"))
    if not bid.milestones:
        missing.append(_l("at least one milestone"))
    return missing


# A checklist item that is not required: shown, but never as failed.
OPTIONAL = None


def checklist(bid: Bid) -> list[tuple[object, bool | None, object]]:
    """The eligibility checklist the team and officers see: (item, passed, detail).

    ``passed`` is True or False for what submission requires (each such item has a
    guard refusing it in words), OPTIONAL for what helps but is not required:
    supporting documents, which neither the design nor a challenge's settings demand.
    """
    missing = missing_fields(bid)
    budget = budget_problem(bid, complete=True)
    cofunding = cofunding_problem(bid)
    unconfirmed = [p.organization.name for p in bid.partners if not p.confirmed]
    return [
        (_l("All required parts are filled in"), not missing, ", ".join(str(m) for m in missing)),
        (_l("Budget within the offer and the breakdown adds up"), budget is None, budget or ""),
        (_l("Own co-funding at the required ratio"), cofunding is None, cofunding or ""),
        (_l("At most five partner organisations, all confirmed"),
         len(bid.partners) <= MAX_PARTNERS and not unconfirmed, ", ".join(unconfirmed)),
        (_l("Declaration confirmed by the lead"), bid.declaration_confirmed, ""),
        (_l("Supporting documents (optional)"), True if bid.attachments else OPTIONAL,
         _l("%(n)s attached", n=len(bid.attachments)) if bid.attachments else _l("none uploaded")),
    ]


def yuan(fen: int) -> str:
    return f"¥{fen / 100:,.2f}" if fen % 100 else f"¥{fen // 100:,}"


# guards ------------------------------------------------------------------------

def challenge_open(attempt):
    challenge = attempt.obj.challenge
    if challenge.state != ChallengeState.published:
        return _l("The challenge is not open for bids.")
    if challenge.deadline_at is None or attempt.now >= challenge.deadline_at:
        return _l("The bidding deadline (%(deadline)s) has passed; bids are no longer accepted.",
                  deadline=_local(challenge.deadline_at))
    return None


def before_deadline(attempt):
    challenge = attempt.obj.challenge
    if challenge.deadline_at is not None and attempt.now >= challenge.deadline_at:
        return _l("The bidding deadline (%(deadline)s) has passed; the bid can no longer be withdrawn.",
                  deadline=_local(challenge.deadline_at))
    return None


def one_live_bid(attempt):
    bid = attempt.obj
    other = db.session.scalar(sa.select(Bid.id).where(
        Bid.challenge_id == bid.challenge_id, Bid.organization_id == bid.organization_id,
        Bid.id != bid.id, Bid.state != BidState.withdrawn))
    if other:
        return _l("%(org)s already has a bid for this challenge; an organisation may bid only once.",
                  org=bid.organization.name)
    return None


def complete(attempt):
    missing = missing_fields(attempt.obj)
    if missing:
        return _l("The bid is incomplete; missing: %(missing)s.", missing=", ".join(str(m) for m in missing))
    return None


def budget_rules(attempt):
    return budget_problem(attempt.obj, complete=True)


def cofunding_rule(attempt):
    return cofunding_problem(attempt.obj)


def partners_rule(attempt):
    partners = attempt.obj.partners
    if len(partners) > MAX_PARTNERS:
        return _l("A bid may have at most five partner organisations; this one has %(n)s.", n=len(partners))
    unconfirmed = [p.organization.name for p in partners if not p.confirmed]
    if unconfirmed:
        return _l("Partner organisations have not yet confirmed their participation: %(names)s.",
                  names=", ".join(unconfirmed))
    return None


def declaration_rule(attempt):
    if not attempt.obj.declaration_confirmed:
        return _l("The team lead has not confirmed the declaration.")
    return None


def challenge_closed(attempt):
    if attempt.obj.challenge.state != ChallengeState.closed:
        return _l("The eligibility check starts once bidding has closed.")
    return None


def stamp_submitted(attempt):
    attempt.obj.submitted_at = attempt.now


def keep_reason(attempt):
    attempt.obj.rejection_reason = attempt.comment
