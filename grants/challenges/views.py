"""Challenge pages: the public board, a challenge's page, drafting and the transitions."""
from __future__ import annotations

from functools import partial

import sqlalchemy as sa
from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup

from grants.challenges import bp, services
from grants.challenges.permissions import POSTERS
from grants.challenges.services import attach_bid_counts, is_owner
from grants.challenges.forms import ChallengeForm, RatioForm
from grants.challenges.models import FIELD_LABELS, PUBLIC_STATES, Challenge, ChallengeField, ChallengeState
from grants.challenges.workflow import CHALLENGE_STATES, CHALLENGE_WORKFLOW
from grants.core import attachments, audit, clock
from grants.core.permissions import Role, can, permission_required
from grants.core.forms import AttachmentForm
from grants.core.registry import QueueItem, add_nav, add_panel, add_queue
from grants.core.workflow import fire
from grants.core.rows import rows_changed
from grants.core.web import perform, upload_attachment
from grants.core.pagination import paginate
from grants.extensions import db

add_nav(_l("Challenge board"), "challenges.board", {"*"}, order=10)
add_nav(_l("My challenges"), "challenges.manage", POSTERS, order=11)
add_nav(_l("Manage challenges"), "challenges.manage", Role.BUREAU, order=11)

BOARD_PER_PAGE = 50

# Other areas add sections to a challenge's page: fn(challenge, user) -> Markup | None
# (bids: the bids so far, the eligibility check; review: scores, the award).
PAGE_SECTIONS: list = []


FORM_FIELDS = {"deadline_at": "deadline", "budget_fen": "budget_yuan",
               "enterprise_cofunding_fen": "enterprise_cofunding_yuan"}


def get_visible(challenge_id: int) -> Challenge:
    challenge = services.visible_challenge(challenge_id, current_user)
    if challenge is None:
        abort(404)
    return challenge


def get_current(challenge_id: int) -> Challenge:
    """For a page showing the challenge: as the clock has it (see ``services.view_challenge``)."""
    challenge = services.view_challenge(challenge_id, current_user)
    if challenge is None:
        abort(404)
    return challenge


# the public board ---------------------------------------------------------------

@bp.get("/")
def board():
    q = request.args.get("q", "").strip()
    field = request.args.get("field", "")
    status = request.args.get("status", "")
    sort = request.args.get("sort", "deadline")
    if status not in {s.value for s in PUBLIC_STATES}:
        status = ""
    if field not in {f.value for f in ChallengeField}:
        field = ""
    if sort not in services.BOARD_SORTS:
        sort = "deadline"
    query = services.search_challenges(None, q=q, field=field, status=status, sort=sort)
    page = paginate(query, per_page=BOARD_PER_PAGE)
    attach_bid_counts(page.items)
    return render_template("challenges/board.html", page=page, rows=_board_rows(page.items, clock.now()), q=q,
                           field=field, status=status, sort=sort, fields=FIELD_LABELS,
                           states=[(s.value, CHALLENGE_STATES[s.value]) for s in PUBLIC_STATES])


def _board_rows(challenges, now) -> list[dict]:
    """What the board shows of each challenge, worked out once for its two layouts
    (a card on phones, a table row on wider screens)."""
    filters = current_app.jinja_env.filters
    rows = []
    for c in challenges:
        left = c.remaining(now)
        rows.append({"url": url_for("challenges.show", challenge_id=c.id), "title": c.title,
                     "org": c.owner_org.name, "field": c.field_label, "published": c.state == ChallengeState.published,
                     "state": CHALLENGE_WORKFLOW.state_label(c.state), "budget": filters["yuan"](c.budget_fen),
                     "deadline": filters["dt"](c.deadline_at, "yyyy-MM-dd HH:mm"), "bids": c.bid_count,
                     "left": _("%(days)s d %(hours)s h left", days=left[0], hours=left[1]) if left else None})
    return rows


# one challenge ------------------------------------------------------------------

@bp.get("/<int:challenge_id>")
def show(challenge_id: int):
    challenge = get_current(challenge_id)
    sections = [s for s in (fn(challenge, current_user) for fn in PAGE_SECTIONS) if s]
    transitions = (CHALLENGE_WORKFLOW.available(challenge, current_user)
                   if current_user.is_authenticated else [])
    if challenge.state == ChallengeState.published and not can("challenges.oversee"):
        transitions = []  # closing and withdrawing a published challenge is the bureau's
    return render_template(
        "challenges/show.html", challenge=challenge, bid_count=services.bid_count(challenge), sections=sections,
        transitions=transitions, state_label=CHALLENGE_WORKFLOW.state_label(challenge.state),
        can_edit=services.can_edit(challenge, current_user), attachment_form=AttachmentForm(),
        ratio_form=RatioForm(obj=challenge), now=clock.now(), returned=_return_note_for(challenge),
        events=audit.history(challenge) if services.can_see_history(challenge, current_user) else None)


@bp.route("/new", methods=["GET", "POST"])
@permission_required("challenges.create")
def new():
    form = ChallengeForm()
    if request.method == "GET":
        form.rubric.fill([{"name": name, "weight": str(weight)} for name, weight in _default_rubric()])
    if not rows_changed(form) and form.validate_on_submit():
        created = perform(lambda: services.create_challenge(actor=current_user, data=form.to_data()),
                          _("Draft saved."), form=form, mapping=FORM_FIELDS)
        if created:
            return redirect(url_for("challenges.show", challenge_id=created.value.id))
    return render_template("challenges/form.html", form=form, challenge=None)


def _default_rubric():
    from grants.challenges.models import DEFAULT_RUBRIC

    return [(str(name), weight) for name, weight in DEFAULT_RUBRIC]


