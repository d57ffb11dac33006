"""The acceptance pages and the certificate's verification page cost the same number of
queries whatever the number of indicators and panel members."""
import pytest

from grants.acceptance import decisions, services
from grants.extensions import db
from tests.acceptance.helpers import confirm, requested, under_acceptance
from tests.challenges.test_pages import signed_in
from tests.reviews.test_query_counts import queries


def indicators(n: int) -> dict:
    return {"challenge_fields": {"indicators": [
        {"name": f"指标{i}", "target_value": str(i), "unit": "项", "binding": i % 2 == 0} for i in range(n)]}}


def judge_every_indicator(acceptance, reviewer, score=80, submit=True):
    services.save_judgement(acceptance.project, actor=reviewer, score=score, opinion="意见", submit=submit,
                            indicators={i.id: (True, "达到") for i in acceptance.project.indicators})
    db.session.commit()


def test_the_panel_page_costs_the_same_for_few_or_many_reviewers_and_indicators(app, make):
    few = requested(make, **indicators(2))
    services.form_panel(few.project, [make.reviewer() for _ in range(3)], actor=few.officer)
    db.session.commit()
    small = queries(signed_in(app, few.officer), f"/acceptance/projects/{few.project.id}")
    many = requested(make, **indicators(7))
    services.form_panel(many.project, [make.reviewer() for _ in range(7)], actor=many.officer,
                        observer=many.owner)
    db.session.commit()
    make.reviewer(org=many.project.lead_org)  # a conflicted candidate too
    large = queries(signed_in(app, many.officer), f"/acceptance/projects/{many.project.id}")
    assert large <= small + 1, (small, large)


def test_the_judging_page_costs_the_same_for_few_or_many_indicators(app, make):
    def judging(n: int) -> int:
        acceptance = under_acceptance(make, size=3 if n < 5 else 6, **indicators(n))
        reviewer = acceptance.panel[0]
        judge_every_indicator(acceptance, reviewer, submit=False)
        return queries(signed_in(app, reviewer), f"/acceptance/projects/{acceptance.project.id}/judge")

    small, large = judging(2), judging(7)
    assert large <= small + 1, (small, large)


def test_the_outcome_page_costs_the_same_for_few_or_many_members_and_indicators(app, make):
    def outcome(n_indicators: int, n_members: int) -> int:
        acceptance = under_acceptance(make, size=n_members, **indicators(n_indicators))
        for reviewer in acceptance.panel:
            judge_every_indicator(acceptance, reviewer)
        assert decisions.progress(acceptance.project).result is not None
        return queries(signed_in(app, acceptance.officer), f"/acceptance/projects/{acceptance.project.id}")

    small, large = outcome(2, 3), outcome(7, 6)
    assert large <= small + 1, (small, large)


@pytest.mark.parametrize("path", ["/verify/{number}", "/certificates/{id}"])
def test_the_certificate_pages_cost_the_same_for_few_or_many_indicators(app, make, path):
    def certificate_page(n: int) -> int:
        acceptance = under_acceptance(make, **indicators(n))
        for reviewer in acceptance.panel:
            judge_every_indicator(acceptance, reviewer)
        confirm(acceptance)
        certificate = decisions.issue_project_certificate(acceptance.project, actor=acceptance.officer)
        db.session.commit()
        client = signed_in(app, acceptance.officer) if path.startswith("/certificates") else app.test_client()
        return queries(client, path.format(number=certificate.number, id=certificate.id))

    small, large = certificate_page(2), certificate_page(7)
    assert large <= small + 1, (small, large)
