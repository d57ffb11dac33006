"""Evidence shown to anyone but the bureau masks personal ID numbers, the way
the bid page does (440305********5074): in a transition's answer, in a
refusal's details, in an object's history."""
from __future__ import annotations

import re

from grants.core.codes import mask_id_number
from grants.core.evidence import masked
from grants.extensions import db
from tests.api.helpers import error_of

FULL_ID = re.compile(r"\d{17}[\dX]")


def _codes(evidence) -> list[str]:
    return [s["code"] for s in evidence["integrity"]["subjects"]]


def test_the_team_sees_its_members_id_numbers_masked_when_it_submits(api, make):
    team = make.user("applicant")
    bid = make.bid(make.challenge(), user=team, submit=False)
    lead_id = bid.lead.id_number
    response = api(make.token(team)).post(f"/bids/{bid.id}/transitions/submit", {"version": bid.version})
    assert response.status_code == 200, response.get_json()
    evidence = response.get_json()["event"]["evidence"]
    assert mask_id_number(lead_id) in _codes(evidence) and lead_id not in str(evidence)
    assert bid.organization.credit_code in _codes(evidence)  # organisations' codes are public
    history = api(make.token(team)).get(f"/bids/{bid.id}/history").get_json()
    assert not FULL_ID.search(str([e["evidence"] for e in history if e["evidence"]]).replace(
        bid.organization.credit_code, ""))


def test_the_bureau_sees_them_whole(api, make):
    team = make.user("applicant")
    bid = make.bid(make.challenge(), user=team)
    history = api(make.token(make.user("officer"))).get(f"/bids/{bid.id}/history").get_json()
    submitted = [e for e in history if e["action"] == "submit"][0]
    assert bid.lead.id_number in _codes(submitted["evidence"])


def test_a_refusal_names_the_black_listed_member_with_a_masked_number(api, make):
    team = make.user("applicant")
    bid = make.bid(make.challenge(), user=team, submit=False)
    make.black(bid.lead)
    db.session.commit()
    response = api(make.token(team)).post(f"/bids/{bid.id}/transitions/submit")
    assert response.status_code == 409
    details = error_of(response)["details"]
    assert bid.lead.id_number not in str(details)
    assert mask_id_number(bid.lead.id_number) in _codes(details["evidence"])


def test_masking_reaches_every_string_but_leaves_credit_codes_and_other_numbers(app, make):
    person_id = make.person().id_number
    credit = make.org().credit_code
    evidence = {"lead": person_id, "members": [person_id], "note": f"负责人 {person_id} 已确认",
                "partners": [credit], "amount_fen": 123456789012345678}
    shown = masked(evidence)
    assert shown["lead"] == mask_id_number(person_id) == shown["members"][0]
    assert shown["note"] == f"负责人 {mask_id_number(person_id)} 已确认"
    assert shown["partners"] == [credit] and shown["amount_fen"] == 123456789012345678
