"""The audit chain's head, anchored outside the database.

The hash chain (:mod:`grants.core.audit`) shows an event altered or removed
in the middle, but not the newest events removed: the shorter chain is
still a valid chain. So every ``flask tick`` writes a checkpoint, the head's
id and hash and the number of events up to it, signed with an HMAC, to a
file outside the database (``AUDIT_CHECKPOINT_FILE``, by default
``instance/audit-checkpoint.json``). ``flask audit verify`` checks the
signature and that the chain still holds that event with that hash and that
many events before it. Someone able to edit the database but not that file
(or the key) can no longer shorten the trail unnoticed; only the events
since the last tick (a minute, from cron) are not yet covered.

The key is ``AUDIT_CHECKPOINT_KEY_FILE`` when set (keep it away from the
database's backups), else one derived from ``SECRET_KEY``.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from grants.core import clock
from grants.core.models import AuditEvent
from grants.core.registry import tick_job
from grants.extensions import db


@dataclass
class Checkpoint:
    event_id: int
    hash: str
    count: int
    written_at: str

    def message(self) -> bytes:
        return f"{self.event_id}:{self.hash}:{self.count}:{self.written_at}".encode()


def checkpoint_path() -> Path:
    configured = current_app.config.get("AUDIT_CHECKPOINT_FILE") or os.environ.get("AUDIT_CHECKPOINT_FILE")
    return Path(configured) if configured else Path(current_app.instance_path) / "audit-checkpoint.json"


def _key() -> bytes:
    key_file = current_app.config.get("AUDIT_CHECKPOINT_KEY_FILE") or os.environ.get("AUDIT_CHECKPOINT_KEY_FILE")
    if key_file:
        return Path(key_file).read_bytes().strip()
    secret = str(current_app.config.get("SECRET_KEY") or "").encode()
    return hmac.new(secret, b"grants audit checkpoint", hashlib.sha256).digest()


def sign(checkpoint: Checkpoint) -> str:
    return hmac.new(_key(), checkpoint.message(), hashlib.sha256).hexdigest()


def current_head() -> Checkpoint | None:
    head = db.session.execute(sa.select(AuditEvent.id, AuditEvent.hash)
                              .order_by(AuditEvent.id.desc()).limit(1)).first()
    if head is None:
        return None
    count = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.id <= head.id))
    return Checkpoint(head.id, head.hash, count, clock.now().isoformat(timespec="seconds"))


def write_checkpoint() -> int:
    """Sign the chain's head and replace the file with it; returns the head's event id (0: none)."""
    checkpoint = current_head()
    if checkpoint is None:
        return 0
    path = checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(json.dumps({**checkpoint.__dict__, "mac": sign(checkpoint)}), encoding="utf-8")
    os.replace(temporary, path)  # whole or not at all
    return checkpoint.event_id


@tick_job("audit_checkpoint", order=1000)  # last: after the other jobs' events
def _tick_checkpoint() -> int:
    return write_checkpoint()


def check_against_checkpoint() -> tuple[str | None, str | None]:
    """(problem, note): what is wrong with the chain compared with the checkpoint, or a note when
    there is nothing to compare with yet."""
    path = checkpoint_path()
    if not path.exists():
        return None, f"no checkpoint at {path} yet (written by `flask tick`)"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        mac = data.pop("mac")
        checkpoint = Checkpoint(**data)
    except (ValueError, KeyError, TypeError):
        return f"the checkpoint file {path} cannot be read", None
    if not hmac.compare_digest(mac, sign(checkpoint)):
        return f"the checkpoint file {path} does not carry a valid signature (altered, or another key)", None
    stored = db.session.scalar(sa.select(AuditEvent.hash).where(AuditEvent.id == checkpoint.event_id))
    if stored is None:
        return (f"event {checkpoint.event_id}, the chain's head at the checkpoint of {checkpoint.written_at}, "
                f"is missing (the newest events were removed)"), None
    if stored != checkpoint.hash:
        return f"event {checkpoint.event_id} differs from the checkpoint of {checkpoint.written_at}", None
    count = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                              .where(AuditEvent.id <= checkpoint.event_id))
    if count != checkpoint.count:
        return (f"{checkpoint.count} events up to event {checkpoint.event_id} at the checkpoint of "
                f"{checkpoint.written_at}, {count} now"), None
    return None, None
