"""Input no page or API call can use, refused before any view runs.

* Record ids in URLs (``<int:...>``) are the database's 32-bit integers: the
  application's ``int`` converter is :class:`RecordId`, so
  ``/challenges/99999999999999999999`` is simply not found instead of
  overflowing the database driver.
* Paging parameters (``page``, ``per_page``, ``page_size``) beyond that range
  name no page: 404.
* A JSON body nested deeper than the parser's recursion limit, or holding a
  number of thousands of digits, is a 400 like any malformed body (the
  parsers further on would fail with a server error).
* A NUL character is never valid text (PostgreSQL cannot store it): a query
  string, form field or uploaded file name carrying one is a 400 saying so
  (the API's schemas already refuse one in a field, naming the field).

Each answer has the usual shape: the error page, or the API's JSON error.
"""
from __future__ import annotations

import json

from flask import Flask, abort, current_app, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

from grants.core.errors import DomainError

MAX_RECORD_ID = 2**31 - 1
PAGING_ARGS = ("page", "per_page", "page_size")
MAX_JSON_BYTES = 1024 * 1024  # the API's body limit (grants.api.auth.DEFAULT_MAX_BODY)


class RecordId(IntegerConverter):
    """``<int:...>`` bounded to the database's integer range (0 .. 2**31 - 1)."""

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min,
                         max=MAX_RECORD_ID if max is None else max, signed=signed)


class BadCharacters(DomainError):
    status = 400
    code = "bad_request"


class BadBody(DomainError):
    status = 400
    code = "bad_request"


def install_converter(app: Flask) -> None:
    """Before any blueprint adds its rules (a rule binds its converter when added)."""
    app.url_map.converters["int"] = RecordId


def _has_nul() -> bool:
    files = request.files if request.mimetype == "multipart/form-data" else {}
    if any("\x00" in (f.filename or "") for f in files.values()):
        return True
    if request.path.startswith("/api/"):
        return False  # the API's schemas name the field that carries one (422)
    if any("\x00" in key + value for key, value in request.args.items(multi=True)):
        return True
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return any("\x00" in key + value for key, value in request.form.items(multi=True))
    return False


def _refuse_hostile_input():
    for name in PAGING_ARGS:
        digits = request.args.get(name, "").strip().lstrip("+-")
        if digits.isdigit() and (len(digits) > 10 or int(digits) > MAX_RECORD_ID):
            abort(404)
    if _has_nul():
        raise BadCharacters(_("The request contains a NUL character, which no text may contain."))


def _refuse_unparseable_json():
    limit = current_app.config.get("API_MAX_BODY", MAX_JSON_BYTES)
    if not request.is_json or not request.content_length or request.content_length > limit:
        return  # nothing to read, or refused for its size by the API's own limit
    try:
        json.loads(request.get_data(cache=True))
    except json.JSONDecodeError:
        return  # plainly malformed: the API's parser says so
    except (ValueError, RecursionError):
        raise BadBody(_("The request body is nested too deeply or holds a number too long to read.")) from None


def init_app(app: Flask) -> None:
    app.before_request(_refuse_unparseable_json)
    app.before_request(_refuse_hostile_input)
