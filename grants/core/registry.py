"""Places where each area plugs in without the core knowing it.

* navigation items per role,
* dashboard panels per role,
* work queues per role (what waits for the user, with a count and a link),
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
class QueueItem:
    """One line of a work queue: ``count`` things wait at ``url`` (the filtered list).

    ``detail`` says more in words (a completion, the nearest deadline)."""

    label: Any
    count: int
    url: str
    detail: Any = None


@dataclass(frozen=True)
class Queue:
    """Work queues an area contributes: ``items(user)`` returns :class:`QueueItem` rows.

    Each area counts its own objects with queries from its services; a queue
    costs the same number of queries however many objects wait."""

    roles: frozenset[str]
    items: Callable[[Any], list[QueueItem]]
    order: int = 50


@dataclass(frozen=True)
class TickJob:
    name: str
    run: Callable[[], int]  # returns how many things it changed
    order: int = 50


NAV: list[NavItem] = []
PANELS: list[Panel] = []
QUEUES: list[Queue] = []
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


def add_queue(roles, items, order: int = 50) -> None:
    if not any(q.items is items for q in QUEUES):
        QUEUES.append(Queue(frozenset(roles), items, order))
        QUEUES.sort(key=lambda q: q.order)


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


def queues_for(user) -> list[QueueItem]:
    return [item for queue in QUEUES if user.role in queue.roles for item in queue.items(user)]
