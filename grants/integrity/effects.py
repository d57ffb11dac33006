"""What a black entry coming into force does to live work.

Each area registers its effect here (flag live bids, suspend projects,
withdraw review assignments ...); the integrity code calls them all without
knowing the areas. An effect receives the entry and the acting user (None
for the clock), writes its own audit events naming the entry, flushes and
never commits, and returns how many objects it touched.

An import may bring tens of thousands of black entries at once. So that it
does not run every effect once per entry, an effect should also give
``live_codes(subject_type, codes) -> set of codes``: which of these codes
have live work it would touch (one query for a batch of codes). The effect
then runs only for those entries::

    @on_black_entry("flag_bids", live_codes=codes_in_live_bids)
    def flag_bids(entry, actor) -> int: ...
"""
from __future__ import annotations

from typing import Callable, Iterable

from grants.integrity.models import IntegrityEntry

BlackEffect = Callable[[IntegrityEntry, object], int]
LiveCodes = Callable[[str, set], Iterable[str]]
BLACK_EFFECTS: list[tuple[str, BlackEffect]] = []
LIVE_CODES: dict[str, LiveCodes] = {}


def on_black_entry(name: str, live_codes: LiveCodes | None = None):
    """Decorator: register ``fn(entry, actor) -> int`` under ``name``."""

    def decorator(fn: BlackEffect) -> BlackEffect:
        if not any(existing == name for existing, _fn in BLACK_EFFECTS):
            BLACK_EFFECTS.append((name, fn))
            if live_codes is not None:
                LIVE_CODES[name] = live_codes
        return fn

    return decorator


def apply_black_effects(entry: IntegrityEntry, actor=None, only: set[str] | None = None) -> dict[str, int]:
    """Run the effects (those named in ``only``, if given); how many objects each touched.

    The effects act as the system whoever added the entry: it is the rule
    that suspends a project or withdraws a reviewer, not the user's role
    (an administrator may add entries without being allowed to suspend
    projects). The entry's own audit event names the user.
    """
    return {name: fn(entry, None) for name, fn in BLACK_EFFECTS if only is None or name in only}


def effects_that_may_hit(entries: list[IntegrityEntry]) -> dict[int, set[str]]:
    """For a batch of entries, the names of the effects worth running on each."""
    codes: dict[str, set[str]] = {}
    for entry in entries:
        codes.setdefault(str(entry.subject_type), set()).add(entry.subject_code)
    hits = {(name, subject_type): set(prefilter(subject_type, subject_codes))
            for name, prefilter in LIVE_CODES.items() for subject_type, subject_codes in codes.items()}
    wanted = {}
    for entry in entries:
        wanted[entry.id] = {name for name, _fn in BLACK_EFFECTS
                            if name not in LIVE_CODES
                            or entry.subject_code in hits[(name, str(entry.subject_type))]}
    return wanted
