"""Projects created when an award is confirmed, and their task agreement (任务书).

The agreement's parts (milestones, indicators, tranches) are rows of the
project; :class:`TaskAgreement` holds its header (dates, budget breakdown)
and the three parties' confirmations. Each confirmed version is kept as an
:class:`AgreementVersion` snapshot. Progress reports and their values live in
:mod:`grants.projects.reports`.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.core import clock
from grants.core.models import Timestamps, Versioned, enum_type
from grants.extensions import db


class ProjectState(enum.StrEnum):
    contracting = "contracting"
    active = "active"
    suspended = "suspended"
    acceptance_requested = "acceptance_requested"
    under_acceptance = "under_acceptance"
    accepted = "accepted"
    rectifying = "rectifying"
    failed = "failed"
    terminated = "terminated"


PROJECT_STATE_LABELS = {
    ProjectState.contracting: _l("contracting (task agreement)"),
    ProjectState.active: _l("in progress"),
    ProjectState.suspended: _l("suspended"),
    ProjectState.acceptance_requested: _l("acceptance requested"),
    ProjectState.under_acceptance: _l("under acceptance"),
    ProjectState.accepted: _l("passed acceptance"),
    ProjectState.rectifying: _l("rectifying"),
    ProjectState.failed: _l("failed acceptance"),
    ProjectState.terminated: _l("terminated"),
}


class Project(Timestamps, Versioned, db.Model):
    __tablename__ = "projects"
    __audit_type__ = "project"

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[ProjectState] = mapped_column(enum_type(ProjectState), default=ProjectState.contracting,
                                                index=True)
    challenge_id: Mapped[int] = mapped_column(sa.ForeignKey("challenges.id"), index=True)
    bid_id: Mapped[int] = mapped_column(sa.ForeignKey("bids.id"), unique=True)
    lead_org_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    lead_person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("persons.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    award_fen: Mapped[int] = mapped_column(sa.BigInteger)
    # Where ``resume`` returns to: the state the project was suspended from.
    suspended_from: Mapped[ProjectState | None] = mapped_column(sa.Enum(
        ProjectState, name="suspended_from", native_enum=False, create_constraint=True, length=30,
        values_callable=lambda e: [m.value for m in e], validate_strings=True))
    # Lead and organisation both on the red list when the agreement was signed (联合激励).
    red_at_signing: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The officer waived the expert check of this (mid-way) milestone; a black entry clears it.
    waived_milestone_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("milestones.id", use_alter=True, name="fk_projects_waived_milestone_id_milestones"))

    challenge = relationship("Challenge")
    bid = relationship("Bid")
    lead_org = relationship("Organization", lazy="joined")
    lead_person = relationship("Person")
    agreement: Mapped["TaskAgreement | None"] = relationship(back_populates="project", uselist=False)
    milestones: Mapped[list["Milestone"]] = relationship(
        back_populates="project", foreign_keys="Milestone.project_id",
        order_by="Milestone.position")
    indicators: Mapped[list["Indicator"]] = relationship(back_populates="project",
                                                         order_by="Indicator.position")
    tranches: Mapped[list["Tranche"]] = relationship(back_populates="project", order_by="Tranche.position")

    __table_args__ = (sa.CheckConstraint("award_fen > 0", name="award_positive"),
                      sa.CheckConstraint("(state = 'suspended') = (suspended_from IS NOT NULL)",
                                         name="suspended_has_origin"))

    @property
    def state_label(self) -> str:
        return str(PROJECT_STATE_LABELS[self.state])

    def __str__(self) -> str:
        return self.title


class TaskAgreement(Versioned, Timestamps, db.Model):
    """The header of a project's task agreement and the parties' confirmations.

    Any edit clears the three confirmations; the third confirmation stores a
    snapshot (:class:`AgreementVersion`) and, the first time, signs the project.
    """

    __tablename__ = "task_agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), unique=True)
    start_on: Mapped[date]
    end_on: Mapped[date]
    equipment_fen: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    materials_fen: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    personnel_fen: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    other_fen: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    officer_confirmed_at: Mapped[datetime | None]
    officer_confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    enterprise_confirmed_at: Mapped[datetime | None]
    enterprise_confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    lead_confirmed_at: Mapped[datetime | None]
    lead_confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # How many versions the three parties have confirmed so far (0: never signed).
    confirmed_versions: Mapped[int] = mapped_column(default=0)

    project: Mapped[Project] = relationship(back_populates="agreement")

    __table_args__ = (
        sa.CheckConstraint("end_on > start_on", name="ends_after_start"),
        sa.CheckConstraint("equipment_fen >= 0 AND materials_fen >= 0 AND personnel_fen >= 0 "
                           "AND other_fen >= 0", name="breakdown_not_negative"),
    )

    PARTIES = ("officer", "enterprise", "lead")

    @property
    def breakdown_total_fen(self) -> int:
        return self.equipment_fen + self.materials_fen + self.personnel_fen + self.other_fen

    def confirmed_by(self, party: str) -> bool:
        return getattr(self, f"{party}_confirmed_at") is not None

    @property
    def fully_confirmed(self) -> bool:
        return all(self.confirmed_by(p) for p in self.PARTIES)


class MilestoneState(enum.StrEnum):
    pending = "pending"
    submitted = "submitted"
    approved = "approved"
    returned = "returned"


MILESTONE_STATE_LABELS = {
    MilestoneState.pending: _l("pending"),
    MilestoneState.submitted: _l("report submitted"),
    MilestoneState.approved: _l("approved"),
    MilestoneState.returned: _l("returned for revision"),
}


class Milestone(Versioned, db.Model):
    """A milestone of the agreement; overdue is derived from ``due_on``, never stored."""

    __tablename__ = "milestones"
    __audit_type__ = "milestone"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    state: Mapped[MilestoneState] = mapped_column(enum_type(MilestoneState), default=MilestoneState.pending,
                                                  index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    due_on: Mapped[date] = mapped_column(index=True)
    deliverables: Mapped[str] = mapped_column(sa.Text, default="")
    # The due date a reminder was last sent for (``flask tick``): one reminder of each kind per due date.
    due_soon_reminded_for: Mapped[date | None]  # 14 days before
    due_3_days_reminded_for: Mapped[date | None]  # 3 days before
    overdue_reminded_for: Mapped[date | None]

    project: Mapped[Project] = relationship(back_populates="milestones", foreign_keys=[project_id])

    @property
    def state_label(self) -> str:
        return str(MILESTONE_STATE_LABELS[self.state])

    def is_overdue(self, today: date) -> bool:
        return self.state != MilestoneState.approved and self.due_on < today

    def __str__(self) -> str:
        return self.title


def overdue_clause(today: date):
    """The SQL form of :meth:`Milestone.is_overdue`."""
    return sa.and_(Milestone.state != MilestoneState.approved, Milestone.due_on < today)


class Indicator(db.Model):
    """A performance indicator of the agreement; a binding one is the team's pledge (军令状)."""

    __tablename__ = "project_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    challenge_indicator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("challenge_indicators.id"))
    name: Mapped[str] = mapped_column(sa.String(200))
    unit: Mapped[str] = mapped_column(sa.String(50), default="")
    baseline: Mapped[str] = mapped_column(sa.String(100), default="")
    target: Mapped[str] = mapped_column(sa.String(100))
    binding: Mapped[bool] = mapped_column(default=False)

    project: Mapped[Project] = relationship(back_populates="indicators")


