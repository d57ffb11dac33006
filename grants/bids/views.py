"""Bid pages: drafting, submitting, partners' confirmation and the eligibility check."""
from __future__ import annotations

from functools import partial

import sqlalchemy as sa
import sqlalchemy.orm  # noqa: F401  (sa.orm.selectinload)
from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup

from grants.auth.services import find_organizations, organization_by_code
from grants.bids import bp, rules, services
from grants.bids.forms import BidForm, ConfirmForm
from grants.bids.models import Bid, BidState
from grants.bids.workflow import BID_WORKFLOW
from grants.challenges import views as challenge_views
from grants.challenges.models import Challenge, ChallengeState
from grants.challenges.views import get_current, get_visible
from grants.core.rows import rows_changed
from grants.core.web import perform, upload_attachment
from grants.core import attachments, audit, clock
from grants.core.forms import AttachmentForm
from grants.bids.permissions import PARTNERS, TEAMS, may_start
from grants.core.permissions import Role, can, has_role, permission_required
from grants.core.registry import QueueItem, add_nav, add_panel, add_queue
from grants.core.workflow import fire
from grants.extensions import db
from grants.integrity.check import CheckResult, check

add_nav(_l("My bids"), "bids.mine", TEAMS, order=12)

FORM_FIELDS = {"requested_fen": "requested_yuan", "own_cofunding_fen": "own_cofunding_yuan",
               "breakdown": "equipment_yuan", "lead": "lead_id_number", "id_number": "lead_id_number",
               "person_name": "lead_name"}


def get_bid(bid_id: int) -> Bid:
    """The bid if this user may see it; otherwise 404 (not 403), whoever asks."""
    bid = db.session.get(Bid, bid_id)
    if bid is None or not services.can_view(current_user, bid):
        abort(404)
    return bid


