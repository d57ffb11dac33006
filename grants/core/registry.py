"""Places where each area plugs in without the core knowing it.

* navigation items per role,
* dashboard panels per role,
* jobs the ``flask tick`` command runs when the clock makes them due.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class NavItem:
    label: Any
    endpoint: str
    roles: frozenset[str]  # "anonymous" for signed-out visitors
    order: int = 50


@dataclass(frozen=True)
class Panel:
    """A dashboard panel: ``render(user)`` returns HTML, or None to hide it."""

    title: Any
    roles: frozenset[str]
    render: Callable[[Any], Any]
    order: int = 50


@dataclass(frozen=True)
class TickJob:
    name: str
    run: Callable[[], int]  # returns how many things it changed
    order: int = 50


NAV: list[NavItem] = []
PANELS: list[Panel] = []
TICK_JOBS: list[TickJob] = []


def add_nav(label, endpoint: str, roles, order: int = 50) -> None:
    # The same page may be offered to different roles under different names.
    if not any(item.endpoint == endpoint and item.roles == frozenset(roles) for item in NAV):
        NAV.append(NavItem(label, endpoint, frozenset(roles), order))
        NAV.sort(key=lambda item: item.order)


def add_panel(title, roles, render, order: int = 50) -> None:
    if not any(p.render is render for p in PANELS):
        PANELS.append(Panel(title, frozenset(roles), render, order))
        PANELS.sort(key=lambda p: p.order)


def tick_job(name: str, order: int = 50):
    def decorator(fn):
        if not any(job.name == name for job in TICK_JOBS):
            TICK_JOBS.append(TickJob(name, fn, order))
            TICK_JOBS.sort(key=lambda job: job.order)
        return fn

    return decorator


def nav_for(user) -> list[NavItem]:
    role = user.role if getattr(user, "is_authenticated", False) else "anonymous"
    return [item for item in NAV if role in item.roles or "*" in item.roles]


def panels_for(user) -> list[Panel]:
    return [p for p in PANELS if user.role in p.roles]
