"""A project awaiting final acceptance, reached through the real services, and its panel."""
from __future__ import annotations

from dataclasses import dataclass

from grants.acceptance import decisions, services
from grants.extensions import db
from grants.projects import reports
from tests.projects.helpers import approve_report, pdf, signed


@dataclass
class Acceptance:
    project: object
    officer: object
    owner: object
    team: object
    panel: list

    @property
    def binding(self):
        return next(i for i in self.project.indicators if i.binding)

    @property
    def other(self):
        return next(i for i in self.project.indicators if not i.binding)


def requested(make, **kwargs) -> Acceptance:
    """A project whose team requested acceptance after both milestones were approved
    (``kwargs``: those of :func:`tests.projects.helpers.awarded`)."""
    parties = signed(make, **kwargs)
    project, officer, team = parties.project, parties.officer, parties.team
    values = {i.id: "0.5" for i in project.indicators}
    for milestone in project.milestones:
        reports.submit_report(milestone, actor=team, text="进展", values=values, uploads=[pdf()])
        approve_report(milestone, officer)
    reports.request_acceptance(project, actor=team, text="结题总结", values=values, upload=pdf("结题报告.pdf"))
    db.session.commit()
    return Acceptance(project, officer, parties.owner, team, [])


def under_acceptance(make, size: int = 3, **kwargs) -> Acceptance:
    """A requested project with a panel of ``size`` reviewers, acceptance started."""
    acceptance = requested(make, **kwargs)
    acceptance.panel = [make.reviewer() for _ in range(size)]
    services.form_panel(acceptance.project, acceptance.panel, actor=acceptance.officer)
    services.start_acceptance(acceptance.project, actor=acceptance.officer)
    db.session.commit()
    return acceptance


def judge_all(acceptance: Acceptance, scores, binding_met=(True, True, True), value="0.45"):
    """Every voting member submits: their score and whether the binding indicator is met."""
    for reviewer, score, met in zip(acceptance.panel, scores, binding_met):
        services.save_judgement(acceptance.project, actor=reviewer, score=score, opinion="意见", submit=True,
                                indicators={acceptance.binding.id: (met, value if met else ""),
                                            acceptance.other.id: (True, "1.8")})
    db.session.commit()


def confirm(acceptance: Acceptance, **kwargs):
    kwargs.setdefault("conclusion", "验收结论")
    event = decisions.confirm_outcome(acceptance.project, actor=acceptance.officer, **kwargs)
    db.session.commit()
    return event
