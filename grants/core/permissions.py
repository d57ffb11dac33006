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
    CHALLENGE_OWNERS = enum.nonmember(frozenset({"enterprise"}))
    BIDDERS = enum.nonmember(frozenset({"applicant"}))
    EXPERTS = enum.nonmember(frozenset({"reviewer"}))
    EVERYONE = enum.nonmember(frozenset({"admin", "officer", "enterprise", "applicant", "reviewer"}))


SYSTEM = "system"  # the clock / tick command acting on its own, in workflow role sets

Reason = Any  # a str or lazy string; None means allowed
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


def is_officer(user) -> bool:
    """The bureau. Kept for callers not yet moved to their area's permissions."""
    return has_role(user, Role.BUREAU | Role.ADMINISTRATION)


def can(name: str, obj: Any = None, user: Any = None) -> bool:
    """Ask the map: may ``user`` (default: the current user) do ``name`` to ``obj``?"""
    return reason(name, obj, user) is None


def reason(name: str, obj: Any = None, user: Any = None) -> Reason:
    """Why ``user`` may not do ``name`` to ``obj``, or None when allowed."""
    predicate = PERMISSIONS[name]
    who = current_user if user is None else user
    return predicate(who) if obj is None else predicate(who, obj)


def require(name: str, user: Any, obj: Any = None) -> None:
    """Services call this: raise Forbidden with the map's reason when refused."""
    from grants.core.errors import Forbidden

    why = reason(name, obj, user)
    if why is not None:
        raise Forbidden(why)


def role_required(*groups):
    """Signed-in users with a role in any of ``groups`` only; others get 403."""
    allowed = frozenset().union(*({g} if isinstance(g, str) else set(g) for g in groups))

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


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
