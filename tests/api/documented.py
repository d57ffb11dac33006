"""An API test client that checks every answer against the OpenAPI document.

Use it in a test module by overriding the ``api`` fixture::

    from tests.api.documented import documented_api as api  # noqa: F401
"""
from __future__ import annotations

import pytest
import schemathesis

from tests.api.helpers import ApiClient

_schemas: dict = {}


def _schema(app):
    if app not in _schemas:
        _schemas[app] = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return _schemas[app]


class DocumentedApiClient(ApiClient):
    def __init__(self, app, client, token=None, lang=None):
        super().__init__(client, token, lang)
        self.app = app

    def _checked(self, method: str, path: str, response):
        operation = _schema(self.app).find_operation_by_path(method, f"/api/v1{path.split('?')[0]}")
        assert operation is not None, f"{method} {path} is not in the document"
        operation.validate_response(response)  # raises when the answer does not match
        return response

    def get(self, path, headers=None, **kwargs):
        return self._checked("GET", path, super().get(path, headers, **kwargs))

    def post(self, path, body=None, headers=None, **kwargs):
        return self._checked("POST", path, super().post(path, body, headers, **kwargs))

    def patch(self, path, body=None, headers=None, **kwargs):
        return self._checked("PATCH", path, super().patch(path, body, headers, **kwargs))

    def put(self, path, body=None, headers=None, **kwargs):
        return self._checked("PUT", path, super().put(path, body, headers, **kwargs))


@pytest.fixture
def documented_api(app, client):
    def _api(token: str | None = None, lang: str | None = None) -> DocumentedApiClient:
        return DocumentedApiClient(app, client, token, lang)

    return _api
