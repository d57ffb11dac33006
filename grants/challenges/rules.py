"""Guards and effects of the challenge workflow (who may fire a transition: ``permissions.py``)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from grants.auth.services import active_users
from grants.core import clock
from grants.core.permissions import Role, has_role
from grants.notifications.services import link_for, notify, settle


def officer_gives_reason(attempt):
    if has_role(attempt.actor, Role.BUREAU) and not attempt.comment:
        return _l("Give the reason for withdrawing the challenge.")
    return None


def missing_fields(challenge) -> list:
    """Labels of what a challenge still lacks before it can be submitted."""
    missing = []
    for value, label in (
        (challenge.title, _l("title")),
        (challenge.field, _l("field")),
        (challenge.problem, _l("technical problem")),
        (challenge.budget_fen, _l("budget offered")),
        (challenge.deadline_at, _l("bidding deadline")),
        (challenge.duration_months, _l("project duration")),
    ):
        if not value:
            missing.append(label)
    if not challenge.indicators:
        missing.append(_l("at least one required indicator"))
    if sum(c.weight for c in challenge.rubric) != 100:
        missing.append(_l("a scoring rubric whose weights add up to 100"))
    return missing


def complete(attempt):
    missing = missing_fields(attempt.obj)
    if missing:
        return _l("The challenge is incomplete; missing: %(missing)s.",
                  missing=", ".join(str(m) for m in missing))
    return None


def deadline_in_future(attempt):
    deadline = attempt.obj.deadline_at
    if deadline is None or deadline <= attempt.now:
        return _l("The bidding deadline (%(deadline)s) has passed; set a later deadline before publishing.",
                  deadline=_local(deadline))
    return None


def deadline_passed(attempt):
    deadline = attempt.obj.deadline_at
    if deadline is not None and attempt.now < deadline:
        return _l("Bidding is open until %(deadline)s; it can only be closed after the deadline.",
                  deadline=_local(deadline))
    return None


def stamp_published(attempt):
    attempt.obj.published_at = attempt.now


def stamp_closed(attempt):
    attempt.obj.closed_at = attempt.now


def tell_owner_returned(attempt):
    """The posting enterprise's accounts are asked to revise the returned challenge."""
    challenge = attempt.obj
    notify(active_users(roles=Role.CHALLENGE_OWNERS, organization_ids=[challenge.owner_org_id]),
           "challenges.returned", link=link_for("challenges.show", challenge_id=challenge.id),
           about=challenge, challenge=challenge.title, comment=attempt.comment)


def settle_returned(attempt):
    """Resubmitted or withdrawn: the request to revise no longer waits in the owner's inbox."""
    settle(attempt.obj, kinds=["challenges.returned"])


def _local(moment) -> str:
    if moment is None:
        return "—"
    return clock.to_local(moment).strftime("%Y-%m-%d %H:%M")
