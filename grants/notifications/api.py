"""``/api/v1/inbox``: the caller's notifications, newest first; marking them read."""
from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _

from grants.api.auth import require_permission
from grants.api.base import ID, SelectPage, api_blueprint
from grants.api.schemas import UtcDateTime
from grants.core.errors import NotFound
from grants.extensions import db
from grants.notifications import services

blp = api_blueprint("inbox", __name__, "/inbox",
                    description="The caller's notifications: what asks them to act.")


class NotificationSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True)
    text = ma.fields.String(required=True, metadata={"description": "In the Accept-Language language"})
    parameters = ma.fields.Dict(required=True)
    link = ma.fields.String(allow_none=True, metadata={"description": "Path of the page to act on"})
    created_at = UtcDateTime(required=True)
    read_at = UtcDateTime(allow_none=True)
    unread = ma.fields.Boolean(required=True)


class ReadAllSchema(ma.Schema):
    marked = ma.fields.Integer(required=True, metadata={"description": "How many were unread"})


@blp.route("", methods=["GET"])
@blp.response(200, NotificationSchema(many=True))
@blp.paginate(SelectPage)
def list_inbox():
    """My notifications, newest first"""
    user = require_permission("notifications.read_inbox")
    return services.inbox_query(user)


@blp.route(f"/<{ID}:notification_id>/read", methods=["POST"])
@blp.response(200, NotificationSchema)
def read_one(notification_id: int):
    """Mark one of my notifications read (another's is 404)"""
    user = require_permission("notifications.read_inbox")
    note = services.notification_of(user, notification_id)
    if note is None:
        raise NotFound(_("There is no such record, or it is not visible to you."))
    services.mark_read(note, actor=user)
    db.session.commit()
    return note


@blp.route("/read-all", methods=["POST"])
@blp.response(200, ReadAllSchema)
def read_all():
    """Mark all my notifications read"""
    user = require_permission("notifications.read_inbox")
    marked = services.mark_all_read(actor=user)
    db.session.commit()
    return {"marked": marked}
