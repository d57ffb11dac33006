"""``flask audit verify`` sees what the hash chain alone cannot: a state
written around the application, and the newest events removed (compared
with the signed checkpoint ``flask tick`` leaves outside the database)."""
from __future__ import annotations

import json

import sqlalchemy as sa

from grants.core import audit, checkpoint
from grants.core.models import AuditEvent
from grants.extensions import db
from tests.projects.helpers import signed


def _verify(app):
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def test_a_whole_workflow_leaves_every_state_agreeing_with_its_events(app, make):
    signed(make)  # a challenge, bids, reviews, an award, a project with its agreement confirmed
    assert audit.reconcile_states() == []
    result = _verify(app)
    assert result.exit_code == 0 and "object states agree" in result.output


def test_a_state_set_by_hand_in_the_database_is_reported(app, make):
    challenge = make.challenge(state="published")
    draft = make.challenge(state="draft")
    db.session.execute(sa.text("UPDATE challenges SET state='closed' WHERE id = :id"), {"id": challenge.id})
    db.session.execute(sa.text("UPDATE challenges SET state='submitted' WHERE id = :id"), {"id": draft.id})
    db.session.commit()
    mismatches = {(m.object_id, m.state, m.recorded) for m in audit.reconcile_states()}
    assert mismatches == {(challenge.id, "closed", "published"), (draft.id, "submitted", None)}
    result = _verify(app)
    assert result.exit_code == 1
    assert f"challenge {challenge.id} is 'closed' but the trail last recorded published" in result.output
    assert f"challenge {draft.id} is 'submitted' but the trail last recorded its initial state" in result.output


def test_tick_writes_a_signed_checkpoint_that_verify_compares(app, make):
    make.challenge(state="published")
    assert "audit_checkpoint:" in app.test_cli_runner().invoke(args=["tick"]).output
    path = checkpoint.checkpoint_path()
    written = json.loads(path.read_text())
    head = db.session.scalar(sa.select(sa.func.max(AuditEvent.id)))
    assert written["event_id"] == head and len(written["mac"]) == 64
    result = _verify(app)
    assert result.exit_code == 0 and "the chain still holds the signed head" in result.output


def test_removing_the_newest_events_is_reported(app, make):
    make.challenge(state="published")
    app.test_cli_runner().invoke(args=["tick"])
    newest = db.session.scalars(sa.select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(2)).all()
    db.session.execute(sa.delete(AuditEvent.__table__).where(AuditEvent.__table__.c.id.in_(newest)))
    db.session.commit()
    assert audit.verify_chain().ok  # the shorter chain is still a valid chain ...
    result = _verify(app)
    assert result.exit_code == 1  # ... but not the one the checkpoint signed
    assert f"event {max(newest)}" in result.output and "newest events were removed" in result.output


def test_an_edited_checkpoint_is_reported(app, make):
    make.challenge(state="published")
    app.test_cli_runner().invoke(args=["tick"])
    path = checkpoint.checkpoint_path()
    data = json.loads(path.read_text())
    data["event_id"] -= 1  # as if pointing at an earlier head
    path.write_text(json.dumps(data))
    result = _verify(app)
    assert result.exit_code == 1 and "valid signature" in result.output


def test_without_a_checkpoint_verify_says_so_and_still_checks_the_rest(app, make):
    make.org()
    result = _verify(app)
    assert result.exit_code == 0 and "no checkpoint" in result.output
