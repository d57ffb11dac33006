"""Property-based hostile input over the web forms and the list filters.

Every field of each form (read from the page itself, so a new field is
covered without editing this file) and every list filter gets generated
text: long strings, control characters, mixed scripts and right-to-left
marks, markup, SQL fragments, numbers far out of range and dates that do not
exist. Whatever is sent: never a server error, and nothing stored renders as
markup. The API has the same from its OpenAPI document
(tests/api/test_schemathesis.py, test_drafting_fuzz.py).
"""
from __future__ import annotations

import os
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("FORM_FUZZ_EXAMPLES", "0")) or 12
REPEATABLE = "FORM_FUZZ_EXAMPLES" not in os.environ
MARKUP = "<script>alert('x')</script><img src=x onerror=alert(1)>"
HOSTILE = st.one_of(
    st.sampled_from([MARKUP, "' OR 1=1 --", "'; DROP TABLE challenges; --", "%%%%", "_", "\\", "",
                     "99999999999999999999", "-99999999999999999999", "1e309", "NaN", "-1", "0",
                     "2026-02-30", "9999-12-31T23:59", "0000-00-00", "\u202e\u0645\u0631\u062d\u0628\u0627 テスト",
                     "\u0007\u001b[31m红\u0085", "Ａ" * 300, "x" * 20000, "=HYPERLINK(\"http://evil\")"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=300),
)
FIELD = re.compile(r'<(?:input|textarea|select)\b[^>]*\bname="([^"]+)"', re.I)
NOT_FILLED = {"csrf_token", "submit"}


def _fields(html: str) -> list[str]:
    return sorted({name for name in FIELD.findall(html) if name not in NOT_FILLED})


def _fuzz_form(client, url: str) -> None:
    page = client.get(url)
    assert page.status_code == 200, url
    names = _fields(page.get_data(as_text=True))
    assert names, url

    @given(values=st.fixed_dictionaries({name: HOSTILE for name in names}))
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=REPEATABLE,
              suppress_health_check=list(HealthCheck))
    def post(values):
        response = client.post(url, data=values)
        assert response.status_code < 500, (url, values)
        assert MARKUP not in response.get_data(as_text=True), (url, "markup rendered as is")

    post()


def _fuzz_filters(client, url: str, names: list[str]) -> None:
    @given(values=st.fixed_dictionaries({name: HOSTILE for name in names}))
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=REPEATABLE,
              suppress_health_check=list(HealthCheck))
    def get(values):
        response = client.get(url, query_string=values)
        assert response.status_code < 500, (url, values)
        assert MARKUP not in response.get_data(as_text=True), (url, "markup rendered as is")

    get()


def test_an_enterprise_s_challenge_forms(make, login, client):
    owner = make.user("enterprise")
    draft = make.challenge(state="draft", owner=owner)
    login(owner)
    for url in ("/challenges/new", f"/challenges/{draft.id}/edit"):
        _fuzz_form(client, url)
    for url in ("/challenges/manage", "/challenges/"):
        html = client.get(url).get_data(as_text=True)
        assert MARKUP not in html


def test_a_team_s_bid_form(make, login, client):
    team = make.user("applicant")
    bid = make.bid(make.challenge(), user=team, submit=False)
    login(team)
    _fuzz_form(client, f"/bids/{bid.id}/edit")
    assert MARKUP not in client.get(f"/bids/{bid.id}").get_data(as_text=True)


def test_the_bureau_s_integrity_and_the_administrator_s_forms(make, login, client):
    login(make.user("officer"))
    _fuzz_form(client, "/integrity/entries/new")
    assert MARKUP not in client.get("/integrity/").get_data(as_text=True)
    login(make.user("admin"))
    _fuzz_form(client, "/admin/organizations/new")
    assert MARKUP not in client.get("/admin/organizations").get_data(as_text=True)


def test_an_expert_s_profile_form(make, login, client):
    login(make.reviewer())
    _fuzz_form(client, "/reviews/profile")


def test_list_filters_take_any_text(make, login, client):
    login(make.user("officer"))
    for url, names in [("/challenges/", ["q", "field", "state", "page", "sort"]),
                       ("/projects/monitor", ["q", "state", "sort", "overdue", "flag", "page"]),
                       ("/integrity/", ["q", "list", "subject_type", "page"]),
                       ("/bids/eligibility/1", ["page"]), ("/reviews/experts", ["q", "field", "page"])]:
        _fuzz_filters(client, url, names)
