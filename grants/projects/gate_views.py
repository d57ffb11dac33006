"""The stage gate of a parallel award (officer pages): the side-by-side comparison of
the teams, the gate milestone and the decision on every team."""
from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from grants.challenges.forms import yuan_to_fen
from grants.challenges.models import Challenge
from grants.core.web import perform
from grants.extensions import db
from grants.projects import bp
from grants.projects import permissions as can
from grants.projects import stage_gate as gates
from grants.projects.forms import ConfirmForm


def _challenge(challenge_id: int) -> Challenge:
    """The challenge, for the bureau only (404 for anyone else)."""
    challenge = db.session.get(Challenge, challenge_id)
    if challenge is None or isinstance(can.can_set_gate(current_user, challenge), can.NotYours):
        abort(404)
    return challenge


def _number(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@bp.get("/stage-gates/<int:challenge_id>")
@login_required
def stage_gate(challenge_id: int):
    challenge = _challenge(challenge_id)
    gate = gates.gate_of(challenge)
    return render_template("projects/stage_gate.html", challenge=challenge, gate=gate,
                           projects=gates.gate_projects(challenge), form=ConfirmForm(),
                           rows=gates.gate_comparison(gate) if gate else [],
                           waiting=gates.teams_waiting(gate) if gate else [],
                           reason=can.can_set_gate(current_user, challenge))


@bp.post("/stage-gates/<int:challenge_id>/gate")
@login_required
def set_gate(challenge_id: int):
    challenge = _challenge(challenge_id)
    if ConfirmForm().validate_on_submit():
        perform(lambda: gates.set_stage_gate(challenge, actor=current_user,
                                             position=_number(request.form.get("position")),
                                             expected_version=request.form.get("version") or None),
                _("The stage gate was set."))
    return redirect(url_for("projects.stage_gate", challenge_id=challenge.id))


@bp.post("/stage-gates/<int:challenge_id>/decision")
@login_required
def decide_gate(challenge_id: int):
    challenge = _challenge(challenge_id)
    if ConfirmForm().validate_on_submit():
        form = request.form
        decisions = {p.id: (form.get(f"verdict_{p.id}"), form.get(f"reason_{p.id}", ""))
                     for p in gates.gate_projects(challenge)}
        move_fen = yuan_to_fen(form.get("move_yuan"))
        perform(lambda: gates.decide_stage_gate(challenge, actor=current_user, decisions=decisions,
                                                move_to=_number(form.get("move_to")), move_fen=move_fen or 0,
                                                expected_version=form.get("version") or None),
                _("The stage gate was decided."))
    return redirect(url_for("projects.stage_gate", challenge_id=challenge.id))
