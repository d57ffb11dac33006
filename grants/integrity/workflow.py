"""The objection to a list entry: open -> upheld | dismissed.

Upholding revokes the entry (the answer is the reason for the revocation);
dismissing keeps it. Either way the officer writes an answer the subject sees.
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from grants.core.permissions import Role
from grants.core.workflow import Workflow, transition


def _record_answer(attempt) -> None:
    objection = attempt.obj
    objection.answer = attempt.comment
    objection.decided_by_id = attempt.actor.id
    objection.decided_at = attempt.now


def _revoke_entry(attempt) -> None:
    from grants.integrity.services import revoke_entry

    entry = attempt.obj.entry
    if entry.revoked_at is None:
        revoke_entry(entry, actor=attempt.actor,
                     reason=_("Objection %(id)s upheld: %(answer)s",
                              id=attempt.obj.id, answer=attempt.comment))
    attempt.evidence["entry_id"] = entry.id


OBJECTION_WORKFLOW = Workflow(
    "integrity_objection",
    states={"open": _l("open"), "upheld": _l("upheld"), "dismissed": _l("dismissed")},
    initial="open",
    transitions=[
        transition("uphold", "open", "upheld", roles=Role.BUREAU, label=_l("Uphold and revoke the entry"),
                   effects=[_record_answer, _revoke_entry], comment_required=True, style="danger"),
        transition("dismiss", "open", "dismissed", roles=Role.BUREAU, label=_l("Dismiss"),
                   effects=[_record_answer], comment_required=True, style="secondary"),
    ],
)