class TrancheState(enum.StrEnum):
    planned = "planned"
    released = "released"


TRANCHE_STATE_LABELS = {TrancheState.planned: _l("planned"), TrancheState.released: _l("released")}


class Tranche(Versioned, db.Model):
    """A funding tranche (经费拨付), due at signing (no milestone) or at a milestone's approval."""

    __tablename__ = "tranches"
    __audit_type__ = "tranche"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    state: Mapped[TrancheState] = mapped_column(enum_type(TrancheState), default=TrancheState.planned,
                                                index=True)
    amount_fen: Mapped[int] = mapped_column(sa.BigInteger)
    milestone_id: Mapped[int | None] = mapped_column(sa.ForeignKey("milestones.id"), index=True)
    released_on: Mapped[date | None]
    released_at: Mapped[datetime | None]
    released_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    project: Mapped[Project] = relationship(back_populates="tranches")
    milestone: Mapped[Milestone | None] = relationship()
    released_by = relationship("User")

    __table_args__ = (
        sa.CheckConstraint("amount_fen > 0", name="amount_positive"),
        sa.CheckConstraint("(state = 'released') = (released_at IS NOT NULL)", name="released_has_time"),
    )

    @property
    def at_signing(self) -> bool:
        return self.milestone_id is None

    @property
    def state_label(self) -> str:
        return str(TRANCHE_STATE_LABELS[self.state])


class AgreementVersion(db.Model):
    """A confirmed version of the agreement, as the three parties saw it (JSON snapshot)."""

    __tablename__ = "agreement_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    number: Mapped[int]
    confirmed_at: Mapped[datetime]
    snapshot: Mapped[dict] = mapped_column(sa.JSON)

    __table_args__ = (sa.UniqueConstraint("project_id", "number", name="uq_agreement_versions_number"),)


class ReportKind(enum.StrEnum):
    progress = "progress"  # for a milestone
    final = "final"  # with the request for acceptance


EXPERT_CONCLUSION_LABELS = {"satisfactory": _l("satisfactory"), "not_satisfactory": _l("not satisfactory")}
# A check is whole or absent: conclusion, experts, opinion and time together.
EXPERT_CHECK_KNOWN = ("(expert_conclusion IS NULL AND expert_checked_at IS NULL) OR "
                      "(expert_conclusion IN ('satisfactory', 'not_satisfactory') AND expert_checked_at IS NOT NULL "
                      "AND expert_names IS NOT NULL AND expert_opinion IS NOT NULL)")


