"""The funding ledger: bureau, enterprise and own funds, planned and actual; the team
records contributions; every release is held to the challenge's budget and ratio."""
from datetime import timedelta

import pytest

from grants.core import audit, clock
from grants.core.errors import Forbidden, Refused, ValidationFailed
from grants.extensions import db
from grants.projects import funding, services
from grants.projects.models import TrancheState
from tests.projects.helpers import approve_report, awarded, co_fund, pdf, signed


def _approve_first(parties):
    from grants.projects import reports

    milestone = parties.project.milestones[0]
    reports.submit_report(milestone, actor=parties.team, text="样机完成")
    approve_report(milestone, parties.officer)
    db.session.commit()


def _sources(project):
    return {row["source"]: (row["planned_fen"], row["actual_fen"]) for row in funding.ledger(project)["sources"]}


def test_the_ledger_shows_three_sources_planned_and_actual(make):
    parties = signed(make)
    project = parties.project
    assert _sources(project) == {"bureau": (400_000_00, 0), "enterprise": (200_000_00, 0),
                                 "own": (800_000_00, 0)}
    services.release_tranche(project.tranches[0], actor=parties.officer)
    co_fund(parties, 50_000_00, "enterprise")
    co_fund(parties, 70_000_00)
    assert _sources(project) == {"bureau": (400_000_00, 120_000_00), "enterprise": (200_000_00, 50_000_00),
                                 "own": (800_000_00, 70_000_00)}
    assert audit.history(project)[-1].evidence["amount_fen"] == 70_000_00


def test_contributions_come_from_the_team_or_the_officer_with_an_optional_pdf(make):
    parties = signed(make)
    project, today = parties.project, clock.today().isoformat()
    data = {"source": "own", "amount_fen": 10_000_00, "paid_on": today}
    with pytest.raises(Forbidden, match="只有项目团队或项目主管"):
        funding.record_contribution(project, actor=parties.owner, data=data)
    with pytest.raises(ValidationFailed, match="到账之前"):
        funding.record_contribution(project, actor=parties.team,
                                    data=data | {"paid_on": (clock.today() + timedelta(days=1)).isoformat()})
    with pytest.raises(ValidationFailed, match="资金来源"):
        funding.record_contribution(project, actor=parties.team, data=data | {"source": "bureau"})
    row = funding.record_contribution(project, actor=parties.officer, data=data, upload=pdf("到账凭证.pdf"))
    assert row.proof_filename == "到账凭证.pdf" and row.proof_sha256


def test_no_contribution_before_the_agreement_is_signed(make):
    parties = awarded(make)
    with pytest.raises(Refused, match="任务书签订后"):
        funding.record_contribution(parties.project, actor=parties.team,
                                    data={"source": "own", "amount_fen": 1, "paid_on": clock.today()})


def test_a_release_refused_by_the_ratio_then_allowed_after_a_contribution(make):
    parties = signed(make)  # a university leads: 1:1 own to public
    signing, for_first, _ = parties.project.tranches
    services.release_tranche(signing, actor=parties.officer)  # the first release needs no co-funding
    db.session.commit()
    _approve_first(parties)
    co_fund(parties, 100_000_00)
    with pytest.raises(Refused, match="请先登记合计至少") as refused:
        services.release_tranche(for_first, actor=parties.officer)
    assert "1:1" in str(refused.value)
    db.session.rollback()
    co_fund(parties, for_first.amount_fen + signing.amount_fen - 100_000_00, "enterprise")
    services.release_tranche(for_first, actor=parties.officer)
    db.session.commit()
    assert for_first.state == TrancheState.released
    assert audit.history(for_first)[-1].evidence["cofunding"]["ratio"] == "1:1"


def test_the_challenge_budget_caps_every_release(make):
    parties = signed(make)
    challenge = parties.project.challenge
    challenge.budget_fen = 100_000_00
    db.session.commit()
    with pytest.raises(Refused, match="超过榜单经费"):
        services.release_tranche(parties.project.tranches[0], actor=parties.officer)
    db.session.rollback()
    challenge.budget_fen = 500_000_00
    db.session.commit()
    services.release_tranche(parties.project.tranches[0], actor=parties.officer)
    db.session.commit()
    assert parties.project.tranches[0].state == TrancheState.released


def test_the_funds_tab_shows_the_ledger_and_records_a_contribution(app, make):
    from tests.challenges.test_pages import signed_in

    parties = signed(make)
    client = signed_in(app, parties.team)
    page = client.get(f"/projects/{parties.project.id}/funds").get_data(as_text=True)
    assert "经费台账" in page and "团队自筹" in page and "登记到账" in page
    title = page[page.index("<title>"):page.index("</title>")]
    assert "<h2" not in title and page.count("经费台账") == 1  # the ledger once, in the page body
    response = client.post(f"/projects/{parties.project.id}/contributions", data={
        "source": "enterprise", "amount_yuan": "1234.5", "paid_on": clock.today().isoformat(), "note": "企业出资",
        "proof": pdf("凭证.pdf")}, content_type="multipart/form-data", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "配套资金已登记" in page and "凭证.pdf" in page
    assert _sources(parties.project)["enterprise"] == (200_000_00, 1234_50)
    owner_page = signed_in(app, parties.owner).get(f"/projects/{parties.project.id}/funds").get_data(as_text=True)
    assert "经费台账" in owner_page and "登记到账" not in owner_page
