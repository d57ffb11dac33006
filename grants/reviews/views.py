from __future__ import annotations

from urllib.parse import quote

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from grants.auth.models import User
from grants.bids.models import Bid
from grants.challenges.models import Challenge, ChallengeState
from grants.challenges.workflow import CHALLENGE_WORKFLOW
from grants.core import attachments, audit, clock, files
from grants.core.errors import ValidationFailed
from grants.core.permissions import permission_required
from grants.core.registry import add_nav
from grants.core.web import perform
from grants.core.workflow import fire
from grants.core.pagination import paginate_fetched
from grants.extensions import db
from grants.reviews import bp, permissions, profiles, services
from grants.reviews.blind import blind_file_name, blind_pdf, reviewer_view_of_bid
from grants.reviews.forms import AcceptForm, DrawForm, RecuseForm, ReviewerProfileForm
from grants.reviews.models import FIELD_LABELS, OPINION_LABELS, ChallengeField, Review, ReviewAssignment
from grants.reviews.rules import incomplete_reason
from grants.reviews.services import REVIEW_STAGE_STATES
from grants.reviews.tables import export_csv, export_xlsx, ranked_table
from grants.reviews.workflow import CHALLENGE_ACTIONS


add_nav(_l("Expert pool"), "reviews.pool", permissions.POOL_KEEPERS, order=40)
add_nav(_l("My expert profile"), "reviews.profile", permissions.EXPERTS, order=41)