class Report(db.Model):
    """A progress report for a milestone, or the final report of a request for acceptance.

    A returned report stays as it was; the team submits a new one. The
    officer's decision is stamped by the milestone's transition.
    """

    __tablename__ = "project_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), index=True)
    milestone_id: Mapped[int | None] = mapped_column(sa.ForeignKey("milestones.id"), index=True)
    kind: Mapped[ReportKind] = mapped_column(enum_type(ReportKind, 20), default=ReportKind.progress)
    text: Mapped[str] = mapped_column(sa.Text, default="")
    submitted_at: Mapped[datetime]
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decision: Mapped[str | None] = mapped_column(sa.String(20))  # approved | returned
    decision_comment: Mapped[str | None] = mapped_column(sa.Text)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # The experts' check of a mid-way milestone's report, recorded by the officer before the decision.
    expert_names: Mapped[str | None] = mapped_column(sa.String(500))
    expert_opinion: Mapped[str | None] = mapped_column(sa.Text)
    expert_conclusion: Mapped[str | None] = mapped_column(sa.String(20))  # satisfactory | not_satisfactory
    expert_checked_at: Mapped[datetime | None]
    expert_checked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    milestone: Mapped[Milestone | None] = relationship()
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    expert_checked_by = relationship("User", foreign_keys=[expert_checked_by_id])
    values: Mapped[list["ReportValue"]] = relationship(back_populates="report", cascade="all, delete-orphan",
                                                       order_by="ReportValue.id")
    files: Mapped[list["ReportFile"]] = relationship(back_populates="report", cascade="all, delete-orphan",
                                                     order_by="ReportFile.id")

    __table_args__ = (
        sa.CheckConstraint("(kind = 'progress') = (milestone_id IS NOT NULL)", name="progress_has_milestone"),
        sa.CheckConstraint("decision IS NULL OR decision IN ('approved', 'returned')", name="decision_known"),
        sa.CheckConstraint("decision IS NULL OR decided_at IS NOT NULL", name="decision_has_time"),
        sa.CheckConstraint(EXPERT_CHECK_KNOWN, name="expert_check_known"),
    )

    @property
    def expert_conclusion_label(self) -> str:
        return str(EXPERT_CONCLUSION_LABELS[self.expert_conclusion]) if self.expert_conclusion else ""


class ReportValue(db.Model):
    """The value an indicator had reached when a report was submitted."""

    __tablename__ = "report_values"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("project_reports.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("project_indicators.id"), index=True)
    value: Mapped[str] = mapped_column(sa.String(100))

    report: Mapped[Report] = relationship(back_populates="values")

    __table_args__ = (sa.UniqueConstraint("report_id", "indicator_id", name="uq_report_values_one"),)


class ReportFile(db.Model):
    """A PDF attached to a report, stored like a bid's attachments."""

    __tablename__ = "report_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("project_reports.id", ondelete="CASCADE"), index=True)
    original_filename: Mapped[str] = mapped_column(sa.String(255))
    stored_name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_at: Mapped[datetime] = mapped_column(default=clock.now)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    report: Mapped[Report] = relationship(back_populates="files")


class StageGate(Versioned, db.Model):
    """The stage gate (阶段评估) of a parallel award: after milestone ``position`` of every
    team's agreement, the officer continues or stops each team (:mod:`grants.projects.stage_gate`)."""

    __tablename__ = "stage_gates"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(sa.ForeignKey("challenges.id"), unique=True)
    position: Mapped[int]  # the gate milestone's number in each agreement (1-based)
    set_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    moved_fen: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    moved_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("projects.id"))

    challenge = relationship("Challenge")
    decisions: Mapped[list["GateDecision"]] = relationship(back_populates="gate", cascade="all, delete-orphan",
                                                           order_by="GateDecision.project_id")

    __table_args__ = (sa.CheckConstraint("position >= 1", name="position_positive"),
                      sa.CheckConstraint("moved_fen >= 0", name="moved_not_negative"))


class GateDecision(db.Model):
    """One team's verdict at the stage gate, with the officer's written reasons."""

    __tablename__ = "stage_gate_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    gate_id: Mapped[int] = mapped_column(sa.ForeignKey("stage_gates.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), unique=True)
    verdict: Mapped[str] = mapped_column(sa.String(20))  # continue | stop
    reason: Mapped[str] = mapped_column(sa.Text)

    gate: Mapped[StageGate] = relationship(back_populates="decisions")
    project: Mapped[Project] = relationship()

    __table_args__ = (sa.CheckConstraint("verdict IN ('continue', 'stop')", name="verdict_known"),)
