"""The bureau's charts on its dashboard: where every challenge and project stands.

Each chart is one dashboard panel (``add_panel``), its figures counted by the owning
area's services in one query, each bar linking to the filtered list behind it."""
from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from grants.bids import services as bids
from grants.challenges import services as challenges
from grants.challenges.models import FIELD_LABELS, ChallengeState
from grants.challenges.workflow import CHALLENGE_WORKFLOW
from grants.core import clock
from grants.core.charts import Chart, Series
from grants.core.months import months_around
from grants.core.permissions import Role
from grants.core.registry import add_panel
from grants.integrity import services as integrity
from grants.projects import services as projects
from grants.projects.models import PROJECT_STATE_LABELS, ProjectState
from grants.reviews import services as reviews

MONTHS_BEFORE, MONTHS_AFTER = 6, 5


def _render(chart: Chart) -> Markup:
    return Markup(render_template("overview/_chart.html", chart=chart))


def challenges_by_status(user) -> Markup:
    counts = challenges.count_by_state()
    states = [s for s in ChallengeState if counts.get(s)]
    return _render(Chart("chart-challenge-states", _("Challenges by status"),
                         [CHALLENGE_WORKFLOW.state_label(s) for s in states],
                         [Series(_("Challenges"), [counts[s] for s in states])],
                         links=[url_for("challenges.manage", state=s.value) for s in states],
                         list_url=url_for("challenges.manage"), horizontal=True))


def challenges_by_field(user) -> Markup:
    counts = challenges.count_by_field()
    fields = [f for f in FIELD_LABELS if counts.get(f)]
    return _render(Chart("chart-challenge-fields", _("Challenges by field"),
                         [FIELD_LABELS[f] for f in fields], [Series(_("Challenges"), [counts[f] for f in fields])],
                         kind="doughnut", links=[url_for("challenges.manage", field=f.value) for f in fields],
                         list_url=url_for("challenges.manage")))


def bids_per_challenge(user) -> Markup:
    rows = bids.bids_per_challenge()
    return _render(Chart("chart-bids", _("Bids per challenge (latest published)"), [t for _, t, _ in rows],
                         [Series(_("Bids"), [n for _, _, n in rows])],
                         links=[url_for("challenges.show", challenge_id=cid) for cid, _, _ in rows],
                         list_url=url_for("challenges.manage", state="published"), horizontal=True))


def review_progress(user) -> Markup:
    rows = reviews.review_progress_by_challenge()
    return _render(Chart("chart-reviews", _("Review progress"), [t for _, t, _, _ in rows],
                         [Series(_("Reviews submitted"), [s for _, _, s, _ in rows]),
                          Series(_("Reviews outstanding"), [max(e - s, 0) for _, _, s, e in rows])],
                         links=[url_for("reviews.panel", challenge_id=cid) for cid, _, _, _ in rows],
                         list_url=url_for("reviews.challenges", state="reviewing"), stacked=True, horizontal=True))


def projects_by_status(user) -> Markup:
    counts = projects.count_projects_by_state()
    states = [s for s in ProjectState if counts.get(s)]
    return _render(Chart("chart-project-states", _("Projects by status"), [PROJECT_STATE_LABELS[s] for s in states],
                         [Series(_("Projects"), [counts[s] for s in states])],
                         links=[url_for("projects.monitor", state=s.value) for s in states],
                         list_url=url_for("projects.monitor"), horizontal=True))


def funds_by_month(user) -> Markup:
    months = months_around(clock.today(), MONTHS_BEFORE, MONTHS_AFTER)
    planned, released = projects.funds_by_month(months)
    return _render(Chart("chart-funds", _("Funds planned and released by month"), months,
                         [Series(_("Planned"), [p // 100 for p in planned]),
                          Series(_("Released"), [r // 100 for r in released])],
                         links=[url_for("projects.monitor", sort="released")] * len(months),
                         list_url=url_for("projects.monitor", sort="released"), unit=_("yuan")))


def overdue_milestones(user) -> Markup:
    counts = projects.overdue_milestones_by_lateness(clock.today())
    labels = [_("%(low)s to %(high)s days late", low=low, high=high) if high else
              _("more than %(days)s days late", days=low - 1) for low, high in projects.OVERDUE_BANDS]
    return _render(Chart("chart-overdue", _("Overdue milestones"), labels,
                         [Series(_("Milestones"), counts)],
                         links=[url_for("projects.monitor", overdue="1", sort="overdue")] * len(labels),
                         list_url=url_for("projects.monitor", overdue="1", sort="overdue")))


def integrity_changes(user) -> Markup:
    months = months_around(clock.today(), MONTHS_BEFORE, MONTHS_AFTER)
    coming, going = integrity.entries_changing_by_month(months)
    return _render(Chart("chart-integrity", _("Integrity entries coming into and going out of force"), months,
                         [Series(_("Coming into force"), coming), Series(_("Going out of force"), going)],
                         links=[url_for("integrity.entries")] * len(months),
                         list_url=url_for("integrity.entries", status="in_force")))


for order, (title, render) in enumerate((
        (_l("Challenges by status"), challenges_by_status),
        (_l("Challenges by field"), challenges_by_field),
        (_l("Bids per challenge"), bids_per_challenge),
        (_l("Review progress"), review_progress),
        (_l("Projects by status"), projects_by_status),
        (_l("Funds planned and released"), funds_by_month),
        (_l("Overdue milestones"), overdue_milestones),
        (_l("Integrity entries coming into and going out of force"), integrity_changes)), start=100):
    add_panel(title, Role.BUREAU, render, order=order)
