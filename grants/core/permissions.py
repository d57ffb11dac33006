"""Who may do what: roles, their named groups, and the one permission map.

Every role check in the product reads a group defined here; no other module
names a role by its string. Each area keeps its own predicates in
``grants/<area>/permissions.py`` as ``can_<verb>(user, obj=None) -> reason | None``
(``None``: allowed; otherwise the reason, in words, why not) and registers
them with :func:`permission`. Services enforce them with :func:`require`;
pages, the API and templates only ask (``can("integrity.add_entry")`` in a
template). The map is what a test walks, so every action has one entry.
"""
from __future__ import annotations

import enum
from functools import wraps
from typing import Any, Callable

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required


class Role(enum.StrEnum):
    admin = "admin"
    officer = "officer"
    enterprise = "enterprise"
    applicant = "applicant"
    reviewer = "reviewer"

    # Named groups. DESIGN.md: the administrator keeps accounts, organisations
    # and settings; the programme officer is "the bureau" for every workflow.
    BUREAU = enum.nonmember(frozenset({"officer"}))
    ADMINISTRATION = enum.nonmember(frozenset({"admin"}))
    ACCOUNT_MANAGERS = enum.nonmember(frozenset({"admin"}))
    ORGANISATION_MEMBERS = enum.nonmember(frozenset({"enterprise", "applicant"}))
    # An organisation's manager (its first contact, until handed over) is one of its
    # members; who it is, is data (grants/registration), not a role of its own.
    ORGANISATION_MANAGERS = enum.nonmember(frozenset({"enterprise", "applicant"}))
    CHALLENGE_OWNERS = enum.nonmember(frozenset({"enterprise"}))
    BIDDERS = enum.nonmember(frozenset({"applicant"}))
    EXPERTS = enum.nonmember(frozenset({"reviewer"}))
    EVERYONE = enum.nonmember(frozenset({"admin", "officer", "enterprise", "applicant", "reviewer"}))


SYSTEM = "system"  # the clock / tick command acting on its own, in workflow role sets

Reason = Any  # a str or lazy string; None means allowed

# The reasons most predicates give; an area words its own where it says more.
SIGN_IN_FIRST = _l("Sign in first.")
BUREAU_ONLY = _l("Only the bureau may do this.")
ADMINISTRATION_ONLY = _l("Only a system administrator may do this.")

Predicate = Callable[..., Reason]

PERMISSIONS: dict[str, Predicate] = {}


def permission(name: str):
    """Register ``can_<verb>`` under ``"<area>.<verb>"`` in the permission map."""

    def register(predicate: Predicate) -> Predicate:
        if name in PERMISSIONS and PERMISSIONS[name] is not predicate:
            raise ValueError(f"permission {name!r} is registered twice")
        PERMISSIONS[name] = predicate
        return predicate

    return register


def signed_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def has_role(user, group) -> bool:
    """Is ``user`` signed in with a role in ``group`` (a Role or a group of them)?"""
    if not signed_in(user):
        return False
    if isinstance(group, str):
        return user.role == group
    return user.role in group


def is_bureau(user) -> bool:
    return has_role(user, Role.BUREAU)


def only(group, refusal) -> Predicate:
    """A predicate for "only ``group``": None, or why not (sign in first, or ``refusal``)."""

    def check(user, obj=None) -> Reason:
        if not signed_in(user):
            return SIGN_IN_FIRST
        return None if has_role(user, group) else refusal

    return check


CURRENT = object()  # "the signed-in user of this request", as opposed to None: nobody


def can(name: str, obj: Any = None, user: Any = CURRENT) -> bool:
    """Ask the map: may ``user`` (default: the current user) do ``name`` to ``obj``?"""
    return reason(name, obj, user) is None


def reason(name: str, obj: Any = None, user: Any = CURRENT) -> Reason:
    """Why ``user`` may not do ``name`` to ``obj``, or None when allowed."""
    predicate = PERMISSIONS[name]
    who = current_user if user is CURRENT else user
    return predicate(who) if obj is None else predicate(who, obj)


def require(name: str, user: Any, obj: Any = None) -> None:
    """Services call this: raise Forbidden with the map's reason when refused.
    ``user`` None (the system, a command) is refused like anyone not signed in;
    a service the system may run asks only when there is an actor."""
    from grants.core.errors import Forbidden

    why = reason(name, obj, user)
    if why is not None:
        raise Forbidden(why)


def permission_required(name: str):
    """The view runs only when the map allows ``name`` (without an object)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not can(name):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


# core's own ---------------------------------------------------------------------

@permission("core.see_evidence")
def can_see_evidence(user, obj=None):
    """What an integrity check found, on an object's audit history: the bureau."""
    return only(Role.BUREAU, BUREAU_ONLY)(user)
