"""The JSON API (``/api/v1``) and the personal tokens that open it.

The API calls the same services as the pages; it never holds a second copy
of a rule. Its OpenAPI 3 document is generated at ``/api/v1/openapi.json``
and browsable at ``/api/v1/docs`` (Swagger UI served from this server).

Pieces:

* ``auth.py``: ``Authorization: Bearer <token>`` or anonymous; the session
  cookie is ignored under /api/ (so CSRF does not apply). ``require_user()``,
  ``require_permission("integrity.view_lists")`` raise 401/403 in the error shape.
* ``errors.py``: one error shape, ``{"error": {"code", "message", "details"}}``,
  messages in the ``Accept-Language`` language (zh_CN by default).
* ``base.py``: ``api_blueprint``, ``SelectPage`` (paging: ``page``/``page_size``
  in, ``X-Pagination`` header out), ``add_transitions`` and ``add_history``.
* ``models.py``/``services.py``/``views.py``/``cli.py``: the tokens, the
  "My account" page (``/account``) and ``flask tokens create``.

How an area adds its resources
------------------------------
Create ``grants/<area>/api.py`` defining ``blp`` (or a list ``blueprints``);
it is found and registered automatically for every area in ``grants.AREAS``::

    import marshmallow as ma
    from grants.api.auth import require_permission, require_user
    from grants.api.base import ID, SelectPage, add_history, add_transitions, api_blueprint
    from grants.api.schemas import ApiSchema, UtcDateTime

    blp = api_blueprint("challenges", __name__, "/challenges", description="Challenges (榜单)")

    def load_challenge(challenge_id, user):      # None -> 404 (not visible is not found)
        challenge = db.session.get(Challenge, challenge_id)
        return challenge if challenge is not None and can_see(user, challenge) else None

    @blp.route("", methods=["GET"])
    @blp.arguments(ChallengeFilters, location="query")     # a QuerySchema
    @blp.response(200, ChallengeSchema(many=True))
    @blp.paginate(SelectPage)
    def list_challenges(filters):
        return select(Challenge).where(...)                 # a select(); paged for you

    @blp.route("", methods=["POST"])
    @blp.arguments(ChallengeCreateSchema)                   # an ApiSchema: unknown fields -> 422
    @blp.response(201, ChallengeSchema)
    def create_challenge(data):
        user = require_permission("challenges.create")
        challenge = services.create_challenge(actor=user, **data)   # the pages' service
        db.session.commit()
        return challenge

    add_transitions(blp, Challenge, load_challenge)  # POST /challenges/<id>/transitions/<name>
                                                     # GET  /challenges/<id>/transitions (what I may do)
    add_history(blp, Challenge, load_challenge)      # GET  /challenges/<id>/history

Request bodies are limited to 1 MB; an operation that takes files declares
its own limit with ``@body_limit(n_bytes)`` (``grants.api.auth``), placed
outermost, right under ``@blp.route``. Files alone come with
``@blp.arguments(Schema, location="files")``; text fields and files in one
``multipart/form-data`` body with ``location="multipart"``.

Services raise DomainErrors (ValidationFailed with ``details={field: message}``,
Refused, Forbidden, ...); let them propagate: the application's handler rolls
back and answers in the error shape. Path ids use ``<ID:...>`` (``int`` up to
2**31-1). Test it in ``tests/api/`` with ``tests/api/helpers.py``.
"""
from flask import Blueprint

bp = Blueprint("account", __name__)


def init_app(app):
    from grants.api import cli
    from grants.api.setup import init_api

    cli.register(app)
    init_api(app)


from grants.api import models, views  # noqa: E402,F401  (tables, routes)
