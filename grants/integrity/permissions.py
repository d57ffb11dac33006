"""Who may do what with the red and black lists and the objections to them.

DESIGN.md: the bureau (programme officers) keeps the integrity lists; the
administrator does accounts, organisations and settings, so has no part in
them. A listed person, or a member of a listed organisation, sees their own
entries and may object to one. Deciding an objection is a workflow transition
(``grants/integrity/workflow.py``, ``roles=Role.BUREAU``).

Each predicate answers ``None`` (allowed) or the reason, in words, why not.
Services enforce them with ``require``; pages, the API and templates ask.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from grants.core.permissions import SIGN_IN_FIRST, Role, has_role, only, permission, signed_in

KEEPERS_ONLY = _l("Only the bureau keeps the integrity lists.")

_bureau = only(Role.BUREAU, KEEPERS_ONLY)


def subject_keys_of(user) -> set[tuple]:
    """The list subjects a signed-in user speaks for: themself and their organisation."""
    from grants.integrity.models import SubjectType

    keys = set()
    person = getattr(user, "person", None)
    if person is not None and person.id_number:
        keys.add((SubjectType.person, person.id_number))
    org = getattr(user, "organization", None)
    if org is not None and org.credit_code:
        keys.add((SubjectType.organization, org.credit_code))
    return keys


def is_subject_of(user, entry) -> bool:
    return signed_in(user) and (entry.subject_type, entry.subject_code) in subject_keys_of(user)


@permission("integrity.view_lists")
def can_view_lists(user, obj=None):
    """The lists, their search, subjects, export and the objections' list: the bureau."""
    return _bureau(user)


@permission("integrity.add_entry")
def can_add_entry(user, obj=None):
    """Adding an entry, by hand, through the API or by importing a file: the bureau."""
    return _bureau(user)


@permission("integrity.revoke_entry")
def can_revoke_entry(user, entry=None):
    return _bureau(user)


@permission("integrity.see_entry")
def can_see_entry(user, entry):
    """The bureau sees every entry; a listed person or organisation member their own."""
    if not signed_in(user):
        return SIGN_IN_FIRST
    if has_role(user, Role.BUREAU) or is_subject_of(user, entry):
        return None
    return _l("There is no such record, or it is not visible to you.")


@permission("integrity.see_objection")
def can_see_objection(user, objection):
    """Who sees an entry sees the objections to it (and their answers and history)."""
    return can_see_entry(user, objection.entry)


@permission("integrity.object")
def can_object(user, entry):
    """The subject of an entry may object to it (whether now: see ``objection_refusal``)."""
    if is_subject_of(user, entry):
        return None
    return _l("Only the listed person or a member of the listed organisation may object.")


@permission("integrity.decide_objection")
def can_decide_objection(user, objection=None):
    """Upholding or dismissing an objection (the transitions' ``roles`` say the same)."""
    return _bureau(user)


@permission("integrity.see_marks")
def can_see_marks(user, obj=None):
    """The red-list trust mark next to names, and integrity flags: the bureau."""
    return _bureau(user)


# The menu and dashboard groups (``add_nav`` / ``add_panel`` take role sets).
LIST_KEEPERS = Role.BUREAU
LISTED = Role.ORGANISATION_MEMBERS | Role.EXPERTS
