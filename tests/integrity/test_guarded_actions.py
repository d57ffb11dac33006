"""Every action the integrity lists guard, against every way an entry can stand.

For each guarded action: refused while a black entry is in force (with the
entry named in the message), allowed the day after the entry ends, and
allowed once the entry is revoked.
"""
from datetime import timedelta

import pytest

from grants.core import clock
from grants.core.errors import Refused
from grants.core.workflow import fire
from grants.extensions import db
from grants.integrity.services import revoke_entry
from tests.factories import id_number
from tests.reviews.helpers import accepted_panel, reviewing, score_all, team_bid


def challenge_submit(make):
    challenge = make.challenge(state="draft")
    return challenge.owner_org, lambda: fire(challenge, "submit", challenge.created_by)


def challenge_publish(make):
    challenge = make.challenge(state="submitted")
    officer = make.user("officer")
    return challenge.owner_org, lambda: fire(challenge, "publish", officer)


def _draft_bid(make, **fields):
    challenge = make.challenge()
    user = make.user("applicant")
    bid = make.bid(challenge, user=user, submit=False, **fields)
    return bid, user


def bid_submit_by_organisation(make):
    bid, user = _draft_bid(make)
    return bid.organization, lambda: fire(bid, "submit", user)


def bid_submit_by_lead(make):
    bid, user = _draft_bid(make)
    return bid.lead, lambda: fire(bid, "submit", user)


def bid_submit_by_member(make):
    bid, user = _draft_bid(make, members=[{"name": "钱七", "id_number": id_number(), "role": "成员"}])
    return bid.members[0].person, lambda: fire(bid, "submit", user)


def bid_submit_by_partner(make):
    from grants.bids import services as bid_services
    from tests.factories import bid_data

    challenge = make.challenge()
    partner = make.org(kind="institute")
    user = make.user("applicant")
    bid = bid_services.create_bid(challenge, actor=user,
                                  data=bid_data(challenge, partners=[partner.credit_code]))
    db.session.commit()
    bid_services.confirm_partner(bid, actor=make.user("applicant", org=partner))
    db.session.commit()
    return partner, lambda: fire(bid, "submit", user)


def bid_accept(make):
    challenge = make.challenge()
    bid = make.bid(challenge)
    officer = make.user("officer")
    clock.set_now(challenge.deadline_at + timedelta(seconds=1))
    fire(challenge, "close_bidding", None)
    db.session.commit()
    return bid.organization, lambda: fire(bid, "accept", officer)


def reviewer_assignment(make):
    from grants.reviews.services import assign_reviewer

    challenge, officer, _bids = reviewing(make, n_bids=1)
    reviewer = make.reviewer()
    return reviewer.person, lambda: assign_reviewer(challenge, reviewer, actor=officer)


def award_proposal(make):
    challenge, officer, bids = reviewing(make, n_bids=1)
    for assignment in accepted_panel(make, challenge, officer, n=3):
        score_all(assignment, bids[0], 80)
    return bids[0].lead, lambda: fire(challenge, "propose_award", officer, winners=[bids[0].id])


ACTIONS = [challenge_submit, challenge_publish, bid_submit_by_organisation, bid_submit_by_lead,
           bid_submit_by_member, bid_submit_by_partner, bid_accept, reviewer_assignment, award_proposal]


@pytest.mark.parametrize("action", ACTIONS, ids=lambda fn: fn.__name__)
def test_refused_while_listed_and_allowed_the_day_after_the_entry_ends(make, action):
    subject, act = action(make)
    make.black(subject, basis="咸科技发〔2026〕88号", end_on=clock.today())
    with pytest.raises(Refused) as refused:
        act()
    message = str(refused.value)
    assert subject.name in message and "黑名单" in message and "咸科技发〔2026〕88号" in message
    assert f"至 {clock.today().isoformat()}" in message
    db.session.rollback()
    clock.advance(timedelta(days=1))
    act()  # allowed: the entry ended yesterday


@pytest.mark.parametrize("action", ACTIONS, ids=lambda fn: fn.__name__)
def test_allowed_once_the_entry_is_revoked(make, action):
    subject, act = action(make)
    entry = make.black(subject)
    with pytest.raises(Refused, match="无期限"):
        act()
    db.session.rollback()
    revoke_entry(entry, actor=make.user("officer"), reason="复核后撤销")
    db.session.commit()
    act()