@bp.route("/<int:challenge_id>/edit", methods=["GET", "POST"])
@login_required  # someone else's draft is 404, whatever the role
def edit(challenge_id: int):
    challenge = get_visible(challenge_id)
    if not is_owner(challenge, current_user):
        abort(404)
    form = ChallengeForm()
    if request.method == "GET":
        form.fill_from(challenge)
    if not rows_changed(form) and form.validate_on_submit():
        if perform(lambda: services.update_challenge(challenge, actor=current_user, data=form.to_data(),
                                                     expected_version=form.version.data or None),
                   _("Draft saved."), form=form, mapping=FORM_FIELDS):
            return redirect(url_for("challenges.show", challenge_id=challenge.id))
    return render_template("challenges/form.html", form=form, challenge=challenge,
                           returned=_return_note_for(challenge))


def _return_note_for(challenge: Challenge):
    """Why the bureau returned this draft, for its enterprise (the bureau reads the history)."""
    return services.return_note(challenge) if is_owner(challenge, current_user) else None


@bp.post("/<int:challenge_id>/do/<name>")
@permission_required("challenges.manage")
def act(challenge_id: int, name: str):
    challenge = get_visible(challenge_id)
    perform(lambda: fire(challenge, name, current_user, comment=request.form.get("comment"),
                         expected_version=request.form.get("version")),
            _("Done: %(action)s.", action=CHALLENGE_WORKFLOW.transitions[name].label)
            if name in CHALLENGE_WORKFLOW.transitions else None)
    return redirect(url_for("challenges.show", challenge_id=challenge.id))


@bp.post("/<int:challenge_id>/ratio")
@permission_required("challenges.set_cofunding_ratio")
def ratio(challenge_id: int):
    challenge = get_visible(challenge_id)
    form = RatioForm()
    if form.validate_on_submit():
        perform(lambda: services.set_cofunding_ratio(challenge, actor=current_user, own=form.cofund_own.data,
                                                     public=form.cofund_public.data),
                _("Saved."))
    return redirect(url_for("challenges.show", challenge_id=challenge.id))


@bp.post("/<int:challenge_id>/attachments")
@login_required  # someone else's draft is 404, whatever the role
def upload(challenge_id: int):
    challenge = get_visible(challenge_id)
    if not is_owner(challenge, current_user):
        abort(404)
    upload_attachment(partial(services.add_attachment, challenge, actor=current_user))
    return redirect(url_for("challenges.show", challenge_id=challenge.id))


@bp.get("/<int:challenge_id>/attachments/<int:attachment_id>")
def attachment(challenge_id: int, attachment_id: int):
    challenge = get_visible(challenge_id)
    found = attachments.find_attachment(challenge, attachment_id)
    if found is None:
        abort(404)
    return attachments.send_attachment(found)


# lists for enterprises and officers --------------------------------------------------

@bp.get("/manage")
@permission_required("challenges.manage")
def manage():
    state = request.args.get("state", "")
    query = sa.select(Challenge).order_by(Challenge.updated_at.desc(), Challenge.id.desc())
    if not can("challenges.oversee"):  # an enterprise: its own
        query = query.where(Challenge.owner_org_id == current_user.organization_id)
    if state in CHALLENGE_STATES:
        query = query.where(Challenge.state == state)
    field = request.args.get("field", "")
    if field in ChallengeField.__members__:
        query = query.where(Challenge.field == ChallengeField(field))
    page = paginate(query, per_page=current_app.config["PER_PAGE"])
    attach_bid_counts(page.items)
    return render_template("challenges/manage.html", page=page, state=state, states=CHALLENGE_STATES,
                           label=CHALLENGE_WORKFLOW.state_label, field=field, fields=FIELD_LABELS)


# dashboard panels ------------------------------------------------------------------

def _panel(challenges, empty, returned=None) -> Markup:
    return Markup(render_template("challenges/_panel.html", challenges=challenges, empty=empty,
                                  label=CHALLENGE_WORKFLOW.state_label, returned=returned or {}))


def my_challenges_panel(user):
    rows = db.session.scalars(sa.select(Challenge).where(Challenge.owner_org_id == user.organization_id)
                              .order_by(Challenge.updated_at.desc()).limit(10)).all()
    return _panel(rows, _("You have not posted a challenge yet."), services.return_notes(rows))


def awaiting_publication_panel(user):
    rows = db.session.scalars(sa.select(Challenge).where(Challenge.state == ChallengeState.submitted)
                              .order_by(Challenge.updated_at).limit(10)).all()
    return _panel(rows, _("No challenge is waiting for publication.")) if rows else None


add_panel(_l("My challenges"), POSTERS, my_challenges_panel, order=10)
add_panel(_l("Challenges awaiting publication"), Role.BUREAU, awaiting_publication_panel, order=10)


# work queues -------------------------------------------------------------------------

def bureau_queue(user) -> list[QueueItem]:
    waiting = services.count_by_state().get(ChallengeState.submitted, 0)
    return [QueueItem(_("Challenges to vet"), waiting, url_for("challenges.manage", state="submitted"))]


def enterprise_queue(user) -> list[QueueItem]:
    counts = services.count_by_state(user.organization_id)
    items = [QueueItem(_("Drafts returned for revision"), services.count_returned_drafts(user.organization_id),
                       url_for("challenges.manage", state="draft"))]
    for state in ChallengeState:
        if counts.get(state):
            items.append(QueueItem(_("My challenges: %(state)s", state=CHALLENGE_WORKFLOW.state_label(state)),
                                   counts[state], url_for("challenges.manage", state=state.value)))
    return items


add_queue(Role.BUREAU, bureau_queue, order=10)
add_queue(POSTERS, enterprise_queue, order=10)
