"""The audit trail: append-only, hash-chained events.

Every event stores the SHA-256 of its own content and of the previous event.
All appends share one chain; on PostgreSQL an append takes a
transaction-level advisory lock so that concurrent writers queue for the
few microseconds between reading the chain's head and inserting. Altering
or removing an event breaks the chain at that point, and
:func:`verify_chain` reports where.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import event as sa_event

from grants.core import clock
from grants.core.models import AuditEvent
from grants.extensions import db

GENESIS = "0" * 64
CHAIN_LOCK_KEY = 0x6772_616E_7473  # "grants"


class AuditImmutable(RuntimeError):
    pass


@sa_event.listens_for(AuditEvent, "before_update")
def _refuse_update(mapper, connection, target):
    raise AuditImmutable("audit events are append-only")


@sa_event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise AuditImmutable("audit events are append-only")


def object_type_of(obj) -> str:
    return getattr(type(obj), "__audit_type__", type(obj).__tablename__)


def content_hash(ev: AuditEvent) -> str:
    payload = json.dumps(
        {
            "object_type": ev.object_type,
            "object_id": ev.object_id,
            "action": ev.action,
            "from": ev.from_state,
            "to": ev.to_state,
            "actor_id": ev.actor_id,
            "actor": ev.actor_label,
            "at": ev.at.isoformat(timespec="microseconds"),
            "comment": ev.comment,
            "evidence": ev.evidence,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256((ev.prev_hash + payload).encode("utf-8")).hexdigest()


def _lock_chain() -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(CHAIN_LOCK_KEY)))


def actor_label(actor) -> str:
    if actor is None:
        return "system"
    return f"{actor.display_name} <{actor.email}>"


def record(
    obj,
    action: str,
    *,
    actor=None,
    from_state: str | None = None,
    to_state: str | None = None,
    comment: str | None = None,
    evidence: dict | None = None,
) -> AuditEvent:
    """Append an event about ``obj`` to the chain (flushes, never commits)."""
    if obj.id is None:
        db.session.flush()
    _lock_chain()
    prev = db.session.scalar(
        sa.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    )
    ev = AuditEvent(
        object_type=object_type_of(obj),
        object_id=obj.id,
        action=action,
        from_state=None if from_state is None else str(from_state),
        to_state=None if to_state is None else str(to_state),
        actor_id=getattr(actor, "id", None),
        actor_label=actor_label(actor),
        at=clock.now(),
        comment=comment or None,
        evidence=_jsonable(evidence) if evidence else None,
        prev_hash=prev or GENESIS,
    )
    ev.hash = content_hash(ev)
    db.session.add(ev)
    db.session.flush()
    return ev


def _jsonable(value):
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def history(obj_or_type, object_id: int | None = None, *, limit: int | None = None):
    """Events of one object, oldest first."""
    if object_id is None:
        object_type, object_id = object_type_of(obj_or_type), obj_or_type.id
    else:
        object_type = obj_or_type
    query = (
        sa.select(AuditEvent)
        .where(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)
        .order_by(AuditEvent.id)
    )
    if limit:
        query = query.limit(limit)
    return db.session.scalars(query).all()


@dataclass
class ChainReport:
    checked: int
    broken_at: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(batch: int = 2000) -> ChainReport:
    """Walk the chain in order; report the first altered or removed event."""
    prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        table = AuditEvent.__table__
        rows = db.session.execute(
            sa.select(table).where(table.c.id > last_id).order_by(table.c.id).limit(batch)
        ).all()
        if not rows:
            return ChainReport(checked)
        for ev in rows:
            if ev.prev_hash != prev:
                return ChainReport(
                    checked,
                    ev.id,
                    f"event {ev.id} does not follow the previous event "
                    f"(an event before it was removed or altered)",
                )
            if content_hash(ev) != ev.hash:
                return ChainReport(checked, ev.id, f"event {ev.id} was altered")
            prev = ev.hash
            checked += 1
            last_id = ev.id


@dataclass
class Mismatch:
    object_type: str
    object_id: int
    state: str
    recorded: str | None  # the last state the trail recorded; None: never changed by a transition

    def __str__(self) -> str:
        recorded = self.recorded or "its initial state (no transition recorded)"
        return f"{self.object_type} {self.object_id} is '{self.state}' but the trail last recorded {recorded}"


def workflow_models() -> list[type]:
    """Every model whose state a workflow keeps (and so an event records)."""
    return sorted({m.class_ for m in db.Model.registry.mappers if getattr(m.class_, "__workflow__", None)},
                  key=lambda cls: cls.__tablename__)


def reconcile_states(limit: int = 100) -> list[Mismatch]:
    """Objects whose current state is not the last one their events recorded.

    Every state change goes through the workflow, which writes an event with
    the new state in the same transaction; a state that differs from the
    last ``to_state`` of its object's events (or from the initial state, when
    there is none) was written around the application, e.g. by hand in SQL.
    """
    mismatches: list[Mismatch] = []
    events = AuditEvent.__table__
    for model in workflow_models():
        object_type = getattr(model, "__audit_type__", model.__tablename__)
        last = (sa.select(events.c.object_id, sa.func.max(events.c.id).label("id"))
                .where(events.c.object_type == object_type, events.c.to_state.is_not(None))
                .group_by(events.c.object_id).subquery())
        recorded = (sa.select(last.c.object_id, events.c.to_state)
                    .join(events, events.c.id == last.c.id).subquery())
        table = model.__table__
        rows = db.session.execute(
            sa.select(table.c.id, table.c.state, recorded.c.to_state)
            .outerjoin(recorded, recorded.c.object_id == table.c.id).order_by(table.c.id))
        initial = model.__workflow__.initial
        for object_id, state, to_state in rows:
            state = getattr(state, "value", state)
            if state != (to_state if to_state is not None else initial):
                mismatches.append(Mismatch(object_type, object_id, state, to_state))
                if len(mismatches) >= limit:
                    return mismatches
    return mismatches
