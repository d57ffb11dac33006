"""The funding ledger of a project: three sources, planned and actual.

* bureau (public funds): planned = the award (its tranches), actual = the
  released tranches;
* enterprise: planned = the project's share of the challenge's enterprise
  co-funding (in proportion to its award among the challenge's projects still
  running, so parallel awards do not each count the whole amount; a terminated
  project plans what it received), actual = the contributions recorded as
  coming from the enterprise;
* own (the team's co-funding): planned = the winning bid's pledge, at least the
  challenge's own:public ratio of the award; actual = the contributions recorded
  as the team's own.

Contributions are recorded by the team or the officer (amount, date, note and an
optional PDF proof). Every release is checked against the challenge's budget and
against the co-funding recorded so far (:func:`within_challenge_budget`,
:func:`cofunding_in_step`, guards of the tranche's ``release``).
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.bids.rules import cofunding_ratio, yuan
from grants.core import attachments as files
from grants.core import audit, clock
from grants.core.validation import Errors, whole_number
from grants.extensions import db
from grants.projects import permissions as can
from grants.projects.agreement_rules import MAX_FEN
from grants.projects.models import Project, ProjectState, Tranche, TrancheState

SOURCES = ("bureau", "enterprise", "own")
SOURCE_LABELS = {"bureau": _l("Bureau (public funds)"), "enterprise": _l("Enterprise"),
                 "own": _l("Team's own co-funding")}
CONTRIBUTED = ("enterprise", "own")


class Contribution(db.Model):
    """Money the enterprise or the team put into the project, with an optional PDF proof."""

    __tablename__ = "project_contributions"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    source: Mapped[str] = mapped_column(sa.String(20))
    amount_fen: Mapped[int] = mapped_column(sa.BigInteger)
    paid_on: Mapped[date]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(default=clock.now)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    proof_filename: Mapped[str | None] = mapped_column(sa.String(255))
    proof_stored_name: Mapped[str | None] = mapped_column(sa.String(80), unique=True)
    proof_size: Mapped[int | None]
    proof_sha256: Mapped[str | None] = mapped_column(sa.String(64))

    recorded_by = relationship("User")

    __table_args__ = (sa.CheckConstraint("amount_fen > 0", name="amount_positive"),
                      sa.CheckConstraint("source IN ('enterprise', 'own')", name="source_known"))

    @property
    def source_label(self) -> str:
        return str(SOURCE_LABELS[self.source])


def contributions(project: Project) -> list[Contribution]:
    return db.session.scalars(sa.select(Contribution).where(Contribution.project_id == project.id)
                              .order_by(Contribution.paid_on, Contribution.id)).all()


def contributed_fen(project: Project) -> dict:
    """Recorded contributions so far by source: {"enterprise": fen, "own": fen}."""
    rows = db.session.execute(sa.select(Contribution.source, sa.func.sum(Contribution.amount_fen))
                              .where(Contribution.project_id == project.id).group_by(Contribution.source))
    return {source: 0 for source in CONTRIBUTED} | {source: int(total) for source, total in rows}


def released_fen(project: Project) -> int:
    return sum(t.amount_fen for t in project.tranches if t.state == TrancheState.released)


def enterprise_share_fen(project: Project, contributed: int) -> int:
    """This project's part of the challenge's enterprise co-funding (see the module's docstring)."""
    if project.state == ProjectState.terminated:
        return contributed
    whole = project.challenge.enterprise_cofunding_fen or 0
    awards = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Project.award_fen), 0)).where(
        Project.challenge_id == project.challenge_id, Project.state != ProjectState.terminated))
    return whole if not awards else whole * project.award_fen // int(awards)


