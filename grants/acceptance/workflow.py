"""The acceptance transitions of a project, added to the project's machine.

acceptance_requested → under_acceptance (``start_acceptance``: at least three
voting members, none black-listed, nor the lead or the organisation);
under_acceptance → accepted | rectifying | failed (``pass_acceptance``,
``rectify``, ``fail_acceptance``: only through the officer's confirmation of
the rule's outcome); rectifying → acceptance_requested (``resubmit_acceptance``,
by the team before the deadline; the rule allows one rectification);
rectifying → failed (``fail_rectification``, by the officer or the clock
(``flask tick``) once the deadline has passed without a resubmission).
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from grants.acceptance import permissions as can
from grants.acceptance import rules
from grants.acceptance.models import Decision, Outcome
from grants.core import clock
from grants.core.history import ACTION_LABELS
from grants.core.permissions import SYSTEM, Role
from grants.core.workflow import transition
from grants.extensions import db
from grants.integrity.check import check, integrity_guard, person_subject
from grants.projects import rules as project_rules
from grants.projects.models import ProjectState as P
from grants.projects.workflow import PROJECT_WORKFLOW


def enough_voting_members(attempt):
    from grants.acceptance.services import voting_members

    count = len(voting_members(attempt.obj))
    if count < rules.MIN_VOTING_MEMBERS:
        return _("Acceptance needs a panel of at least %(n)s voting reviewers; it has %(count)s.",
                 n=rules.MIN_VOTING_MEMBERS, count=count)
    return None


def panel_not_black_listed(attempt):
    from grants.acceptance.services import voting_members

    result = check(person_subject(m.user.person, "reviewer") for m in voting_members(attempt.obj)
                   if m.user.person is not None)
    attempt.evidence["panel_integrity"] = result.evidence()
    return result.message(_l("sit on an acceptance panel"))


def confirmed_outcome(outcome: Outcome):
    """Fired only by the confirmation, which hands over the rule's result."""

    def guard(attempt):
        result = attempt.data.get("outcome")
        if result is None or result.outcome != outcome:
            return _("The outcome of acceptance is confirmed on the acceptance page, from the panel's judgements.")
        attempt.evidence["outcome"] = {"outcome": result.outcome.value, "mean_score": result.mean_score,
                                       "unmet_binding": list(result.unmet_binding)}
        return None

    guard.__name__ = f"confirmed_{outcome.value}"
    return guard


def _rectification(project) -> Decision | None:
    return db.session.scalar(sa.select(Decision).where(Decision.project_id == project.id,
                                                       Decision.outcome == Outcome.rectifying))


def before_deadline(attempt):
    decision = _rectification(attempt.obj)
    if decision is not None and clock.today() > decision.deadline_on:
        return _("The rectification deadline (%(day)s) has passed.", day=decision.deadline_on.isoformat())
    return None


def deadline_passed(attempt):
    decision = _rectification(attempt.obj)
    if decision is not None and clock.today() <= decision.deadline_on:
        return _("The rectification deadline (%(day)s) has not passed yet.", day=decision.deadline_on.isoformat())
    return None


PROJECT_WORKFLOW.extend(
    transition("start_acceptance", P.acceptance_requested, P.under_acceptance, roles=Role.BUREAU,
               label=_l("Start acceptance"), allow=can.allow(can.can_start),
               guards=[enough_voting_members, panel_not_black_listed,
                       integrity_guard(project_rules.lead_and_org, _l("undergo acceptance"))]),
    transition("pass_acceptance", P.under_acceptance, P.accepted, roles=Role.BUREAU,
               label=_l("Pass acceptance"), allow=can.allow(can.can_confirm_outcome), comment_required=True,
               guards=[confirmed_outcome(Outcome.passed)]),
    transition("rectify", P.under_acceptance, P.rectifying, roles=Role.BUREAU,
               label=_l("Order rectification"), allow=can.allow(can.can_confirm_outcome), comment_required=True,
               guards=[confirmed_outcome(Outcome.rectifying)], style="warning"),
    transition("fail_acceptance", P.under_acceptance, P.failed, roles=Role.BUREAU,
               label=_l("Fail acceptance"), allow=can.allow(can.can_confirm_outcome), comment_required=True,
               guards=[confirmed_outcome(Outcome.failed)], style="danger"),
    transition("resubmit_acceptance", P.rectifying, P.acceptance_requested, roles=Role.BIDDERS,
               label=_l("Request acceptance again after rectification"), allow=can.allow(can.can_resubmit),
               comment_required=True, guards=[before_deadline]),
    transition("fail_rectification", P.rectifying, P.failed, roles=Role.BUREAU | {SYSTEM},
               label=_l("Fail: rectification not done in time"), allow=can.allow(can.can_start),
               comment_required=True, guards=[deadline_passed], style="danger"),
)

ACTION_LABELS.update({
    "form_acceptance_panel": _l("Acceptance panel formed"),
    "submit_judgement": _l("Acceptance judgement submitted"),
    "add_panel_member": _l("Member added to the acceptance panel"),
    "withdraw_panel_member": _l("Member withdrawn from the acceptance panel"),
})
