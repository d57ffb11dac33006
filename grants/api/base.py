"""Building blocks for an area's API resources (see ``grants/api/__init__.py``)."""
from __future__ import annotations

import flask_smorest
import sqlalchemy as sa
from flask_babel import gettext as _
from flask_smorest import Page

from grants.api.auth import caller, require_user
from grants.api.errors import ApiParser
from grants.api.schemas import (AvailableTransitionSchema, EventSchema, TransitionRequestSchema,
                                TransitionResultSchema)
from grants.core import audit
from grants.core.errors import NotFound
from grants.core.models import AuditEvent
from grants.core.pagination import capped_count
from grants.core.workflow import fire
from grants.extensions import db

PREFIX = "/api/v1"
# Path ids beyond a 32-bit integer cannot exist; such URLs are simply not found.
ID = "int(max=2147483647)"


class ApiBlueprint(flask_smorest.Blueprint):
    """A flask-smorest blueprint whose input errors are translated DomainErrors."""

    ARGUMENTS_PARSER = ApiParser()
    PAGINATION_ARGUMENTS_PARSER = ApiParser()
    DEFAULT_PAGINATION_PARAMETERS = {"page": 1, "page_size": 20, "max_page_size": 100}
    # ``location="multipart"``: text fields and files in one multipart/form-data body.
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {**flask_smorest.Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
                                             "multipart": "multipart/form-data"}

    @staticmethod
    def _make_pagination_metadata(page, page_size, item_count):
        return pagination_metadata(page, page_size, item_count)

    def __init__(self, *args, tag: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.tag = tag

    def route(self, rule, *, parameters=None, tags=None, permission: str | None = None,
              say_why: bool = False, **options):
        """As flask-smorest's; ``permission`` names the map's entry the caller needs
        for this operation whatever the object: it is checked before the body is
        read, so a caller without the role learns nothing about the fields (403,
        "your role may not use this part of the API", or with ``say_why`` the
        map's reason)."""
        register = super().route(rule, parameters=parameters,
                                 tags=tags or ([self.tag] if self.tag else None), **options)
        if permission is None:
            return register

        def decorator(view):
            view._api_permission = (permission, say_why)
            return register(view)

        return decorator


def api_blueprint(name: str, import_name: str, url_prefix: str, description: str = "") -> ApiBlueprint:
    """A blueprint ``api_<name>`` for ``/api/v1<url_prefix>``; ``name`` is its OpenAPI tag."""
    return ApiBlueprint(f"api_{name}", import_name, url_prefix=PREFIX + url_prefix,
                        description=description, tag=name)


class AtLeast(int):
    """An item count that stopped at its limit: there are more."""


def pagination_metadata(page: int, page_size: int, item_count: int) -> dict:
    """The ``X-Pagination`` header: flask-smorest's, or for a list longer than the count
    limit ``total_more_than`` instead of ``total``, ``total_pages`` and ``last_page``."""
    if not isinstance(item_count, AtLeast):
        return flask_smorest.Blueprint._make_pagination_metadata(page, page_size, item_count)
    meta = {"total_more_than": int(item_count), "first_page": 1, "page": page, "next_page": page + 1}
    if page > 1:
        meta["previous_page"] = page - 1
    return meta


class SelectPage(Page):
    """Pages a SQLAlchemy ``select()`` with LIMIT/OFFSET and one COUNT query.

    Use with ``@blp.paginate(SelectPage)`` on a view that returns the select;
    paging metadata goes to the ``X-Pagination`` response header.
    """

    @property
    def item_count(self) -> int:
        """Exact up to ``grants.core.pagination.COUNT_LIMIT`` rows (or the page asked for);
        beyond, an :class:`AtLeast` that the header gives as ``total_more_than``."""
        params = self.page_params
        total, more = capped_count(self.collection, params.first_item + params.page_size)
        return AtLeast(total) if more else total

    @property
    def items(self) -> list:
        params = self.page_params
        if params.first_item >= params.item_count:
            return []
        return list(db.session.scalars(self.collection.limit(params.page_size).offset(params.first_item)))


def _not_found():
    return NotFound(_("There is no such record, or it is not visible to you."))


def add_transitions(blp: ApiBlueprint, model, loader, *, path: str = ""):
    """``POST <path>/<id>/transitions/<name>`` firing the model's workflow,
    and ``GET <path>/<id>/transitions`` listing what the caller may try now.

    ``loader(id, user)`` returns the object if ``user`` may see it, else None
    (404). The optional JSON body ``{"comment": ..., "version": ...}`` goes to
    :func:`grants.core.workflow.fire`; the answer is the new state and the
    audit event. A guard's refusal or a stale version is 409, a role or
    relation that may not act is 403, an unknown transition name is 404.
    """
    workflow = model.__workflow__
    kind = model.__audit_type__
    names = ",".join(sorted(workflow.transitions))
    lines = "\n".join(f"* `{t.name}`: {t.label} ({', '.join(t.source)} → {t.dest}; "
                      f"{', '.join(sorted(t.roles))})" for t in workflow.transitions.values())

    @blp.route(f"{path}/<{ID}:object_id>/transitions/<any({names}):name>", methods=["POST"],
               endpoint=f"{kind}_transition")
    @blp.arguments(TransitionRequestSchema, required=False)
    @blp.response(200, TransitionResultSchema)
    @blp.doc(summary=f"Fire a transition ({kind})", description=f"Transitions:\n\n{lines}")
    def transition(body, object_id: int, name: str):
        user = require_user()
        obj = loader(object_id, user)
        if obj is None:
            raise _not_found()
        body = body or {}
        event = fire(obj, name, user, comment=body.get("comment"), expected_version=body.get("version"))
        db.session.commit()
        return {"state": str(obj.state), "version": getattr(obj, "version", None), "event": event}

    @blp.route(f"{path}/<{ID}:object_id>/transitions", methods=["GET"], endpoint=f"{kind}_transitions")
    @blp.response(200, AvailableTransitionSchema(many=True))
    @blp.doc(summary=f"Transitions the caller may try now ({kind})")
    def available(object_id: int):
        user = require_user()
        obj = loader(object_id, user)
        if obj is None:
            raise _not_found()
        return [{"name": t.name, "label": str(t.label), "comment_required": t.comment_required}
                for t in workflow.available(obj, user)]

    return transition


def add_history(blp: ApiBlueprint, model, loader, *, path: str = ""):
    """``GET <path>/<id>/history``: the object's audit events, oldest first, paged.

    ``loader(id, user)`` (user None when anonymous) returns the object if the
    caller may see it, else None (404); it may raise Unauthorized/Forbidden.
    """
    kind = model.__audit_type__

    @blp.route(f"{path}/<{ID}:object_id>/history", methods=["GET"], endpoint=f"{kind}_history")
    @blp.response(200, EventSchema(many=True))
    @blp.paginate(SelectPage)
    @blp.doc(summary=f"History ({kind})")
    def history(object_id: int):
        obj = loader(object_id, caller())
        if obj is None:
            raise _not_found()
        return (sa.select(AuditEvent)
                .where(AuditEvent.object_type == audit.object_type_of(obj), AuditEvent.object_id == obj.id)
                .order_by(AuditEvent.id))

    return history
