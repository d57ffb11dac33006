"""Building a challenge that is under expert review, through the real transitions."""
from __future__ import annotations

from datetime import timedelta

from grants.bids import services as bid_services
from grants.core import clock
from grants.core.workflow import fire
from grants.extensions import db
from tests.factories import bid_data, id_number


def team_bid(make, challenge, org=None, lead_name=None, members=(), partner=None, **fields):
    """A submitted bid with a lead (and members, and a confirmed partner if given)."""
    org = org or make.org(kind="university")
    user = make.user("applicant", org=org)
    lead = {"name": lead_name or f"负责人{org.id}", "id_number": id_number()}
    data = bid_data(challenge, lead=lead, members=[{"name": n, "id_number": id_number(), "role": "成员"}
                                                   for n in members], **fields)
    if partner is not None:
        data["partners"] = [partner.credit_code]
    bid = bid_services.create_bid(challenge, actor=user, data=data)
    db.session.commit()
    if partner is not None:
        bid_services.confirm_partner(bid, actor=make.user("applicant", org=partner))
        db.session.commit()
    fire(bid, "submit", user)
    db.session.commit()
    return bid


def to_review(make, challenge, officer, bids):
    """Close bidding, pass every bid's eligibility check and start the review."""
    clock.set_now(challenge.deadline_at + timedelta(seconds=1))
    fire(challenge, "close_bidding", None)
    for bid in bids:
        fire(bid, "accept", officer)
    fire(challenge, "start_review", officer)
    db.session.commit()
    return challenge


def reviewing(make, n_bids=2, owner_org=None, **challenge_fields):
    """(challenge, officer, bids): a challenge under review with ``n_bids`` eligible bids."""
    officer = make.user("officer")
    owner_org = owner_org or make.org(kind="enterprise")
    challenge = make.challenge(owner_org=owner_org, officer=officer, **challenge_fields)
    bids = [team_bid(make, challenge) for _ in range(n_bids)]
    to_review(make, challenge, officer, bids)
    return challenge, officer, bids


def accepted_panel(make, challenge, officer, n=3, **reviewer_kwargs):
    from grants.reviews import services

    reviewers = [make.reviewer(**reviewer_kwargs) for _ in range(n)]
    assignments = []
    for reviewer in reviewers:
        assignment = services.assign_reviewer(challenge, reviewer, actor=officer)
        fire(assignment, "accept", reviewer, no_conflict=True)
        assignments.append(assignment)
    db.session.commit()
    return assignments


def score_all(assignment, bid, value, opinion="recommend", submit=True):
    """The reviewer gives ``value`` on every criterion (with a comment) and submits."""
    from grants.reviews import services

    scores = {c.id: (value, f"意见{c.position}") for c in assignment.challenge.rubric}
    review = services.save_review(assignment, bid, actor=assignment.reviewer, scores=scores, opinion=opinion,
                                  submit=submit)
    db.session.commit()
    return review
