"""Who may do what in a project's final acceptance: the one place for this area.

Every predicate is ``can_<verb>(user, obj) -> reason | None`` and is
registered in the permission map as ``acceptance.<verb>``. A reason about who
asks is a :class:`~grants.projects.permissions.NotYours` (403, or 404 where
the object must stay hidden); any other is about the state (409).
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from grants.acceptance.models import PanelMember
from grants.core.permissions import Role, has_role, permission
from grants.extensions import db
from grants.projects.models import ProjectState
from grants.projects.permissions import NotYours


def membership(user, project) -> PanelMember | None:
    if not has_role(user, Role.EVERYONE):
        return None
    return db.session.scalar(sa.select(PanelMember).where(PanelMember.project_id == project.id,
                                                          PanelMember.user_id == user.id))


def _bureau_only(user) -> str | None:
    if not has_role(user, Role.BUREAU):
        return NotYours(_("Only a programme officer may do this."))
    return None


@permission("acceptance.oversee")
def can_oversee(user, obj=None) -> str | None:
    """The list of projects in acceptance and the officer's acceptance pages."""
    return _bureau_only(user)


@permission("acceptance.view")
def can_view(user, project) -> str | None:
    """The bureau and the panel's members (voting or not)."""
    if has_role(user, Role.BUREAU) or membership(user, project) is not None:
        return None
    return NotYours(_("There is no such record, or it is not visible to you."))


@permission("acceptance.form_panel")
def can_form_panel(user, project=None) -> str | None:
    reason = _bureau_only(user)
    if reason or project is None:
        return reason
    if project.state != ProjectState.acceptance_requested:
        return _("The acceptance panel is formed only while the project awaits acceptance.")
    return None


@permission("acceptance.start")
def can_start(user, project=None) -> str | None:
    return _bureau_only(user)


@permission("acceptance.judge")
def can_judge(user, project) -> str | None:
    """A voting member, a reviewer, while the project is under acceptance."""
    member = membership(user, project)
    if member is None or not member.voting or not has_role(user, Role.EXPERTS):
        return NotYours(_("Only a voting member of the acceptance panel may judge this project."))
    if project.state != ProjectState.under_acceptance:
        return _("Judgements are recorded only while the project is under acceptance.")
    return None


@permission("acceptance.confirm_outcome")
def can_confirm_outcome(user, project=None) -> str | None:
    reason = _bureau_only(user)
    if reason or project is None:
        return reason
    if project.state != ProjectState.under_acceptance:
        return _("An outcome is confirmed only while the project is under acceptance.")
    return None


@permission("acceptance.resubmit")
def can_resubmit(user, project) -> str | None:
    """The team asks again once it has rectified."""
    from grants.projects.permissions import is_team

    if not is_team(user, project):
        return NotYours(_("Only the project team may do this."))
    return None


@permission("acceptance.download_archive")
def can_download_archive(user, project) -> str | None:
    """The project's whole file (ZIP): the bureau, the lead's team and the enterprise, as for the project."""
    from grants.projects.permissions import can_view as can_see_project

    return can_see_project(user, project)


@permission("acceptance.add_member")
def can_add_member(user, project=None) -> str | None:
    """Add a reviewer to a panel already formed (one withdrew), while acceptance is under way."""
    reason = _bureau_only(user)
    if reason or project is None:
        return reason
    if project.state not in (ProjectState.acceptance_requested, ProjectState.under_acceptance):
        return _("A member is added to the panel only while the project awaits or is under acceptance.")
    return None


def allow(predicate):
    """For a workflow's ``allow``: the predicate's answer about who acts (403); states are for the guards."""

    def check(attempt):
        if attempt.actor is None:  # the system, where the transition's roles let it act
            return None
        reason = predicate(attempt.actor, attempt.obj)
        return reason if isinstance(reason, NotYours) else None

    check.__name__ = predicate.__name__
    return check


def enforce(name: str, user, obj) -> None:
    """Services call this: 403 for who asks, 409 for the state, with the map's reason."""
    from grants.core.permissions import reason
    from grants.projects.permissions import enforce as raise_refusal

    raise_refusal(reason(name, obj, user))
