"""The workflow engine every state machine in the product uses.

Each kind of object declares its workflow once, as data: states, and
transitions with the roles that may fire them, an optional object-level
permission, guards and after-effects. One shared ``transitions.Machine`` per
workflow validates the graph and changes the state; rows loaded from the
database are never added to it (that would reset their state), we fire
``machine.events[name].trigger(obj)`` instead.

:func:`fire` is the only way a state column changes. It checks, in order:
the object's version (optimistic concurrency), that the transition exists
from the current state, the actor's role and relation to the object, and
every guard; then it changes the state, runs the effects and writes the
audit event, all in the caller's database transaction (flush, never commit).
A refusal raises a :class:`~grants.core.errors.DomainError` whose message is
in the user's language; nothing has changed then.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError
from transitions import Machine

from grants.core import audit, clock
from grants.core.errors import ChangedUnderYou, Forbidden, Refused
from grants.core.permissions import SYSTEM  # the clock / tick command acting on its own
from grants.extensions import db

Reason = Any  # str or lazy string; None means "no objection"
Guard = Callable[["Attempt"], Reason]


@dataclass(frozen=True)
class Transition:
    name: str
    source: tuple[str, ...]
    dest: str
    roles: frozenset[str]
    label: Any
    guards: tuple[Guard, ...] = ()
    allow: Callable[["Attempt"], Reason] | None = None
    effects: tuple[Callable[["Attempt"], None], ...] = ()
    comment_required: bool = False
    style: str = "primary"  # button colour in the UI; "danger" asks for confirmation


def transition(name, source, dest, *, roles, label, guards=(), allow=None, effects=(),
               comment_required=False, style="primary") -> Transition:
    if isinstance(source, str):
        source = (source,)
    return Transition(name, tuple(source), dest, frozenset(roles), label, tuple(guards),
                      allow, tuple(effects), comment_required, style)


@dataclass
class Attempt:
    """What a guard or effect sees: the object, who acts, when, and why."""

    obj: Any
    actor: Any  # a User, or None for the system clock
    transition: Transition
    comment: str | None
    now: Any
    data: dict = field(default_factory=dict)
    evidence: dict = field(default_factory=dict)
    refusal: Reason = None
    from_state: str | None = None  # the state before the transition (effects run after the move)

    @property
    def role(self) -> str:
        return SYSTEM if self.actor is None else self.actor.role


WORKFLOWS: dict[str, "Workflow"] = {}  # by object type, for labels in histories


class Workflow:
    def __init__(self, object_type: str, states: dict[str, Any], initial: str,
                 transitions: Iterable[Transition]):
        self.object_type = object_type
        self.states = states
        self.initial = initial
        self.rebuild(transitions)
        WORKFLOWS[object_type] = self

    def rebuild(self, transitions: Iterable[Transition]) -> None:
        """Build the machine for ``transitions``, in place: every reference to this
        workflow (models' ``__workflow__``, :data:`WORKFLOWS`) sees the new set."""
        transitions = {t.name: t for t in transitions}
        for t in transitions.values():
            unknown = {t.dest, *t.source} - set(self.states)
            if unknown:
                raise ValueError(f"{self.object_type}.{t.name}: unknown states {unknown}")
        self.transitions = transitions
        self.machine = Machine(
            model=None,
            states=list(self.states),
            initial=self.initial,
            transitions=[
                {
                    "trigger": t.name,
                    "source": list(t.source),
                    "dest": t.dest,
                    "conditions": [self._guards_pass],
                    "after": [self._run_effects],
                }
                for t in transitions.values()
            ],
            auto_transitions=False,
            send_event=True,
            model_attribute="state",
        )

    def extend(self, *transitions: Transition) -> None:
        """Add transitions a later area declares (review, award); a name already
        known keeps its first declaration."""
        added = [t for t in transitions if t.name not in self.transitions]
        self.rebuild([*self.transitions.values(), *added])

    def add_effects(self, name: str, *effects: Callable[[Attempt], None]) -> None:
        """Run ``effects`` after transition ``name`` too (each effect once)."""
        t = self.transitions[name]
        new = tuple(e for e in effects if e not in t.effects)
        self.rebuild(dataclasses.replace(t, effects=t.effects + new) if other is t else other
                     for other in self.transitions.values())

    # transitions callbacks -------------------------------------------------
    @staticmethod
    def _guards_pass(event) -> bool:
        attempt: Attempt = event.kwargs["attempt"]
        for guard in attempt.transition.guards:
            reason = guard(attempt)
            if reason:
                attempt.refusal = reason
                return False
        return True

    @staticmethod
    def _run_effects(event) -> None:
        attempt: Attempt = event.kwargs["attempt"]
        for effect in attempt.transition.effects:
            effect(attempt)

    # queries ---------------------------------------------------------------
    def state_label(self, state) -> str:
        return str(self.states.get(str(state), state))

    def permission(self, obj, name: str, actor) -> Reason:
        """None if ``actor`` may fire ``name`` on ``obj`` now (guards aside)."""
        t = self.transitions.get(name)
        if t is None:
            return _l("There is no action called “%(name)s”.", name=name)
        role = SYSTEM if actor is None else actor.role
        if actor is not None and not actor.is_active:
            return _l("Your account is deactivated.")
        if role not in t.roles:
            return _l("Your role may not perform “%(action)s”.", action=t.label)
        if t.allow is not None:
            return t.allow(Attempt(obj, actor, t, None, clock.now()))
        return None

    def available(self, obj, actor) -> list[Transition]:
        """Transitions from the object's state that the actor may try."""
        return [
            t
            for t in self.transitions.values()
            if str(obj.state) in t.source and self.permission(obj, t.name, actor) is None
        ]


def workflow_of(obj) -> Workflow:
    wf = getattr(type(obj), "__workflow__", None)
    if wf is None:
        raise TypeError(f"{type(obj).__name__} has no workflow")
    return wf


def check_version(obj, expected_version) -> None:
    """Optimistic concurrency: refuse when ``obj`` (a :class:`~grants.core.models.Versioned`)
    is no longer at the version the user saw; None or "" means the caller does not know it."""
    if expected_version in (None, ""):
        return
    try:
        seen_version = int(expected_version)
    except (TypeError, ValueError):
        raise Refused(_("The form was damaged (its version is not a number). Reload the page.")) from None
    if obj.version != seen_version:
        raise ChangedUnderYou()


def fire(obj, name: str, actor, *, comment: str | None = None,
         expected_version: int | None = None, **data) -> audit.AuditEvent:
    """Fire transition ``name`` on ``obj`` as ``actor``; see the module doc."""
    wf = workflow_of(obj)
    comment = (comment or "").strip() or None
    check_version(obj, expected_version)
    t = _allowed_transition(wf, obj, name, actor, comment)
    current = str(obj.state)
    attempt = Attempt(obj, actor, t, comment, clock.now(), data, from_state=current)
    try:
        moved = wf.machine.events[name].trigger(obj, attempt=attempt)
        if not moved:
            raise Refused(attempt.refusal or _("The action was refused."),
                          details={"evidence": attempt.evidence})
        event = audit.record(obj, name, actor=actor, from_state=current, to_state=obj.state,
                             comment=comment, evidence=attempt.evidence or None)
        db.session.flush()
    except StaleDataError:
        raise ChangedUnderYou() from None
    except Exception:
        # transitions does not undo a state change when a later step fails;
        # the caller's transaction rollback does, and the object must not
        # keep the new state in memory meanwhile. Only the value in memory is
        # read: after a failed flush the session is rolled back, the row
        # expired, and loading it would hide the failure behind another one.
        in_memory = sa.inspect(obj).dict.get("state")
        if in_memory is not None and str(in_memory) != current:
            obj.state = current
        raise
    return event


def _allowed_transition(wf: Workflow, obj, name: str, actor, comment: str | None) -> Transition:
    """The transition ``name`` if it exists, the actor may fire it, the object's state
    allows it and a required comment is given (guards aside); otherwise the refusal."""
    t = wf.transitions.get(name)
    if t is None:
        raise Refused(_("There is no action called “%(name)s”.", name=name))
    reason = wf.permission(obj, name, actor)
    if reason:
        raise Forbidden(reason)
    current = str(obj.state)
    if current not in t.source:
        raise Refused(
            _("“%(action)s” is not possible while it is %(state)s.",
              action=t.label, state=wf.state_label(current))
        )
    if t.comment_required and not comment:
        raise Refused(_("“%(action)s” needs a comment giving the reason.", action=t.label))
    return t