def ledger(project: Project) -> dict:
    """The three sources, planned and actual, with the ratio the releases are held to."""
    own, public = cofunding_ratio(project.bid)
    pledged = project.bid.own_cofunding_fen or 0
    actual = {"bureau": released_fen(project)} | contributed_fen(project)
    planned = {"bureau": sum(t.amount_fen for t in project.tranches),
               "enterprise": enterprise_share_fen(project, actual["enterprise"]),
               "own": max(pledged, -(-project.award_fen * own // public))}
    return {"sources": [{"source": s, "label": str(SOURCE_LABELS[s]), "planned_fen": planned[s],
                         "actual_fen": actual[s]} for s in SOURCES],
            "ratio_own": own, "ratio_public": public,
            "planned_total_fen": sum(planned.values()), "actual_total_fen": sum(actual.values())}


def record_contribution(project: Project, *, actor, data: dict, upload=None) -> Contribution:
    """Record money the enterprise or the team put in: ``data`` has source, amount_fen,
    paid_on (a date or YYYY-MM-DD) and note; ``upload`` an optional (stream, filename) PDF."""
    can.enforce(can.can_record_contribution(actor, project))
    errors = Errors()
    source = data.get("source")
    if source not in CONTRIBUTED:
        errors.add("source", _("Choose where the money came from: the enterprise or the team's own funds."))
    amount = whole_number(errors, data, "amount_fen", _l("Amount"), low=1, high=MAX_FEN, required=True)
    paid_on = _paid_on(errors, data.get("paid_on"))
    errors.raise_if_any()
    proof = files.store_pdf(*upload, field="proof") if upload is not None else {}
    row = Contribution(project_id=project.id, source=source, amount_fen=amount, paid_on=paid_on,
                       note=str(data.get("note") or "").strip()[:2000], recorded_by_id=actor.id,
                       **{f"proof_{key}": proof[name] for key, name in
                          (("filename", "original_filename"), ("stored_name", "stored_name"), ("size", "size"),
                           ("sha256", "sha256")) if proof})
    db.session.add(row)
    db.session.flush()
    audit.record(project, "record_contribution", actor=actor,
                 evidence={"contribution_id": row.id, "source": source, "amount_fen": amount,
                           "paid_on": paid_on.isoformat(), "proof_sha256": row.proof_sha256})
    return row


def _paid_on(errors: Errors, value) -> date | None:
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value or "").strip())
        except ValueError:
            errors.add("paid_on", _("Give the date the money was paid (YYYY-MM-DD)."))
            return None
    if day > clock.today():
        errors.add("paid_on", _("A contribution cannot be recorded before it is paid."))
    return day


def contribution_of(project: Project, contribution_id: int) -> Contribution | None:
    row = db.session.get(Contribution, contribution_id)
    return row if row is not None and row.project_id == project.id else None


# release guards ------------------------------------------------------------------------

def within_challenge_budget(attempt):
    """The bureau pays no more for a challenge, over all its projects, than the challenge's budget."""
    tranche: Tranche = attempt.obj
    cap = tranche.project.challenge.budget_fen
    if not cap:
        return None
    paid = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Tranche.amount_fen), 0)).join(Project).where(
        Project.challenge_id == tranche.project.challenge_id, Tranche.state == TrancheState.released))
    if paid + tranche.amount_fen > cap:
        return _l("Releasing %(amount)s would bring the bureau's payments for this challenge to %(total)s, "
                  "above its budget of %(cap)s.", amount=yuan(tranche.amount_fen),
                  total=yuan(paid + tranche.amount_fen), cap=yuan(cap))
    return None


def cofunding_in_step(attempt):
    """The public funds follow the co-funding at the challenge's ratio.

    Rule: the project's first release (normally the tranche at signing) is always
    allowed. From the second release on, the bureau's released total including this
    tranche may be at most ``public / own`` times the co-funding recorded so far (the
    enterprise's and the team's own contributions together), own:public being the
    challenge's ratio (its override, else 2:1 when an enterprise leads, 1:1 for a
    university or institute): ``released_after × own ≤ contributed × public``.
    """
    tranche: Tranche = attempt.obj
    project = tranche.project
    released = released_fen(project)
    if released == 0:
        return None
    own, public = cofunding_ratio(project.bid)
    contributed = sum(contributed_fen(project).values())
    after = released + tranche.amount_fen
    attempt.evidence["cofunding"] = {"contributed_fen": contributed, "released_after_fen": after,
                                     "ratio": f"{own}:{public}"}
    if after * own > contributed * public:
        needed = -(-after * own // public)
        return _l("Releasing %(amount)s would bring the public funds to %(after)s, more than the co-funding "
                  "recorded so far (%(contributed)s) allows at %(own)s:%(public)s own to public; record at least "
                  "%(needed)s of enterprise or own contributions first.", amount=yuan(tranche.amount_fen),
                  after=yuan(after), contributed=yuan(contributed), own=own, public=public, needed=yuan(needed))
    return None
