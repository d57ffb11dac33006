"""Values on pages: units written once, "—" where there is nothing, no doubled separators."""
import pytest

from grants.core.display import EMPTY, joined, or_empty, with_unit
from tests.challenges.test_pages import signed_in


@pytest.mark.parametrize("value, unit, shown", [
    ("≥12 min", "min", "≥12 min"), ("≤0.8%", "%", "≤0.8%"), ("12", "min", "12 min"), ("0.8", "%", "0.8%"),
    ("5", "", "5"), ("", "min", EMPTY), (None, "min", EMPTY),
])
def test_a_unit_is_written_once(value, unit, shown):
    assert with_unit(value, unit) == shown


def test_empty_values_read_as_a_dash_and_leave_no_doubled_separator():
    assert or_empty(None) == EMPTY and or_empty("  ") == EMPTY and or_empty(0) == "0"
    assert joined("甲公司", "", None, "智能制造") == "甲公司 · 智能制造"


def test_a_draft_without_a_field_or_budget_shows_dashes(app, make):
    from grants.challenges import services

    owner = make.user("enterprise")
    challenge = services.create_challenge(actor=owner, data={"title": "未完成的榜单"})
    from grants.extensions import db

    db.session.commit()
    html = signed_in(app, owner).get(f"/challenges/{challenge.id}").get_data(as_text=True)
    header = html[html.index("<h1"):html.index("</div>", html.index("<h1"))]
    assert "· ·" not in " ".join(header.split())
    budget = html[html.index("<dt>财政支持金额</dt>"):]
    assert budget.split("<dd>", 1)[1].startswith("—")
