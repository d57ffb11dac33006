"""Award pages: the proposal (from the ranking), the public notice and its
objections, and the award's part of the review panel and the challenge's page."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from grants.awards import bp, services
from grants.awards.forms import ObjectionForm
from grants.awards.models import Objection
from grants.awards.rules import notice_of
from grants.challenges.models import Challenge, ChallengeState
from grants.challenges.views import PAGE_SECTIONS
from grants.core.permissions import can, permission_required
from grants.core.web import perform
from grants.core.workflow import fire
from grants.extensions import db
from grants.reviews.services import REVIEW_STAGE_STATES
from grants.reviews.views import PANEL_SECTIONS, challenge_for_officer


# officer: the proposal and the answers to objections --------------------------------------

@bp.post("/challenges/<int:challenge_id>/propose")
@permission_required("awards.propose")
def propose(challenge_id: int):
    challenge = challenge_for_officer(challenge_id)
    winners = request.form.getlist("winners", type=int)
    if not perform(lambda: fire(challenge, "propose_award", current_user, comment=request.form.get("comment"),
                                expected_version=request.form.get("version"), winners=winners),
                   _("The award is proposed and under public notice.")):
        return redirect(url_for("reviews.table", challenge_id=challenge.id))
    return redirect(url_for("reviews.panel", challenge_id=challenge.id))


@bp.post("/objections/<int:objection_id>/<any(uphold, dismiss):decision>")
@permission_required("awards.answer_objection")
def answer_objection(objection_id: int, decision: str):
    objection = db.session.get(Objection, objection_id) or abort(404)
    operation = services.uphold_objection if decision == "uphold" else services.dismiss_objection

    def act():
        operation(objection, actor=current_user, answer=request.form.get("comment", ""),
                  expected_version=request.form.get("version"))

    perform(act, _("The objection is answered."))
    return redirect(url_for("reviews.panel", challenge_id=objection.challenge_id))


@bp.get("/objections")
@permission_required("awards.answer_objection")
def objections():
    """Objections to proposed awards that wait for an answer, each with its challenge's panel."""
    page = db.paginate(services.open_objections_query(), per_page=current_app.config["PER_PAGE"],
                       error_out=False)
    return render_template("awards/objections.html", page=page)


# public notice and objections ---------------------------------------------------------------

@bp.get("/notice/<int:challenge_id>")
def notice(challenge_id: int):
    challenge, notice = services.public_notice(challenge_id)
    if challenge is None:
        abort(404)
    winners = services.notice_rows(challenge)
    mine = services.objections_by(challenge, current_user) if current_user.is_authenticated else []
    open_for_objections = services.open_for_objections(challenge, notice)
    return render_template("awards/notice.html", challenge=challenge, notice=notice, winners=winners,
                           mine=mine, form=ObjectionForm(), open_for_objections=open_for_objections)


@bp.post("/notice/<int:challenge_id>/objections")
@login_required
def object_to(challenge_id: int):
    challenge = db.session.get(Challenge, challenge_id) or abort(404)
    form = ObjectionForm()
    if not form.validate_on_submit():
        flash(_("Give the reasons for your objection (at least 10 characters)."), "danger")
        return redirect(url_for("awards.notice", challenge_id=challenge.id))

    def act():
        services.file_objection(challenge, actor=current_user, reasons=form.reasons.data)

    perform(act, _("Your objection is filed; the answer will be shown here."))
    return redirect(url_for("awards.notice", challenge_id=challenge.id))


# sections on the review panel and on the challenge's own page -------------------------------

def panel_section(challenge):
    """The notice and the objections to it, answered on the review panel."""
    return Markup(render_template("awards/_panel_section.html", challenge=challenge, notice=notice_of(challenge),
                                  objections=services.objections_of(challenge)))


def challenge_section(challenge, user):
    links = []
    if challenge.state in (ChallengeState.notice, ChallengeState.awarded) and notice_of(challenge) is not None:
        links.append((url_for("awards.notice", challenge_id=challenge.id), _("Public notice of award")))
    if can("reviews.run_panel", challenge, user) and challenge.state in REVIEW_STAGE_STATES:
        links.append((url_for("reviews.panel", challenge_id=challenge.id), _("Review panel")))
        links.append((url_for("reviews.table", challenge_id=challenge.id), _("Scores and ranking")))
    if not links:
        return None
    return Markup(render_template("awards/_challenge_section.html", links=links))


PANEL_SECTIONS.append(panel_section)
PAGE_SECTIONS.append(challenge_section)
