"""Wiring of the JSON API into the application."""
from __future__ import annotations

import importlib
import importlib.util

import swagger_ui_bundle
from flask import Blueprint, Flask, request
from flask_smorest import Api

from grants.api.auth import (address_key, authenticate_request, check_operation_permission,
                             forget_caller, rate_limit_key)
from grants.api.base import PREFIX
from grants.api.idempotency import remember_answer, replay_or_claim
from grants.api.errors import init_errors
from grants.api.schemas import ErrorSchema
from grants.core.security import allow_inline_script
from grants.extensions import csrf, limiter

API_DESCRIPTION = """\
The JSON API of the open-competition project system, over the same rules as its pages.

**Authentication**: create a personal token on your account page (or `flask tokens create`)
and send it as `Authorization: Bearer <token>`. A token acts with its user's role. Without
a token only public information is available.

**Errors** always have the shape `{"error": {"code": ..., "message": ..., "details": ...}}`;
`message` is in the language asked for with `Accept-Language` (Chinese by default).

**Lists** are paged with `page` and `page_size`; the `X-Pagination` response header holds
`total`, `total_pages`, `page`, `next_page`, ... A list longer than 10,000 items is not
counted to the end: its header has `total_more_than` (10,000, or more when you page past
it) instead of `total`, `total_pages` and `last_page`, and a `next_page` while you page on.
"""


class GrantsApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        """Errors are answered by the application's handlers (grants.api.errors)."""

    def register_blueprint(self, blp, *, parameters=None, **options):
        """As flask-smorest's, with the blueprint's own tag name in the spec."""
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        blp.register_views_in_doc(self, self._app, self.spec, name=name, parameters=parameters)
        self.spec.tag({"name": getattr(blp, "tag", None) or name, "description": blp.description})


def api_blueprints():
    """The API blueprints of every area: ``grants.<area>.api.blp`` (or ``.blueprints``)."""
    from grants import AREAS
    from grants.api import resources

    found = [resources.blp]
    for area in AREAS:
        name = f"grants.{area}.api"
        if area == "api" or importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        found.extend(getattr(module, "blueprints", None) or [module.blp])
    return found


def register(app: Flask, blp) -> None:
    """Put one API blueprint on the app (before its first request) and in the spec."""
    app.extensions["grants.api"].register_blueprint(blp)
    # Only Bearer tokens are accepted under /api/, never the session cookie.
    csrf.exempt(blp)
    limiter.limit(_token_limit, key_func=rate_limit_key)(blp)
    limiter.limit(_address_limit, key_func=address_key)(blp)


def check_rate_limits() -> None:
    """before_request for /api/: the limits of the API blueprints (see ``register``).

    Flask-Limiter checks a blueprint's limits in the hook it runs before every request,
    which the application leaves out when it has no limit of its own (grants.core.setup);
    the API runs that check for its own requests only, before the token is looked up, so
    that refused tokens count too. An operation with its own limit decorator is left to
    it: the decorator checks the blueprint's limits with its own."""
    if request.path.startswith("/api/"):
        limiter._check_request_limit()


def _token_limit() -> str:
    from flask import current_app

    return current_app.config["API_RATE_LIMIT"]


def _address_limit() -> str:
    from flask import current_app

    return current_app.config["API_ADDRESS_RATE_LIMIT"]


def init_api(app: Flask) -> GrantsApi:
    app.config.setdefault("API_TITLE", "Open Competition S&T Projects API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    # Swagger UI is served from the installed package: no outside network needed.
    app.config.setdefault("OPENAPI_SWAGGER_UI_PATH", "docs")
    app.config.setdefault("OPENAPI_SWAGGER_UI_URL", f"{PREFIX}/docs/assets/")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": API_DESCRIPTION},
        "components": {"securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer",
                           "description": "A personal API token (gr_...)"}}},
        "security": [{"bearerAuth": []}, {}],
    })
    app.register_blueprint(Blueprint("api_docs_assets", __name__,
                                     static_folder=swagger_ui_bundle.swagger_ui_path,
                                     static_url_path=f"{PREFIX}/docs/assets"))
    api = GrantsApi(app)
    app.extensions["grants.api"] = api
    for blp in api_blueprints():
        register(app, blp)
    hooks = [authenticate_request, check_operation_permission, replay_or_claim]
    if limiter._check_request_limit not in app.before_request_funcs.get(None, []):
        hooks.insert(0, check_rate_limits)

    def before_api_request():
        """The API's hooks in their order, for requests under /api/ only: a page's request
        does not pass through four hooks that each look at its path and return."""
        if not request.path.startswith("/api/"):
            return None
        for hook in hooks:
            answer = hook()
            if answer is not None:
                return answer
        return None

    app.before_request(before_api_request)
    app.after_request(remember_answer)
    app.teardown_request(forget_caller)
    init_errors(app)
    allow_inline_script(app, "api-docs.openapi_swagger_ui")
    return api
