"""Conflict rules and the repeatable random draw, over plain data."""
import pytest

from grants.reviews.conflicts import ChallengeParties, conflict_reason, draw_panel

PARTIES = ChallengeParties(owner_org_id=1, bidder_org_ids=frozenset({2, 3}), team_person_ids=frozenset({10, 11}))


@pytest.mark.parametrize("orgs, person, expected", [
    ({1}, 99, "发榜企业"),
    ({3}, 99, "揭榜单位"),
    ({7}, 10, "团队成员"),
    ({7}, 99, None),
    (set(), None, None),
])
def test_conflict_reasons(app, orgs, person, expected):
    with app.test_request_context():
        reason = conflict_reason(orgs, person, PARTIES)
        assert (reason is None) if expected is None else expected in str(reason)


def test_a_draw_is_repeatable_from_its_seed_and_candidates():
    candidates = list(range(1, 31))
    panel = draw_panel(candidates, 7, seed=12345)
    assert len(panel) == 7 and set(panel) <= set(candidates)
    assert draw_panel(list(reversed(candidates)), 7, seed=12345) == panel
    assert any(draw_panel(candidates, 7, seed=s) != panel for s in range(1, 5))
    with pytest.raises(ValueError):
        draw_panel([1, 2], 3, seed=1)
