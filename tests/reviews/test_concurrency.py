"""Two windows submitting the same review at once: one submission, the other told."""
import threading

import pytest

from grants.core.errors import ChangedUnderYou, Refused
from grants.extensions import db
from grants.reviews import services
from grants.reviews.models import Review, ReviewAssignment, ReviewState
from tests.reviews.helpers import accepted_panel, reviewing


@pytest.mark.postgres
def test_a_review_submitted_twice_at_once_is_submitted_once(app, make):
    with app.app_context():
        challenge, officer, bids = reviewing(make, n_bids=2)
        [assignment] = accepted_panel(make, challenge, officer, n=1)
        draft = services.save_review(assignment, bids[0], actor=assignment.reviewer,
                                     scores={c.id: (70, "初稿") for c in challenge.rubric})
        db.session.commit()
        assignment_id, bid_id, criteria = assignment.id, bids[0].id, [c.id for c in challenge.rubric]
        draft_id = draft.id
    db.session.remove()

    barrier = threading.Barrier(2)
    outcomes = []

    def submit(value):
        with app.app_context():
            from grants.bids.models import Bid

            mine = db.session.get(ReviewAssignment, assignment_id)
            bid = db.session.get(Bid, bid_id)
            services.review_of(mine, bid)  # both windows loaded the draft
            barrier.wait()
            try:
                services.save_review(mine, bid, actor=mine.reviewer, scores={c: (value, "终稿") for c in criteria},
                                     opinion="recommend", submit=True)
                db.session.commit()
                outcomes.append("submitted")
            except (ChangedUnderYou, Refused) as exc:
                db.session.rollback()
                outcomes.append(str(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=submit, args=(v,)) for v in (80, 90)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("submitted") == 1, outcomes
    assert any("已被他人修改" in o or "已提交并锁定" in o for o in outcomes), outcomes
    with app.app_context():
        review = db.session.get(Review, draft_id)
        assert review.state == ReviewState.submitted
        assert len({s.score for s in review.scores}) == 1
