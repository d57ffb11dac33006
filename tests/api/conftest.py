"""Fixtures for API tests: ``api(token, lang)`` is a JSON client sending a Bearer token."""
from __future__ import annotations

import pytest

from tests.api.helpers import ApiClient


@pytest.fixture
def api(client):
    def _api(token: str | None = None, lang: str | None = None) -> ApiClient:
        return ApiClient(client, token, lang)

    return _api


@pytest.fixture
def officer_api(api, make):
    return api(make.token(make.user("officer")))
