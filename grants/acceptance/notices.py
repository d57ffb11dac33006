"""Who the acceptance steps ask to act, told in their inbox in the same transaction:
the bureau when acceptance is requested, the voting panel when it starts, the team
when the outcome is confirmed. Effects of the project's transitions, so every caller
of ``fire`` (page, API) notifies alike."""
from __future__ import annotations

import grants.acceptance.workflow  # noqa: F401  (declares the acceptance transitions these follow)
from grants.acceptance.services import voting_members
from grants.notifications.services import link_for, notify, settle
from grants.projects.notices import officers, team_of
from grants.projects.workflow import PROJECT_WORKFLOW


def _requested(attempt) -> None:
    project = attempt.obj
    notify(officers(), "projects.acceptance_requested", link=link_for("acceptance.show", project_id=project.id),
           about=project, project=project.title)


def _started(attempt) -> None:
    project = attempt.obj
    settle(project, kinds=["projects.acceptance_requested"])  # the bureau organised it
    notify([member.user for member in voting_members(project)], "acceptance.panel_member",
           link=link_for("acceptance.judge", project_id=project.id), about=project, project=project.title)


def _decided(attempt) -> None:
    """The acceptance is decided: judgements no longer awaited are no longer asked for."""
    settle(attempt.obj, kinds=["acceptance.panel_member"])


def _outcome(kind: str):
    def effect(attempt) -> None:
        project = attempt.obj
        notify(team_of(project), kind, link=link_for("projects.show", project_id=project.id),
               project=project.title, comment=attempt.comment)

    effect.__name__ = f"tell_team_{kind.split('.')[-1]}"
    return effect


PROJECT_WORKFLOW.add_effects("request_acceptance", _requested)
PROJECT_WORKFLOW.add_effects("resubmit_acceptance", _requested)
PROJECT_WORKFLOW.add_effects("start_acceptance", _started)
for _decision in ("pass_acceptance", "rectify", "fail_acceptance"):
    PROJECT_WORKFLOW.add_effects(_decision, _decided)
PROJECT_WORKFLOW.add_effects("pass_acceptance", _outcome("acceptance.passed"))
PROJECT_WORKFLOW.add_effects("rectify", _outcome("acceptance.rectify"))
PROJECT_WORKFLOW.add_effects("fail_acceptance", _outcome("acceptance.failed"))
PROJECT_WORKFLOW.add_effects("fail_rectification", _outcome("acceptance.failed"))
