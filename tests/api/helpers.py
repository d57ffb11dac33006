"""API test helpers: a JSON client with a Bearer token, and the error shape."""
from __future__ import annotations

import json

class ApiClient:
    def __init__(self, client, token: str | None = None, lang: str | None = None):
        self.client = client
        self.token = token
        self.lang = lang

    def headers(self, extra=None) -> dict:
        headers = {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.lang:
            headers["Accept-Language"] = self.lang
        headers.update(extra or {})
        return headers

    def get(self, path: str, headers=None, **kwargs):
        return self.client.get(f"/api/v1{path}", headers=self.headers(headers), **kwargs)

    def post(self, path: str, body=None, headers=None, **kwargs):
        if body is not None and "data" not in kwargs:
            kwargs["data"] = json.dumps(body)
            kwargs["content_type"] = "application/json"
        return self.client.post(f"/api/v1{path}", headers=self.headers(headers), **kwargs)

    def patch(self, path: str, body=None, headers=None, **kwargs):
        if body is not None and "data" not in kwargs:
            kwargs["data"] = json.dumps(body)
            kwargs["content_type"] = "application/json"
        return self.client.patch(f"/api/v1{path}", headers=self.headers(headers), **kwargs)

    def put(self, path: str, body=None, headers=None, **kwargs):
        if body is not None and "data" not in kwargs:
            kwargs["data"] = json.dumps(body)
            kwargs["content_type"] = "application/json"
        return self.client.put(f"/api/v1{path}", headers=self.headers(headers), **kwargs)


def error_of(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    return body["error"]

