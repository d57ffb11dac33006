"""Reviewer profiles and the officers' expert pool search."""
import pytest

from grants.core.errors import ValidationFailed
from grants.reviews.profiles import profile_of, save_reviewer_profile


def test_a_reviewer_saves_their_profile_and_it_is_audited(make, login, client):
    org = make.org("西北理工大学", kind="university")
    reviewer = make.user("reviewer", org=org)
    login(reviewer)
    response = client.post("/reviews/profile", data={
        "title": "教授", "fields": ["biomedicine", "new_materials"], "available": "y"})
    assert response.status_code == 302
    profile = profile_of(reviewer)
    assert profile.fields == ["biomedicine", "new_materials"] and profile.title == "教授" and profile.available
    assert profile.organization.name == "西北理工大学"
    html = client.get("/reviews/profile").get_data(as_text=True)
    assert "教授" in html and "生物医药" in html


def test_a_profile_needs_a_field_and_only_reviewers_have_one(make, login, client):
    reviewer = make.user("reviewer")
    login(reviewer)
    html = client.post("/reviews/profile", data={"title": "研究员"}).get_data(as_text=True)
    assert "请至少选择一个专业领域" in html
    assert profile_of(reviewer) is None
    with pytest.raises(ValidationFailed, match="只有评审专家账号"):
        save_reviewer_profile(make.user("applicant"), fields=["other"])
    with pytest.raises(ValidationFailed, match="未知的专业领域"):
        save_reviewer_profile(reviewer, fields=["astrology"])


def test_officers_search_the_pool_by_field(make, login, client):
    make.reviewer(["biomedicine"], name="陈生物")
    make.reviewer(["smart_manufacturing", "biomedicine"], name="李智造", available=False)
    make.reviewer(["modern_agriculture"], name="王农业")
    login(make.user("officer"))
    html = client.get("/reviews/experts?field=biomedicine").get_data(as_text=True)
    assert "陈生物" in html and "李智造" in html and "王农业" not in html
    html = client.get("/reviews/experts?field=biomedicine&available=1").get_data(as_text=True)
    assert "陈生物" in html and "李智造" not in html
    html = client.get("/reviews/experts").get_data(as_text=True)
    assert "王农业" in html and "共 3 条" in html


def test_the_pool_is_for_officers_only(make, login, client):
    login(make.user("applicant"))
    assert client.get("/reviews/experts").status_code == 403


def test_demo_data_has_an_expert_pool(app):
    import sqlalchemy as sa

    from grants.core.demo import seed
    from grants.extensions import db
    from grants.reviews.models import ReviewerProfile

    seed()
    assert db.session.scalar(sa.select(sa.func.count(ReviewerProfile.id))) == 4
