"""The workflow engine, on a small test-only kind of object."""
import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from grants.core import audit, clock
from grants.core.errors import ChangedUnderYou, Forbidden, Refused
from grants.core.models import AuditEvent, Versioned
from grants.core.workflow import Workflow, fire, transition
from grants.extensions import db


class GadgetBase(DeclarativeBase):
    pass


def _not_on_sunday(attempt):
    if clock.to_local(attempt.now).weekday() == 6:
        return "周日不办理"
    return None


def _owner_only(attempt):
    if attempt.actor is not None and attempt.actor.id != attempt.obj.owner_id:
        return "只有所有者可以提交"
    return None


def _stamp(attempt):
    attempt.obj.note = f"submitted by {attempt.actor.id}"


GADGET_FLOW = Workflow(
    "gadget",
    states={"draft": "草稿", "submitted": "已提交", "approved": "已批准"},
    initial="draft",
    transitions=[
        transition("submit", "draft", "submitted", roles={"applicant"}, label="提交",
                   allow=_owner_only, guards=[_not_on_sunday], effects=[_stamp]),
        transition("approve", "submitted", "approved", roles={"officer"}, label="批准"),
        transition("return_it", "submitted", "draft", roles={"officer"}, label="退回",
                   comment_required=True),
    ],
)


class Gadget(Versioned, GadgetBase):
    __tablename__ = "test_gadgets"
    __audit_type__ = "gadget"
    __workflow__ = GADGET_FLOW

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(sa.String(20), default="draft")
    owner_id: Mapped[int]
    note: Mapped[str | None]


@pytest.fixture
def gadget(app, make):
    GadgetBase.metadata.create_all(db.session.connection())
    owner = make.user("applicant")
    item = Gadget(owner_id=owner.id)
    db.session.add(item)
    db.session.flush()
    return item, owner


def _events(item):
    return audit.history("gadget", item.id)


def test_allowed_transition_changes_state_runs_effects_and_writes_one_event(gadget):
    item, owner = gadget
    event = fire(item, "submit", owner, comment="ready")
    assert item.state == "submitted"
    assert item.note == f"submitted by {owner.id}"
    assert [(e.action, e.from_state, e.to_state, e.actor_id, e.comment) for e in _events(item)] == [
        ("submit", "draft", "submitted", owner.id, "ready")
    ]
    assert event.at == clock.now()


def test_guard_refusal_carries_the_reason_and_changes_nothing(gadget):
    item, owner = gadget
    clock.set_now(clock.from_local(__import__("datetime").datetime(2026, 3, 8, 10)))  # a Sunday
    with pytest.raises(Refused, match="周日不办理"):
        fire(item, "submit", owner)
    assert item.state == "draft"
    assert _events(item) == []


def test_role_that_may_not_fire_is_forbidden(gadget, make):
    item, owner = gadget
    fire(item, "submit", owner)
    with pytest.raises(Forbidden, match="您的角色无权执行“批准”"):
        fire(item, "approve", owner)
    assert item.state == "submitted"


def test_object_level_permission_is_checked(gadget, make):
    item, _owner = gadget
    stranger = make.user("applicant")
    with pytest.raises(Forbidden, match="只有所有者可以提交"):
        fire(item, "submit", stranger)


def test_transition_from_the_wrong_state_is_refused_in_words(gadget, make):
    item, _owner = gadget
    officer = make.user("officer")
    with pytest.raises(Refused, match="当前状态为“草稿”，不能执行“批准”"):
        fire(item, "approve", officer)


def test_comment_required_transition_refuses_without_one(gadget, make):
    item, owner = gadget
    officer = make.user("officer")
    fire(item, "submit", owner)
    with pytest.raises(Refused, match="须填写理由"):
        fire(item, "return_it", officer, comment="  ")
    fire(item, "return_it", officer, comment="补充材料")
    assert item.state == "draft"


def test_unknown_transition_is_refused(gadget):
    item, owner = gadget
    with pytest.raises(Refused, match="不存在名为“explode”的操作"):
        fire(item, "explode", owner)


