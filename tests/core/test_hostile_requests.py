"""Odd input answers 400/404/422 in the usual shape, never a server error."""
from __future__ import annotations

import io
import pytest

from tests.factories import pdf_bytes

HUGE = "99999999999999999999"
NOT_FOUND_PAGES = [f"/challenges/?page={HUGE}", f"/challenges/{HUGE}", "/bids/2147483648",
                   f"/bids/?page={HUGE}", f"/projects/monitor?page={HUGE}", f"/admin/organizations?page={HUGE}",
                   f"/challenges/?page={'9' * 5000}"]


@pytest.mark.parametrize("path", NOT_FOUND_PAGES)
def test_numbers_beyond_the_integer_range_are_not_found(client, make, login, path):
    login(make.user("admin" if path.startswith("/admin") else "officer"))
    response = client.get(path)
    assert response.status_code == 404
    assert "找不到" in response.get_data(as_text=True) or "不存在" in response.get_data(as_text=True)


def test_a_negative_page_is_the_first_page(client, make, login):
    login(make.user("admin"))
    assert client.get("/admin/organizations?page=-1").status_code == 200


@pytest.mark.parametrize("path", ["/challenges/?q=a%00b", "/integrity/?q=%00", "/projects/monitor?q=%00",
                                  "/admin/users?q=%00", "/bids/?q=x%00"])
def test_a_nul_in_the_query_string_is_a_bad_request_in_words(client, make, login, path):
    login(make.user("admin" if path.startswith("/admin") else "officer"))
    response = client.get(path)
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)


def test_a_nul_in_a_login_email_is_a_bad_request(client, make):
    make.user("officer", email="officer@example.cn")
    response = client.post("/login", data={"email": "officer@example.cn\x00", "password": "password123"})
    assert response.status_code == 400 and "NUL" in response.get_data(as_text=True)


def test_a_nul_in_an_uploaded_file_name_is_a_bad_request(client, make, login):
    challenge = make.challenge(state="draft")
    owner = login(challenge.created_by)
    response = owner.post(f"/challenges/{challenge.id}/attachments",
                          data={"file": (io.BytesIO(pdf_bytes("spec")), "spec\x00.pdf")},
                          content_type="multipart/form-data")
    assert response.status_code == 400 and "NUL" in response.get_data(as_text=True)
    assert not challenge.attachments
