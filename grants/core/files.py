"""Files written during a request live and die with its database transaction.

An upload is written to disk before the rows describing it are committed;
if the transaction then rolls back (a guard refuses, a race is lost), the
file would stay behind with nothing pointing at it. Writing through
:func:`write_file` registers it with the session, and a rollback of the
session's outermost transaction removes it again.
"""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from grants.extensions import db

_KEY = "grants_new_files"


def write_file(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    db.session.info.setdefault(_KEY, []).append(path)


@sa.event.listens_for(Session, "after_commit")
def _keep(session: Session) -> None:
    session.info.pop(_KEY, None)


@sa.event.listens_for(Session, "after_soft_rollback")
def _remove(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is not None:
        return  # an inner savepoint: the outer transaction may still commit
    for path in session.info.pop(_KEY, []):
        Path(path).unlink(missing_ok=True)
