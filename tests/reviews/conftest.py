import pytest
from werkzeug.security import generate_password_hash


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    """These tests create many accounts; scrypt at production cost made up most of their time."""
    monkeypatch.setattr("grants.auth.models.generate_password_hash",
                        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"))
