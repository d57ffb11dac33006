"""Who may read the inbox and the outbox.

Every signed-in account has an inbox and reads only its own notifications (another's
is not found). The e-mail outbox is the system administrator's (settings and delivery).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from grants.core.permissions import ADMINISTRATION_ONLY, SIGN_IN_FIRST, Role, only, permission, signed_in

OWN_ONLY = _l("This notification is not yours.")

# The menu: who has an inbox, who keeps the outbox.
INBOX_HOLDERS = Role.EVERYONE
OUTBOX_KEEPERS = Role.ADMINISTRATION


@permission("notifications.read_inbox")
def can_read_inbox(user, obj=None):
    if not signed_in(user):
        return SIGN_IN_FIRST
    return None


@permission("notifications.read")
def can_read(user, notification):
    """Reading (and marking read) one notification: the user it was written for."""
    if not signed_in(user):
        return SIGN_IN_FIRST
    return None if notification.user_id == user.id else OWN_ONLY


@permission("notifications.see_outbox")
def can_see_outbox(user, obj=None):
    return only(OUTBOX_KEEPERS, ADMINISTRATION_ONLY)(user)
