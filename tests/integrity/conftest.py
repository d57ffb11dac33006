import pytest


@pytest.fixture
def login(client, login):
    """Sign in as ``user``, signing out whoever was signed in (the sign-in page keeps a session)."""

    def _switch(user, password: str = "password123"):
        client.post("/logout")
        return login(user, password)

    return _switch
