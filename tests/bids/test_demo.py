import sqlalchemy as sa

from grants.bids.models import Bid, BidState
from grants.challenges.models import Challenge, ChallengeState
from grants.core.demo import seed
from grants.extensions import db


def test_demo_data_has_an_open_challenge_with_bids_and_a_draft(app):
    seed()
    states = db.session.scalars(sa.select(Challenge.state).order_by(Challenge.id)).all()
    # today's open challenge and a draft; then two awarded long ago (grants/certificates/demo.py)
    assert states == [ChallengeState.published, ChallengeState.draft, ChallengeState.awarded, ChallengeState.awarded]
    assert sorted(db.session.scalars(sa.select(Bid.state)).all()) == [BidState.awarded, BidState.awarded,
                                                                      BidState.draft, BidState.submitted]
