"""A partner organisation finds its invitations; the lead sees who has confirmed."""
from tests.challenges.test_pages import signed_in


def _invited(make, kind="institute", role="applicant"):
    challenge = make.challenge()
    partner_org = make.org("秦岭材料研究所", kind=kind)
    bid = make.bid(challenge, submit=False, partners=[partner_org.credit_code])
    return bid, make.user(role, org=partner_org)


def test_a_partner_applicant_finds_the_invitation_on_the_dashboard_and_bid_list(app, make):
    bid, partner_user = _invited(make)
    partner = signed_in(app, partner_user)
    link = f'href="/bids/{bid.id}/partner"'
    dashboard = partner.get("/dashboard").get_data(as_text=True)
    assert "邀请贵单位参与的申报" in dashboard and link in dashboard and bid.organization.name in dashboard
    mine = partner.get("/bids/mine").get_data(as_text=True)
    assert "邀请贵单位参与的申报" in mine and link in mine and "待确认" in mine

    partner.post(f"/bids/{bid.id}/partner")
    dashboard = partner.get("/dashboard").get_data(as_text=True)
    assert link not in dashboard  # nothing left to confirm
    assert "已确认" in partner.get("/bids/mine").get_data(as_text=True)


def test_an_enterprise_partner_sees_the_invitation_on_its_dashboard(app, make):
    bid, partner_user = _invited(make, kind="enterprise", role="enterprise")
    dashboard = signed_in(app, partner_user).get("/dashboard").get_data(as_text=True)
    assert f'href="/bids/{bid.id}/partner"' in dashboard


def test_no_invitation_panel_for_an_organisation_that_is_not_asked(app, make):
    _invited(make)
    dashboard = signed_in(app, make.user("applicant")).get("/dashboard").get_data(as_text=True)
    assert 'card-header">邀请贵单位参与的申报' not in dashboard  # the panel; its queue counts 0


def test_the_lead_sees_each_partners_status(app, make):
    challenge = make.challenge()
    waiting, confirmed = make.org("秦岭材料研究所", kind="institute"), make.org("渭河仪器公司")
    bid = make.bid(challenge, submit=False, partners=[waiting.credit_code, confirmed.credit_code])
    signed_in(app, make.user("applicant", org=confirmed)).post(f"/bids/{bid.id}/partner")
    team = signed_in(app, make.user("applicant", org=bid.organization))
    html = team.get(f"/bids/{bid.id}").get_data(as_text=True)
    assert "秦岭材料研究所 · <span class=\"badge text-bg-warning\">等待对方确认</span>" in html
    assert "渭河仪器公司 · <span class=\"badge text-bg-success\">已确认</span>" in html
