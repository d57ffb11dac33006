"""What a notification says: each kind's message, translated when it is read.

A notification stores its kind and parameters, never its text, so each reader
sees it in their own language. An area that notifies registers its kinds with
:func:`register_kind` (the product's kinds are listed here, in one catalogue).
Placeholders are ``%(name)s``; a parameter a message names but the stored
notification lacks shows as "…" rather than failing the page.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

KINDS: dict[str, Any] = {}


def register_kind(name: str, message) -> None:
    """``message``: a lazy string with ``%(parameter)s`` placeholders."""
    if name in KINDS and KINDS[name] is not message:
        raise ValueError(f"notification kind {name!r} is registered twice")
    KINDS[name] = message


class _Parameters(dict):
    def __missing__(self, key):
        return "…"


def render(kind: str, parameters: dict | None) -> str:
    message = KINDS.get(kind)
    if message is None:
        return _("Notification (%(kind)s)", kind=kind)
    try:
        return str(message) % _Parameters(parameters or {})
    except (TypeError, ValueError):
        return str(message)


for _name, _message in {
    # bids
    "bids.partner_invited": _l("%(org)s named your organisation as a partner in its bid for “%(challenge)s”. "
                               "Confirm or decline the partnership."),
    "bids.flagged": _l("The bid of %(org)s for “%(challenge)s” was flagged by the integrity check: the "
                       "black-list entry %(basis)s names %(subject)s."),
    # challenges
    "challenges.returned": _l("Your challenge “%(challenge)s” was returned for revision: %(comment)s"),
    # reviews
    "reviews.assigned": _l("You are asked to review the bids for “%(challenge)s” by %(day)s. Accept or "
                           "decline the assignment."),
    "reviews.due_in_3_days": _l("Your reviews for “%(challenge)s” are due in three days or less, on %(day)s."),
    "reviews.overdue": _l("Your reviews for “%(challenge)s” were due on %(day)s and are overdue."),
    # objections
    "integrity.objection_filed": _l("An objection to the integrity list entry of %(subject)s awaits your "
                                    "answer."),
    "awards.objection_filed": _l("An objection to the proposed award of “%(challenge)s” awaits your answer."),
    # confirmations
    "projects.agreement_to_confirm": _l("The task agreement of project “%(project)s” awaits your confirmation."),
    # reports
    "projects.report_submitted": _l("A progress report on milestone “%(milestone)s” of project “%(project)s” "
                                    "awaits your review."),
    "projects.report_returned": _l("Your progress report on milestone “%(milestone)s” of project “%(project)s” "
                                   "was returned: %(comment)s"),
    "projects.acceptance_requested": _l("Project “%(project)s” requests acceptance: form its acceptance panel."),
    # reminders
    "projects.due_in_14_days": _l("Milestone “%(milestone)s” of project “%(project)s” is due on %(day)s."),
    "projects.due_in_3_days": _l("Milestone “%(milestone)s” of project “%(project)s” is due in three days or "
                                 "less, on %(day)s."),
    "projects.overdue": _l("Milestone “%(milestone)s” of project “%(project)s” was due on %(day)s and is "
                           "overdue."),
    # acceptance and certificates
    "acceptance.panel_member": _l("You are on the acceptance panel of project “%(project)s”. Give your "
                                  "judgement."),
    "acceptance.passed": _l("Project “%(project)s” passed its acceptance."),
    "acceptance.rectify": _l("Project “%(project)s” must be rectified before its acceptance: %(comment)s"),
    "acceptance.failed": _l("Project “%(project)s” failed its acceptance: %(comment)s"),
    "certificates.issued": _l("Acceptance certificate %(number)s of project “%(project)s” was issued."),
}.items():
    register_kind(_name, _message)