@bp.get("/experts")
@permission_required("reviews.see_pool")
def pool():
    field = request.args.get("field", "")
    if field not in {f.value for f in ChallengeField}:
        field = ""
    q = request.args.get("q", "").strip()
    available_only = request.args.get("available") == "1"
    query = profiles.reviewer_pool_query(field=field or None, q=q or None, available_only=available_only)
    page = db.paginate(query, per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("reviews/pool.html", page=page, field=field, q=q, available_only=available_only,
                           field_labels=FIELD_LABELS)


@bp.route("/profile", methods=["GET", "POST"])
@permission_required("reviews.keep_profile")
def profile():
    existing = profiles.profile_of(current_user)
    form = ReviewerProfileForm(obj=existing)
    if request.method == "GET" and existing is not None:
        form.fields.data = existing.fields
    if form.validate_on_submit() and perform(
            lambda: profiles.save_reviewer_profile(current_user, fields=form.fields.data, title=form.title.data,
                                                   available=form.available.data, actor=current_user),
            _("Your expert profile is saved."), form=form):
        return redirect(url_for("reviews.profile"))
    return render_template("reviews/profile.html", form=form, profile=existing)


# officer: the panel, the ranking and reopened reviews ------------------------------------

add_nav(_l("Expert review"), "reviews.challenges", permissions.PANEL_KEEPERS, order=35)
add_nav(_l("My reviews"), "reviews.mine", permissions.EXPERTS, order=35)

# Later areas add sections to the review panel: fn(challenge) -> Markup (the award: its notice
# and the objections to it).
PANEL_SECTIONS: list = []


def challenge_for_officer(challenge_id: int) -> Challenge:
    return services.challenge_in_review(challenge_id) or abort(404)


@bp.get("/")
@permission_required("reviews.run_panel")
def challenges():
    state = request.args.get("state", "")
    states = [s for s in REVIEW_STAGE_STATES if s.value == state] or list(REVIEW_STAGE_STATES)
    query = (sa.select(Challenge).where(Challenge.state.in_(states))
             .order_by(Challenge.id.desc()))
    page = db.paginate(query, per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("reviews/challenges.html", page=page, state=state, states=REVIEW_STAGE_STATES,
                           label=CHALLENGE_WORKFLOW.state_label)


@bp.get("/challenges/<int:challenge_id>")
@permission_required("reviews.run_panel")
def panel(challenge_id: int):
    challenge = challenge_for_officer(challenge_id)
    actions = [t for t in CHALLENGE_WORKFLOW.available(challenge, current_user) if t.name in CHALLENGE_ACTIONS]
    pool_page, candidates = None, []
    if challenge.state == ChallengeState.reviewing:
        pool_page = db.paginate(profiles.reviewer_pool_query(), per_page=current_app.config["PER_PAGE"],
                                error_out=False)
        candidates = services.candidates(challenge, pool_page.items)
    # The next step leads; what ends the challenge without a winner stays aside.
    incomplete = incomplete_reason(challenge) if challenge.state == ChallengeState.reviewing else None
    return render_template(
        "reviews/panel.html", challenge=challenge, assignments=services.assignments_of(challenge),
        next_actions=[t for t in actions if t.style != "danger"],
        other_actions=[t for t in actions if t.style == "danger"], incomplete=incomplete,
        can_propose=challenge.state == ChallengeState.reviewing and incomplete is None,
        candidates=candidates, pool_page=pool_page, today=clock.today(),
        default_due_on=services.default_due_on(),
        draw_form=DrawForm(), sections=[section(challenge) for section in PANEL_SECTIONS],
        events=audit.history(challenge))


@bp.post("/challenges/<int:challenge_id>/fire/<name>")
@permission_required("reviews.run_panel")
def fire_challenge(challenge_id: int, name: str):
    challenge = challenge_for_officer(challenge_id)
    if name not in CHALLENGE_ACTIONS:
        abort(400)

    def act():
        fire(challenge, name, current_user, comment=request.form.get("comment"),
             expected_version=request.form.get("version"))

    perform(act, _("Done: %(action)s.", action=CHALLENGE_WORKFLOW.transitions[name].label))
    return redirect(url_for("reviews.panel", challenge_id=challenge.id))


@bp.post("/challenges/<int:challenge_id>/assign")
@permission_required("reviews.run_panel")
def assign(challenge_id: int):
    challenge = challenge_for_officer(challenge_id)
    reviewer = db.session.get(User, request.form.get("reviewer_id", type=int) or 0)
    if reviewer is None:
        abort(400)

    def act():
        services.assign_reviewer(challenge, reviewer, actor=current_user, due_on=request.form.get("due_on"))

    perform(act, _("%(name)s is assigned.", name=reviewer.display_name))
    return redirect(url_for("reviews.panel", challenge_id=challenge.id))


@bp.post("/challenges/<int:challenge_id>/draw")
@permission_required("reviews.run_panel")
def draw(challenge_id: int):
    challenge = challenge_for_officer(challenge_id)
    form = DrawForm()
    if not form.validate_on_submit():
        if form.due_on.errors:
            flash(_("Give the review deadline as a date (YYYY-MM-DD)."), "danger")
        else:
            flash(_("Give the number of reviewers to draw (1 to 50)."), "danger")
        return redirect(url_for("reviews.panel", challenge_id=challenge.id))
    drawn = perform(lambda: services.draw_reviewers(challenge, size=form.size.data, seed=form.seed.data,
                                                    due_on=form.due_on.data, actor=current_user))
    if drawn:
        flash(_("%(n)s reviewers drawn: %(names)s.", n=len(drawn.value),
                names=", ".join(a.reviewer.display_name for a in drawn.value)), "success")
    return redirect(url_for("reviews.panel", challenge_id=challenge.id))


@bp.post("/assignments/<int:assignment_id>/withdraw")
@permission_required("reviews.run_panel")
def withdraw(assignment_id: int):
    assignment = db.session.get(ReviewAssignment, assignment_id) or abort(404)

    def act():
        fire(assignment, "withdraw", current_user, comment=request.form.get("comment"),
             expected_version=request.form.get("version"))

    perform(act, _("The reviewer is withdrawn from the panel."))
    return redirect(url_for("reviews.panel", challenge_id=assignment.challenge_id))


@bp.get("/challenges/<int:challenge_id>/table")
@permission_required("reviews.run_panel")
def table(challenge_id: int):
    challenge = challenge_for_officer(challenge_id)
    can_propose = CHALLENGE_WORKFLOW.permission(challenge, "propose_award", current_user) is None \
        and challenge.state == ChallengeState.reviewing
    # The ranking is computed in SQL; only the page's bids and their reviews are loaded.
    tables = []

    def fetch(offset, limit):
        data, total = ranked_table(challenge, offset=offset, limit=limit)
        tables.append(data)
        return data.rows, total

    page = paginate_fetched(fetch, per_page=current_app.config["PER_PAGE"])
    data = tables[0]
    page_bids = {row.bid.id for row in page.items}
    return render_template("reviews/table.html", challenge=challenge, table=data, page=page,
                           page_bids=page_bids, can_propose=can_propose, opinion_labels=OPINION_LABELS,
                           reviews=services.reviews_by_assignment(data.reviewers, page_bids))


@bp.get("/challenges/<int:challenge_id>/export.<fmt>")
@permission_required("reviews.run_panel")
def export(challenge_id: int, fmt: str):
    challenge = challenge_for_officer(challenge_id)
    data, _total = ranked_table(challenge)
    if fmt == "csv":
        body, mimetype = export_csv(data), "text/csv"  # Flask adds "; charset=utf-8"
    elif fmt == "xlsx":
        body = export_xlsx(data, challenge.title)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        abort(404)
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename=challenge-{challenge.id}-ranking.{fmt}"
    return response


@bp.post("/reviews/<int:review_id>/reopen")
@permission_required("reviews.run_panel")
def reopen(review_id: int):
    review = db.session.get(Review, review_id) or abort(404)

    def act():
        fire(review, "reopen", current_user, comment=request.form.get("comment"),
             expected_version=request.form.get("version"))

    perform(act, _("The review is reopened; the reviewer can change and submit it again."))
    return redirect(url_for("reviews.table", challenge_id=review.assignment.challenge_id))


# reviewer ------------------------------------------------------------------------------

def _my_assignment(assignment_id: int) -> ReviewAssignment:
    return services.assignment_of(current_user, assignment_id) or abort(404)


def _my_bid(assignment: ReviewAssignment, bid_id: int) -> Bid:
    return services.bid_for_assignment(assignment, bid_id) or abort(404)


@bp.get("/mine")
@permission_required("reviews.score")
def mine():
    page = db.paginate(services.assignments_visible_to(current_user), per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("reviews/mine.html", page=page, today=clock.today())


@bp.get("/assignments/<int:assignment_id>")
@permission_required("reviews.score")
def assignment(assignment_id: int):
    assignment = _my_assignment(assignment_id)
    bids = services.bids_for_assignment(assignment)
    reviews = {r.bid_id: r for r in assignment.reviews}
    return render_template("reviews/assignment.html", assignment=assignment, bids=bids, reviews=reviews,
                           accept_form=AcceptForm(), recuse_form=RecuseForm())


@bp.post("/assignments/<int:assignment_id>/<any(accept, recuse):decision>")
@permission_required("reviews.score")
def declare(assignment_id: int, decision: str):
    assignment = _my_assignment(assignment_id)
    form = AcceptForm() if decision == "accept" else RecuseForm()
    if not form.validate_on_submit():
        flash(_("Give the conflict of interest that makes you recuse yourself."), "danger")
        return redirect(url_for("reviews.assignment", assignment_id=assignment.id))

    def act():
        if decision == "accept":
            fire(assignment, "accept", current_user, no_conflict=form.no_conflict.data)
        else:
            fire(assignment, "recuse", current_user, comment=form.reason.data)

    perform(act, _("Thank you: your declaration is recorded."))
    return redirect(url_for("reviews.assignment", assignment_id=assignment.id))


@bp.route("/assignments/<int:assignment_id>/bids/<int:bid_id>", methods=["GET", "POST"])
@permission_required("reviews.score")
def score(assignment_id: int, bid_id: int):
    assignment = _my_assignment(assignment_id)
    bid = _my_bid(assignment, bid_id)
    challenge = assignment.challenge
    errors = {}
    if request.method == "POST":
        scores = {c.id: (request.form.get(f"score_{c.id}", ""), request.form.get(f"comment_{c.id}", ""))
                  for c in challenge.rubric}
        submit = request.form.get("action") == "submit"
        saved = perform(lambda: services.save_review(
            assignment, bid, actor=current_user, scores=scores, opinion=request.form.get("opinion") or None,
            submit=submit, expected_version=request.form.get("version") or None),
            _("Your review is submitted.") if submit else _("Draft saved."))
        if saved:
            return redirect(url_for("reviews.score", assignment_id=assignment.id, bid_id=bid.id))
        if isinstance(saved.error, ValidationFailed):
            errors = saved.error.details
    review = services.review_of(assignment, bid)
    return render_template("reviews/score.html", assignment=assignment, challenge=challenge, bid=bid,
                           review=review, blind=challenge.blind_review,
                           shown=reviewer_view_of_bid(bid, challenge.blind_review), errors=errors,
                           values=request.form if request.method == "POST" else None,
                           opinion_labels=OPINION_LABELS, blind_file_name=blind_file_name)


@bp.get("/assignments/<int:assignment_id>/bids/<int:bid_id>/files/<int:position>")
@permission_required("reviews.score")
def bid_file(assignment_id: int, bid_id: int, position: int):
    assignment = _my_assignment(assignment_id)
    bid = _my_bid(assignment, bid_id)
    if not 1 <= position <= len(bid.attachments):
        abort(404)
    attachment = bid.attachments[position - 1]
    data = files.read_file(attachment.stored_name)
    if assignment.challenge.blind_review:
        data = blind_pdf(data)
        name = blind_file_name(position, attachment.original_filename)
    else:
        name = attachment.original_filename
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(name)}"
    response.headers["Cache-Control"] = "no-store"
    return response
