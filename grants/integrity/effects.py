"""What a black entry coming into force does to live work.

Each area registers its effect here (flag live bids, suspend projects,
withdraw review assignments ...); the integrity code calls them all without
knowing the areas. An effect receives the entry and the acting user (None
for the clock), writes its own audit events naming the entry, flushes and
never commits, and returns how many objects it touched.
"""
from __future__ import annotations

from typing import Callable

from grants.integrity.models import IntegrityEntry

BlackEffect = Callable[[IntegrityEntry, object], int]
BLACK_EFFECTS: list[tuple[str, BlackEffect]] = []


def on_black_entry(name: str):
    """Decorator: register ``fn(entry, actor) -> int`` under ``name``."""

    def decorator(fn: BlackEffect) -> BlackEffect:
        if not any(existing == name for existing, _fn in BLACK_EFFECTS):
            BLACK_EFFECTS.append((name, fn))
        return fn

    return decorator


def apply_black_effects(entry: IntegrityEntry, actor=None) -> dict[str, int]:
    return {name: fn(entry, actor) for name, fn in BLACK_EFFECTS}