@bp.get("/mine")
@permission_required("bids.list_own")
def mine():
    query = (sa.select(Bid).where(Bid.organization_id == current_user.organization_id)
             .order_by(Bid.updated_at.desc(), Bid.id.desc()))
    page = db.paginate(query, per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("bids/mine.html", page=page, label=BID_WORKFLOW.state_label,
                           invitations=services.partner_invitations(current_user))


@bp.post("/new/<int:challenge_id>")
@permission_required("bids.create")
def new(challenge_id: int):
    challenge = get_visible(challenge_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    started = perform(lambda: services.create_bid(challenge, actor=current_user),
                      _("A draft bid was started; fill it in and submit it before the deadline."))
    if not started:
        return redirect(url_for("challenges.show", challenge_id=challenge.id))
    return redirect(url_for("bids.edit", bid_id=started.value.id))


@bp.get("/<int:bid_id>")
@login_required  # someone else's bid is 404, whatever the role
def show(bid_id: int):
    bid = get_bid(bid_id)
    integrity = check(rules.subjects(bid)) if can("bids.check_eligibility") else None
    return render_template(
        "bids/show.html", bid=bid, challenge=bid.challenge, state_label=BID_WORKFLOW.state_label(bid.state),
        transitions=BID_WORKFLOW.available(bid, current_user), attachment_form=AttachmentForm(),
        can_edit=services.can_edit(current_user, bid), checklist=rules.checklist(bid), integrity=integrity,
        ratio=rules.cofunding_ratio(bid), events=audit.history(bid), now=clock.now())


@bp.route("/<int:bid_id>/edit", methods=["GET", "POST"])
@login_required  # someone else's bid is 404, whatever the role
def edit(bid_id: int):
    bid = get_bid(bid_id)
    if not services.can_edit(current_user, bid):
        flash(_("Only a draft bid can be edited."), "warning")
        return redirect(url_for("bids.show", bid_id=bid.id))
    form = BidForm()
    promised = {i.challenge_indicator_id: i.promised_value for i in bid.indicators}
    if request.method == "GET":
        form.fill_from(bid)
    if request.method == "POST":
        promised = {ci.id: request.form.get(f"indicator_{ci.id}", "") for ci in bid.challenge.indicators}
    if not rows_changed(form) and form.validate_on_submit():
        if perform(lambda: services.update_bid(bid, actor=current_user, data=form.to_data(promised),
                                               expected_version=form.version.data or None),
                   _("Draft saved."), form=form, mapping=FORM_FIELDS):
            return redirect(url_for("bids.show", bid_id=bid.id))
    return render_template("bids/form.html", form=form, bid=bid, promised=promised,
                           partner_names=_partner_names(form))


def _partner_names(form) -> dict:
    """Credit code -> name of the partners typed in that are registered, shown beside them."""
    codes = [row["credit_code"] for row in form.partners.rows()]
    return {code: org.name for code in codes if (org := organization_by_code(code)) is not None}


@bp.get("/<int:bid_id>/partner-lookup")
@login_required
def partner_lookup(bid_id: int):
    """Registered organisations by name or credit code, for the partner rows of a draft (JSON)."""
    bid = get_bid(bid_id)
    if not services.can_edit(current_user, bid):
        return jsonify(error=_("Only a draft bid can be edited.")), 403
    found = find_organizations(request.args.get("q", ""), exclude_id=bid.organization_id)
    return jsonify(organizations=[{"name": org.name, "credit_code": org.credit_code} for org in found])


@bp.post("/<int:bid_id>/do/<name>")
@login_required  # someone else's bid is 404, whatever the role
def act(bid_id: int, name: str):
    bid = get_bid(bid_id)
    perform(lambda: fire(bid, name, current_user, comment=request.form.get("comment"),
                         expected_version=request.form.get("version")),
            _("Done: %(action)s.", action=BID_WORKFLOW.transitions[name].label)
            if name in BID_WORKFLOW.transitions else None)
    if request.form.get("next") == "eligibility":
        return redirect(url_for("bids.eligibility", challenge_id=bid.challenge_id))
    return redirect(url_for("bids.show", bid_id=bid.id))


@bp.post("/<int:bid_id>/attachments")
@login_required  # someone else's bid is 404, whatever the role
def upload(bid_id: int):
    bid = get_bid(bid_id)
    upload_attachment(partial(services.add_attachment, bid, actor=current_user))
    return redirect(url_for("bids.show", bid_id=bid.id))


@bp.get("/<int:bid_id>/attachments/<int:attachment_id>")
@login_required  # someone else's bid is 404, whatever the role
def attachment(bid_id: int, attachment_id: int):
    bid = get_bid(bid_id)
    found = attachments.find_attachment(bid, attachment_id)
    if found is None:
        abort(404)
    return attachments.send_attachment(found)


@bp.route("/<int:bid_id>/partner", methods=["GET", "POST"])
@login_required  # someone else's bid is 404, whatever the role
def partner(bid_id: int):
    """A partner organisation's user sees what it is asked to join and confirms."""
    bid = db.session.get(Bid, bid_id)
    partner = services.is_partner_user(current_user, bid) if bid else None
    if partner is None:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        perform(lambda: services.confirm_partner(bid, actor=current_user), _("Participation confirmed."))
        return redirect(url_for("bids.partner", bid_id=bid.id))
    return render_template("bids/partner.html", bid=bid, partner=partner, form=form)


# eligibility check (形式审查) -----------------------------------------------------------

@bp.get("/eligibility/<int:challenge_id>")
@permission_required("bids.check_eligibility")
def eligibility(challenge_id: int):
    challenge = get_current(challenge_id)
    query = services.listed_bids_query(challenge).options(
        sa.orm.selectinload(Bid.lead), sa.orm.selectinload(Bid.members), sa.orm.selectinload(Bid.partners),
        sa.orm.selectinload(Bid.indicators), sa.orm.selectinload(Bid.milestones),
        sa.orm.selectinload(Bid.attachments))
    page = db.paginate(query, per_page=current_app.config["PER_PAGE"], error_out=False)
    # One integrity check for the whole page, split per bid afterwards.
    parties = {bid.id: rules.subjects(bid) for bid in page.items}
    found = check([s for subjects in parties.values() for s in subjects])
    rows = []
    for bid in page.items:
        mine = set(parties[bid.id])
        integrity = CheckResult(found.on, parties[bid.id],
                                black=[f for f in found.black if f.subject in mine],
                                red=[f for f in found.red if f.subject in mine])
        rows.append({"bid": bid, "checklist": rules.checklist(bid), "integrity": integrity,
                     "transitions": BID_WORKFLOW.available(bid, current_user)})
    return render_template("bids/eligibility.html", challenge=challenge, rows=rows, page=page,
                           label=BID_WORKFLOW.state_label)


# on a challenge's page -------------------------------------------------------------

def challenge_section(challenge: Challenge, user):
    """Bids on the challenge page: the team's own; titles and organisations for the owner
    once bidding has closed; all of them for officers."""
    if not getattr(user, "is_authenticated", False):
        if not challenge.bidding_open():
            return None
        return Markup(render_template("bids/_sign_in_to_bid.html", challenge=challenge))
    if can("bids.check_eligibility", user=user):
        bids = services.listed_bids(challenge)
        mode = "bureau"
    elif services.owner_sees_bids(user, challenge):
        bids = services.listed_bids(challenge)
        mode = "owner"
    elif can("bids.list_own", user=user):
        bids = db.session.scalars(sa.select(Bid).where(
            Bid.challenge_id == challenge.id, Bid.organization_id == user.organization_id)
            .order_by(Bid.id)).all()
        mode = "team"
    else:
        return None
    can_start = may_start(user, challenge, bids)
    return Markup(render_template("bids/_challenge_section.html", challenge=challenge, bids=bids, mode=mode,
                                  can_start=can_start, form=ConfirmForm(), label=BID_WORKFLOW.state_label))


challenge_views.PAGE_SECTIONS.append(challenge_section)


# dashboard panels ------------------------------------------------------------------

def my_bids_panel(user):
    bids = db.session.scalars(sa.select(Bid).where(Bid.organization_id == user.organization_id)
                              .order_by(Bid.updated_at.desc()).limit(10)).all()
    return Markup(render_template("bids/_panel.html", bids=bids, label=BID_WORKFLOW.state_label))


def invitations_panel(user):
    """Bids that wait for this organisation's confirmation as a partner; hidden when none."""
    invitations = services.partner_invitations(user, pending_only=True, limit=10)
    if not invitations:
        return None
    return Markup(render_template("bids/_invitations.html", invitations=invitations, label=BID_WORKFLOW.state_label))


def open_challenges_panel(user):
    rows = db.session.scalars(sa.select(Challenge).where(
        Challenge.state == ChallengeState.published, Challenge.deadline_at > clock.now())
        .order_by(Challenge.deadline_at).limit(10)).all()
    return challenge_views._panel(rows, _("No challenge is open for bids right now."))


def awaiting_eligibility_panel(user):
    pending = (sa.select(Bid.challenge_id).where(Bid.state == BidState.submitted).distinct())
    rows = db.session.scalars(sa.select(Challenge).where(
        Challenge.state == ChallengeState.closed, Challenge.id.in_(pending))
        .order_by(Challenge.closed_at).limit(10)).all()
    if not rows:
        return None
    return Markup(render_template("bids/_eligibility_panel.html", challenges=rows))


add_panel(_l("Invitations to partner in a bid"), PARTNERS, invitations_panel, order=5)
add_panel(_l("My bids"), TEAMS, my_bids_panel, order=10)
add_panel(_l("Challenges open for bids"), TEAMS, open_challenges_panel, order=11)
add_panel(_l("Closed challenges awaiting the eligibility check"), Role.BUREAU,
          awaiting_eligibility_panel, order=11)


# work queues -------------------------------------------------------------------------

def bureau_queue(user) -> list[QueueItem]:
    return [QueueItem(_("Closed challenges awaiting the eligibility check"), services.count_awaiting_eligibility(),
                      url_for("challenges.manage", state="closed"))]


def team_queue(user) -> list[QueueItem]:
    counts = services.count_team_work(user)
    if not has_role(user, TEAMS):  # an enterprise confirms from the panel on its dashboard
        return [QueueItem(_("Invitations to partner in a bid"), counts["invitations"],
                          url_for("core.dashboard", _anchor="invitations"))]
    return [QueueItem(_("Draft bids"), counts["drafts"], url_for("bids.mine")),
            QueueItem(_("Invitations to partner in a bid"), counts["invitations"],
                      url_for("bids.mine", _anchor="invitations"))]


add_queue(Role.BUREAU, bureau_queue, order=11)
add_queue(PARTNERS, team_queue, order=12)
