from datetime import timedelta

import pytest

from grants.challenges import services
from grants.challenges.models import Challenge, ChallengeState
from grants.core import clock
from grants.core.errors import Forbidden, Refused, ValidationFailed
from grants.core.workflow import WORKFLOWS, fire
from grants.extensions import db
from tests.factories import challenge_data


def test_a_challenge_walks_from_draft_to_published(make):
    challenge = make.challenge(state="published")
    assert challenge.state == ChallengeState.published
    assert challenge.published_at == clock.now()
    assert [c.weight for c in challenge.rubric] == [35, 25, 20, 10, 10]


def test_submit_needs_the_required_fields(make):
    owner = make.user("enterprise")
    challenge = services.create_challenge(actor=owner, data={"title": "只有标题"})
    with pytest.raises(Refused) as exc:
        fire(challenge, "submit", owner)
    assert "榜单内容不完整" in str(exc.value)
    assert challenge.state == ChallengeState.draft


def test_a_deadline_in_the_past_is_refused(make):
    owner = make.user("enterprise")
    with pytest.raises(ValidationFailed) as exc:
        services.create_challenge(actor=owner, data=challenge_data(deadline_at=clock.now() - timedelta(hours=1)))
    assert exc.value.details["deadline_at"] == "揭榜截止时间必须晚于当前时间。"


def test_rubric_weights_must_add_up_to_100(make):
    owner = make.user("enterprise")
    with pytest.raises(ValidationFailed) as exc:
        services.create_challenge(actor=owner, data=challenge_data(
            rubric=[{"name": "技术方案", "weight": 50}, {"name": "团队", "weight": 40}]))
    assert "评分细则权重合计为 90，而不是 100。" in exc.value.details["rubric"]


def test_black_listed_owner_may_not_submit_or_be_published(make):
    challenge = make.challenge(state="submitted")
    make.black(challenge.owner_org)
    with pytest.raises(Refused) as exc:
        fire(challenge, "publish", make.user("officer"))
    assert "不得发布榜单" in str(exc.value)
    draft = make.challenge(owner_org=challenge.owner_org, state="draft")
    owner = make.user("enterprise", org=challenge.owner_org)
    with pytest.raises(Refused) as exc:
        fire(draft, "submit", owner)
    assert "不得提交榜单" in str(exc.value)


def test_publish_refuses_a_deadline_that_has_passed(make):
    challenge = make.challenge(state="submitted")
    clock.set_now(challenge.deadline_at)
    with pytest.raises(Refused) as exc:
        fire(challenge, "publish", make.user("officer"))
    assert "已过" in str(exc.value)


def test_close_bidding_only_after_the_deadline_and_by_the_clock(make, app):
    from grants.core.cli import run_tick

    challenge = make.challenge(state="published")
    with pytest.raises(Refused) as exc:
        fire(challenge, "close_bidding", make.user("officer"))
    assert "截止后才能截止揭榜" in str(exc.value)
    assert run_tick()["close_bidding"] == 0
    clock.set_now(challenge.deadline_at)
    assert run_tick()["close_bidding"] == 1
    db.session.refresh(challenge)
    assert challenge.state == ChallengeState.closed


def test_return_for_revision_needs_a_comment(make):
    challenge = make.challenge(state="submitted")
    officer = make.user("officer")
    with pytest.raises(Refused):
        fire(challenge, "return_for_revision", officer)
    fire(challenge, "return_for_revision", officer, comment="请补充指标")
    assert challenge.state == ChallengeState.draft


def test_withdraw_owner_before_publishing_officer_after_with_reason(make):
    draft = make.challenge(state="draft")
    owner = make.user("enterprise", org=draft.owner_org)
    fire(draft, "withdraw", owner)
    assert draft.state == ChallengeState.withdrawn

    published = make.challenge(owner_org=draft.owner_org, state="published")
    with pytest.raises(Forbidden) as exc:
        fire(published, "withdraw", owner)
    assert "只能由科技局撤回" in str(exc.value)
    officer = make.user("officer")
    with pytest.raises(Refused) as exc:
        fire(published, "withdraw", officer)
    assert "撤回榜单的原因" in str(exc.value)
    fire(published, "withdraw", officer, comment="企业经营变化")
    assert published.state == ChallengeState.withdrawn


