from datetime import timedelta

import pytest
import sqlalchemy as sa

from grants.auth.models import Organization
from grants.core import audit, clock
from grants.core.models import AuditEvent
from grants.extensions import db
from grants.integrity.effects import BLACK_EFFECTS, on_black_entry
from grants.integrity.imports import import_entries
from grants.integrity.models import IntegrityEntry
from tests.factories import integrity_csv, integrity_row


@pytest.fixture
def flag_org_effect():
    """A stand-in for the bids/projects/reviews effects: flags the listed organisation."""
    calls = []

    @on_black_entry("test_flag_org")
    def flag_org(entry, actor):
        calls.append(entry.id)
        org = db.session.scalar(sa.select(Organization).where(Organization.credit_code == entry.subject_code))
        if org is None:
            return 0
        audit.record(org, "integrity_flagged", actor=actor, evidence={"entry_id": entry.id})
        return 1

    yield calls
    BLACK_EFFECTS[:] = [(name, fn) for name, fn in BLACK_EFFECTS if name != "test_flag_org"]


def events(obj, action):
    return [e for e in audit.history(obj) if e.action == action]


def test_black_entry_added_now_runs_every_effect_once_with_audit_events(make, flag_org_effect):
    org = make.org()
    officer = make.user("officer")
    entry = make.black(org, actor=officer)
    assert flag_org_effect == [entry.id]
    assert entry.effects_applied_at is not None
    (applied,) = events(entry, "apply_effects")
    assert applied.evidence["touched"]["test_flag_org"] == 1 and applied.actor_id == officer.id
    (flagged,) = events(org, "integrity_flagged")
    assert flagged.evidence == {"entry_id": entry.id}
    # nothing runs twice
    from grants.core.cli import run_tick

    run_tick()
    assert flag_org_effect == [entry.id]


def test_red_entries_and_entries_hitting_nothing_write_no_effect_event(make, flag_org_effect):
    org = make.org()
    red = make.red(org)
    assert flag_org_effect == [] and not events(red, "apply_effects")
    loner = make.black(make.person())
    assert flag_org_effect == [loner.id]
    assert not events(loner, "apply_effects")  # touched nothing: no event for it


def test_entry_whose_start_date_is_reached_takes_effect_on_tick(app, make, flag_org_effect):
    org = make.org()
    start = clock.today() + timedelta(days=3)
    entry = make.black(org, start_on=start)
    assert flag_org_effect == [] and entry.effects_applied_at is None
    runner = app.test_cli_runner()
    assert "integrity_effects: 0" in runner.invoke(args=["tick"]).output
    clock.set_now(clock.now() + timedelta(days=3))
    result = runner.invoke(args=["tick"])
    assert "integrity_effects: 1" in result.output, result.output
    db.session.refresh(entry)
    assert flag_org_effect == [entry.id] and entry.effects_applied_at is not None
    (applied,) = events(entry, "apply_effects")
    assert applied.actor_id is None and applied.actor_label == "system"
    assert len(events(org, "integrity_flagged")) == 1
    assert "integrity_effects: 0" in runner.invoke(args=["tick"]).output


def test_import_applies_effects_of_black_entries_in_force(app, make, flag_org_effect):
    org = make.org()
    later = make.org()
    data = integrity_csv([integrity_row(org), integrity_row(later, start_on="2026-06-01"),
                          integrity_row(make.org(), list_kind="red")])
    report = import_entries(data, file_name="list.csv")
    assert report.written
    entry = db.session.scalar(sa.select(IntegrityEntry).where(IntegrityEntry.subject_code == org.credit_code))
    assert flag_org_effect == [entry.id]
    assert len(events(org, "integrity_flagged")) == 1 and not events(later, "integrity_flagged")
    (batch,) = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "import")).all()
    assert batch.evidence["effects_applied"] == 1 and batch.evidence["black_in_force_added"] == 1


@pytest.fixture
def no_effects():
    saved = list(BLACK_EFFECTS)
    BLACK_EFFECTS.clear()
    yield
    BLACK_EFFECTS[:] = saved


def test_without_registered_effects_applying_is_one_statement(make, app, no_effects):
    data = integrity_csv([integrity_row() for _ in range(30)])
    counter = []
    listen = lambda *a, **k: counter.append(1)  # noqa: E731
    conn = db.session.connection()
    sa.event.listen(conn, "before_cursor_execute", listen)
    try:
        report = import_entries(data, file_name="list.csv")
    finally:
        sa.event.remove(conn, "before_cursor_execute", listen)
    assert report.added == 30
    assert len(counter) < 15
    assert not db.session.scalar(sa.select(sa.func.count(IntegrityEntry.id))
                                 .where(IntegrityEntry.effects_applied_at.is_(None)))


def test_an_effect_with_a_live_codes_prefilter_runs_only_for_entries_it_may_hit(make):
    from grants.integrity.effects import LIVE_CODES

    calls, asked = [], []
    busy = make.org()

    def live_codes(subject_type, codes):
        asked.append((subject_type, set(codes)))
        return {busy.credit_code} & set(codes)

    @on_black_entry("test_prefiltered", live_codes=live_codes)
    def prefiltered(entry, actor):
        calls.append(entry.subject_code)
        return 1

    try:
        idle = [make.org() for _ in range(3)]
        data = integrity_csv([integrity_row(busy)] + [integrity_row(o) for o in idle])
        assert import_entries(data, file_name="list.csv").written
    finally:
        BLACK_EFFECTS[:] = [(n, fn) for n, fn in BLACK_EFFECTS if n != "test_prefiltered"]
        LIVE_CODES.pop("test_prefiltered", None)
    assert calls == [busy.credit_code]
    assert len(asked) == 1 and len(asked[0][1]) == 4  # one question for the whole batch
    entries = db.session.scalars(sa.select(IntegrityEntry)).all()
    assert all(e.effects_applied_at is not None for e in entries)
