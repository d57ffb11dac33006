"""Sections of a subject's page contributed by other areas.

The integrity area does not know bids, projects or review assignments;
each of those areas registers a section that renders the live work of a
subject, or returns None when it has nothing to show::

    from grants.integrity.sections import register_subject_section

    register_subject_section(_l("Live bids"), render_live_bids, order=20)

    def render_live_bids(subject_type: str, code: str) -> Markup | None: ...
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

Render = Callable[[str, str], Any]


@dataclass(frozen=True)
class SubjectSection:
    title: Any
    render: Render
    order: int = 50


SUBJECT_SECTIONS: list[SubjectSection] = []


def register_subject_section(title, render: Render, order: int = 50) -> Render:
    if not any(s.render is render for s in SUBJECT_SECTIONS):
        SUBJECT_SECTIONS.append(SubjectSection(title, render, order))
        SUBJECT_SECTIONS.sort(key=lambda s: s.order)
    return render


def render_sections(subject_type: str, code: str) -> list[tuple[Any, Any]]:
    """(title, html) of every section that has something to show for the subject."""
    shown = []
    for section in SUBJECT_SECTIONS:
        body = section.render(str(subject_type), code)
        if body is not None:
            shown.append((section.title, body))
    return shown