def test_stale_version_from_a_form_is_reported_as_changed(gadget, make):
    item, owner = gadget
    seen_version = item.version
    fire(item, "submit", owner)
    officer = make.user("officer")
    with pytest.raises(ChangedUnderYou, match="已被他人修改"):
        fire(item, "approve", officer, expected_version=seen_version)
    assert item.state == "submitted"


def test_a_failing_effect_leaves_no_event_and_no_state_after_rollback(gadget):
    item, owner = gadget
    boom = transition("submit", "draft", "submitted", roles={"applicant"}, label="提交",
                      effects=[lambda a: 1 / 0])
    original = GADGET_FLOW.transitions["submit"]
    GADGET_FLOW.transitions["submit"] = boom
    try:
        with pytest.raises(ZeroDivisionError):
            fire(item, "submit", owner)
    finally:
        GADGET_FLOW.transitions["submit"] = original
    assert item.state == "draft"
    assert _events(item) == []


def test_available_lists_what_the_actor_may_try(gadget, make):
    item, owner = gadget
    officer = make.user("officer")
    assert [t.name for t in GADGET_FLOW.available(item, owner)] == ["submit"]
    assert GADGET_FLOW.available(item, officer) == []
    fire(item, "submit", owner)
    assert [t.name for t in GADGET_FLOW.available(item, officer)] == ["approve", "return_it"]


@pytest.mark.postgres
def test_two_officers_acting_at_once_exactly_one_wins(app, make):
    with app.app_context():
        GadgetBase.metadata.create_all(db.engine)
        owner = make.user("applicant")
        officer_a, officer_b = make.user("officer"), make.user("officer")
        item = Gadget(owner_id=owner.id)
        db.session.add(item)
        db.session.commit()
        fire(item, "submit", owner)
        db.session.commit()
        item_id, ids = item.id, (officer_a.id, officer_b.id)
    db.session.remove()

    barrier = threading.Barrier(2)
    outcomes = []

    def act(officer_id, name, comment):
        with app.app_context():
            from grants.auth.models import User

            officer = db.session.get(User, officer_id)
            target = db.session.get(Gadget, item_id)
            barrier.wait()
            try:
                fire(target, name, officer, comment=comment)
                db.session.commit()
                outcomes.append("won")
            except ChangedUnderYou as exc:
                db.session.rollback()
                outcomes.append(str(exc))

    threads = [threading.Thread(target=act, args=(ids[0], "approve", None)),
               threading.Thread(target=act, args=(ids[1], "return_it", "重写"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert outcomes.count("won") == 1
        assert any("已被他人修改" in o for o in outcomes)
        with app.app_context():
            events = audit.history("gadget", item_id)
            assert [e.action for e in events][:1] == ["submit"] and len(events) == 2
            assert audit.verify_chain().ok
    finally:
        with app.app_context():
            GadgetBase.metadata.drop_all(db.engine)


def test_an_empty_or_damaged_version_from_a_form(gadget):
    item, owner = gadget
    with pytest.raises(Refused, match="版本号不是数字"):
        fire(item, "submit", owner, expected_version="abc")
    fire(item, "submit", owner, expected_version="")
    assert item.state == "submitted"


def test_a_later_area_extends_a_workflow_in_place(gadget, make):
    """Transitions and effects added later rebuild the same workflow object."""
    from grants.core.workflow import WORKFLOWS

    item, owner = gadget
    declared = list(GADGET_FLOW.transitions.values())
    archived = []
    GADGET_FLOW.extend(transition("archive", "approved", "draft", roles={"officer"}, label="归档"))
    GADGET_FLOW.add_effects("archive", lambda attempt: archived.append(attempt.obj.id))
    try:
        assert WORKFLOWS["gadget"] is GADGET_FLOW is Gadget.__workflow__
        officer = make.user("officer")
        fire(item, "submit", owner)
        fire(item, "approve", officer)
        fire(item, "archive", officer)
        assert item.state == "draft" and archived == [item.id]
    finally:
        GADGET_FLOW.rebuild(declared)
    with pytest.raises(Refused, match="archive"):
        fire(item, "archive", make.user("officer"))
