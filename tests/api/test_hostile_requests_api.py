"""The API answers odd numbers, NUL characters and hostile JSON in its error shape, never a 500."""
from __future__ import annotations

import json

import pytest

from tests.api.helpers import error_of

HUGE = "99999999999999999999"


@pytest.mark.parametrize("path", ["/challenges?q=a%00b", f"/challenges?page={HUGE}", f"/challenges/{HUGE}",
                                  "/bids/2147483648"])
def test_the_api_answers_odd_numbers_and_nul_in_its_error_shape(api, make, path):
    response = api(make.token(make.user("officer"))).get(path)
    assert response.status_code in (400, 404, 422)
    assert error_of(response)["message"]


@pytest.mark.parametrize("body", ["[" * 100_000, "[" * 5000 + "]" * 5000, "{\"a\":" * 5000 + "1" + "}" * 5000,
                                  "9" * 5000, json.dumps({"title": 1}).replace("1", "9" * 5000)])
def test_hostile_json_bodies_are_refused_in_the_error_shape(api, make, body):
    team = api(make.token(make.user("enterprise")))
    response = team.post("/challenges", data=body, content_type="application/json")
    assert response.status_code in (400, 422)
    assert error_of(response)["message"]


def test_a_nul_in_an_uploaded_file_name_is_a_bad_request(api, make):
    import io

    from tests.factories import pdf_bytes

    team = make.user("applicant")
    bid = make.bid(make.challenge(), user=team, submit=False)
    response = api(make.token(team)).post(f"/bids/{bid.id}/attachments", content_type="multipart/form-data",
                                          data={"file": (io.BytesIO(pdf_bytes("plan")), "plan\x00.pdf")})
    assert response.status_code == 400 and "NUL" in error_of(response)["message"]
    assert not bid.attachments