def test_the_bureau_does_not_withdraw_an_unpublished_challenge(make):
    from grants.core.errors import Forbidden

    officer = make.user("officer")
    for state in ("draft", "submitted"):
        challenge = make.challenge(state=state)
        with pytest.raises(Forbidden, match="发布前只有发榜企业可以撤回榜单"):
            fire(challenge, "withdraw", officer, comment="不需要了")
        assert challenge.state == state


def test_another_enterprise_may_not_submit(make):
    challenge = make.challenge(state="draft")
    with pytest.raises(Forbidden):
        fire(challenge, "submit", make.user("enterprise"))


def test_later_areas_extend_the_shared_workflow(make):
    from grants.challenges import workflow
    from grants.core.workflow import transition

    challenge = make.challenge(state="closed")
    before = workflow.CHALLENGE_WORKFLOW
    declared = list(before.transitions.values())
    extra = transition("start_review_example", ChallengeState.closed, ChallengeState.reviewing,
                       roles={"officer"}, label="start review")
    workflow.add_challenge_transitions(extra)
    try:
        assert workflow.CHALLENGE_WORKFLOW is before is Challenge.__workflow__ is WORKFLOWS["challenge"]
        fire(challenge, "start_review_example", make.user("officer"))
        assert challenge.state == ChallengeState.reviewing
    finally:
        workflow.CHALLENGE_WORKFLOW.rebuild(declared)
    assert "start_review_example" not in workflow.CHALLENGE_WORKFLOW.transitions


def test_the_registry_holds_the_extended_workflows(app):
    """Review and award extend the challenge and bid machines in place; the registry that
    labels histories holds those same objects, with the added transitions."""
    from grants.bids.workflow import BID_WORKFLOW
    from grants.challenges.workflow import CHALLENGE_WORKFLOW

    assert WORKFLOWS["challenge"] is CHALLENGE_WORKFLOW
    assert WORKFLOWS["bid"] is BID_WORKFLOW
    assert {"start_review", "propose_award", "confirm_award"} <= set(CHALLENGE_WORKFLOW.transitions)
    assert "start_review" in BID_WORKFLOW.transitions


def test_only_a_draft_is_edited_and_only_by_its_owner(make):
    challenge = make.challenge(state="submitted")
    owner = make.user("enterprise", org=challenge.owner_org)
    with pytest.raises(Refused) as exc:
        services.update_challenge(challenge, actor=owner, data={"title": "改名"})
    assert "只有草稿可以修改" in str(exc.value)
    draft = make.challenge(state="draft")
    with pytest.raises(Forbidden):
        services.update_challenge(draft, actor=make.user("enterprise"), data={"title": "改名"})
    mine = make.user("enterprise", org=draft.owner_org)
    services.update_challenge(draft, actor=mine, data={"title": "改名"}, expected_version=draft.version)
    assert draft.title == "改名"


def test_the_officer_overrides_the_cofunding_ratio_before_publication(make):
    challenge = make.challenge(state="submitted")
    officer = make.user("officer")
    with pytest.raises(ValidationFailed) as exc:
        services.set_cofunding_ratio(challenge, actor=officer, own=3, public=None)
    assert "请同时填写比例的两部分" in str(exc.value)
    with pytest.raises(Forbidden):
        services.set_cofunding_ratio(challenge, actor=make.user("enterprise", org=challenge.owner_org),
                                     own=3, public=1)
    services.set_cofunding_ratio(challenge, actor=officer, own=3, public=1)
    assert (challenge.cofund_own, challenge.cofund_public) == (3, 1)
    fire(challenge, "publish", officer)
    with pytest.raises(Refused) as exc:
        services.set_cofunding_ratio(challenge, actor=officer, own=None, public=None)
    assert "只能在发布前修改" in str(exc.value)


@pytest.mark.parametrize("role", ["officer", "enterprise"])
def test_a_closed_challenge_can_no_longer_be_withdrawn_whoever_asks(make, role):
    challenge = make.challenge(state="closed")
    actor = make.user(role, org=challenge.owner_org if role == "enterprise" else None)
    with pytest.raises(Refused) as exc:  # the state is the reason (409), not the role (403)
        fire(challenge, "withdraw", actor, comment="企业经营变化")
    assert str(exc.value) == "当前状态为“揭榜已截止”，不能执行“撤回”。"
    assert challenge.state == ChallengeState.closed
