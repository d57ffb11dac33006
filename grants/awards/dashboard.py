"""Dashboard of the award area: what waits for the bureau across areas, open objections
to integrity entries and to proposed awards (the award area comes after the integrity
area, so it is the one that can count both), and public notices about to end."""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from grants.awards import permissions, services
from grants.core.registry import QueueItem, add_queue
from grants.integrity import services as integrity


def bureau_queue(user) -> list[QueueItem]:
    return [
        QueueItem(_("Public notices ending within %(days)s days", days=services.NOTICE_ENDING_DAYS),
                  services.count_notices_ending(), url_for("reviews.challenges", state="notice")),
        QueueItem(_("Open objections to integrity entries"), integrity.count_open_objections(),
                  url_for("integrity.objections", state="open")),
        QueueItem(_("Open objections to award notices"), services.count_open_objections(),
                  url_for("awards.objections")),
    ]


add_queue(permissions.OBJECTION_KEEPERS, bureau_queue, order=30)
