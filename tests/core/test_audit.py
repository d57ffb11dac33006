import threading

import pytest
import sqlalchemy as sa

from grants.core import audit
from grants.core.audit import AuditImmutable
from grants.core.models import AuditEvent
from grants.extensions import db


def _three_events(make):
    org = make.org()
    audit.record(org, "note", comment="第二条")
    audit.record(org, "note", comment="第三条")
    db.session.commit()
    return org, audit.history(org)


def test_events_are_chained_and_verify(make):
    org, events = _three_events(make)
    assert [e.action for e in events] == ["create", "note", "note"]
    assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash
    assert audit.verify_chain().ok


def test_an_altered_event_is_reported_at_that_event(make):
    org, events = _three_events(make)
    db.session.execute(sa.update(AuditEvent.__table__).where(AuditEvent.__table__.c.id == events[1].id)
                       .values(comment="改过的"))
    report = audit.verify_chain()
    assert not report.ok and report.broken_at == events[1].id
    assert "altered" in report.problem


def test_a_removed_event_is_reported_at_the_next_one(make):
    org, events = _three_events(make)
    db.session.execute(sa.delete(AuditEvent.__table__).where(AuditEvent.__table__.c.id == events[1].id))
    report = audit.verify_chain()
    assert report.broken_at == events[2].id
    assert "removed or altered" in report.problem


def test_the_code_has_no_update_or_delete_path(make):
    org, events = _three_events(make)
    events[0].comment = "rewrite history"
    with pytest.raises(AuditImmutable):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEvent, events[0].id))
    with pytest.raises(AuditImmutable):
        db.session.flush()
    db.session.rollback()


def test_cli_verify_exit_codes(app, make):
    org, events = _three_events(make)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "intact" in result.output
    db.session.execute(sa.update(AuditEvent.__table__).where(AuditEvent.__table__.c.id == events[2].id)
                       .values(actor_label="someone else"))
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN at event {events[2].id}" in result.output


@pytest.mark.postgres
def test_concurrent_writers_keep_one_unbroken_chain(app, make):
    with app.app_context():
        org = make.org()
        org_id = org.id
    db.session.remove()
    from grants.auth.models import Organization

    barrier = threading.Barrier(4)
    errors = []

    def writer(n):
        try:
            with app.app_context():
                target = db.session.get(Organization, org_id)
                barrier.wait()
                for i in range(10):
                    audit.record(target, "note", comment=f"w{n}-{i}")
                    db.session.commit()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with app.app_context():
        report = audit.verify_chain()
        assert report.ok and report.checked == 41
