"""The inbox (every signed-in user) and the outbox (the administrator)."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from grants.core.permissions import permission_required
from grants.core.registry import add_nav
from grants.core.web import perform
from grants.extensions import db
from grants.notifications import bp, services
from grants.notifications.forms import MarkForm
from grants.notifications.mail import smtp_configured
from grants.notifications.permissions import OUTBOX_KEEPERS

add_nav(_l("Outbox"), "notifications.outbox", OUTBOX_KEEPERS, order=92)

OUTBOX_STATES = {"queued": _l("queued"), "sent": _l("sent"), "failed": _l("failed")}


def _internal(link: str | None) -> str | None:
    """Only a path on this site is followed (never another host)."""
    if link and link.startswith("/") and not link.startswith("//") and "\\" not in link:
        return link
    return None


@bp.get("/inbox")
@permission_required("notifications.read_inbox")
def inbox():
    page = db.paginate(services.inbox_query(current_user), per_page=current_app.config["PER_PAGE"],
                       error_out=False)
    return render_template("notifications/inbox.html", page=page, form=MarkForm(),
                           unread=services.unread_count(current_user))


@bp.post("/inbox/<int:notification_id>/open")
@permission_required("notifications.read_inbox")
def open_notification(notification_id: int):
    """Following a notification marks it read and goes where it points."""
    note = services.notification_of(current_user, notification_id)
    if note is None:
        abort(404)
    if not MarkForm().validate_on_submit():
        abort(400)
    link = _internal(note.link)
    if not perform(lambda: services.mark_read(note, actor=current_user)):
        return redirect(url_for("notifications.inbox"))
    if link is None:
        flash(_("Marked as read."), "success")
    return redirect(link or url_for("notifications.inbox", page=request.args.get("page", type=int)))


@bp.post("/inbox/read-all")
@permission_required("notifications.read_inbox")
def read_all():
    if not MarkForm().validate_on_submit():
        abort(400)
    done = perform(lambda: services.mark_all_read(actor=current_user))
    if done:
        flash(_("%(count)s notifications marked as read.", count=done.value), "success")
    return redirect(url_for("notifications.inbox"))


@bp.get("/outbox")
@permission_required("notifications.see_outbox")
def outbox():
    state = request.args.get("state") or None
    if state not in OUTBOX_STATES:
        state = None
    page = db.paginate(services.outbox_query(state), per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("notifications/outbox.html", page=page, state=state, states=OUTBOX_STATES,
                           smtp=smtp_configured())
