"""A challenge from draft to closed with bids from several teams, through the pages."""
import io
from datetime import timedelta

import sqlalchemy as sa

from grants.bids.models import Bid, BidAttachment, BidState
from grants.challenges.models import ChallengeState
from grants.core import clock
from grants.extensions import db
from tests.challenges.test_pages import anonymous, signed_in
from tests.factories import id_number, pdf_bytes, rows


def bid_form(bid, **overrides):
    challenge = bid.challenge
    data = {"version": bid.version, "title": "冷链保鲜揭榜方案", "technical_approach": "相变蓄冷与智能温控。",
            **rows("milestones", {"month": "6", "title": "中试", "deliverable": "中试报告"},
                   {"month": "12", "title": "示范应用", "deliverable": "应用报告"}),
            "requested_yuan": "400000", "equipment_yuan": "200000", "materials_yuan": "100000",
            "personnel_yuan": "80000", "other_yuan": "20000", "own_cofunding_yuan": "400000",
            "declaration": "y"}
    for ci in challenge.indicators:
        data[f"indicator_{ci.id}"] = ci.target_value
    data.update(overrides)
    return data


def start_bid(client, challenge):
    response = client.post(f"/bids/new/{challenge.id}")
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.get(Bid, int(response.headers["Location"].rstrip("/").split("/")[-2]))


def test_draft_to_closed_with_three_teams(app, make):
    challenge = make.challenge()
    officer_user = make.user("officer")
    officer = signed_in(app, officer_user)

    # Team A: a university, bids through the pages and is later found ineligible.
    team_a = make.user("applicant", org=make.org("西北理工大学", kind="university"))
    a = signed_in(app, team_a)
    bid_a = start_bid(a, challenge)
    html = a.post(f"/bids/{bid_a.id}/edit", data=bid_form(bid_a), follow_redirects=True).get_data(as_text=True)
    assert "草稿已保存" in html
    db.session.refresh(bid_a)
    html = a.post(f"/bids/{bid_a.id}/do/submit", data={"version": bid_a.version},
                  follow_redirects=True).get_data(as_text=True)
    assert "已完成：提交申报" in html
    # A second bid from the same organisation is refused.
    colleague = signed_in(app, make.user("applicant", org=team_a.organization))
    html = colleague.post(f"/bids/new/{challenge.id}", follow_redirects=True).get_data(as_text=True)
    assert "西北理工大学 已对该榜单申报，每个单位只能申报一次。" in html

    # Team B: an institute whose member is black-listed: refused, then it withdraws.
    team_b = make.user("applicant", org=make.org("长安新材料研究院", kind="institute"))
    b = signed_in(app, team_b)
    bid_b = start_bid(b, challenge)
    member_id = id_number()
    a.get("/")  # nothing shared between clients
    b.post(f"/bids/{bid_b.id}/edit", data=bid_form(bid_b, **rows("members", {"name": "周九", "id_number": member_id, "role": "工程师"})))
    db.session.refresh(bid_b)
    assert [m.person.name for m in bid_b.members] == ["周九"]
    make.black(bid_b.members[0].person, end_on=clock.today() + timedelta(days=400))
    html = b.post(f"/bids/{bid_b.id}/do/submit", data={"version": bid_b.version},
                  follow_redirects=True).get_data(as_text=True)
    assert "个人 周九 在科研诚信黑名单中" in html and "不得提交揭榜申报" in html
    db.session.refresh(bid_b)
    assert bid_b.state == BidState.draft
    b.post(f"/bids/{bid_b.id}/do/withdraw", data={"version": bid_b.version})
    db.session.refresh(bid_b)
    assert bid_b.state == BidState.withdrawn

    # Team C: an enterprise, co-funds 2:1 and is found eligible.
    team_c = make.user("applicant", org=make.org("渭水生物医药", kind="enterprise"))
    c = signed_in(app, team_c)
    bid_c = start_bid(c, challenge)
    html = c.post(f"/bids/{bid_c.id}/edit", data=bid_form(bid_c, own_cofunding_yuan="800000"),
                  follow_redirects=True).get_data(as_text=True)
    db.session.refresh(bid_c)
    c.post(f"/bids/{bid_c.id}/attachments", data={"file": (io.BytesIO(pdf_bytes("plan")), "方案.pdf")},
           content_type="multipart/form-data")
    db.session.refresh(bid_c)
    c.post(f"/bids/{bid_c.id}/do/submit", data={"version": bid_c.version})
    db.session.refresh(bid_c)
    assert bid_c.state == BidState.submitted

    # During bidding the owner enterprise does not see who bid; the public sees how many.
    owner = signed_in(app, make.user("enterprise", org=challenge.owner_org))
    html = owner.get(f"/challenges/{challenge.id}").get_data(as_text=True)
    assert "西北理工大学" not in html and "已有揭榜申报：2" in html

    # One second after the deadline no bid is accepted.
    late_team = make.user("applicant")
    late = signed_in(app, late_team)
    late_bid = start_bid(late, challenge)
    late.post(f"/bids/{late_bid.id}/edit", data=bid_form(late_bid))
    db.session.refresh(late_bid)
    clock.set_now(challenge.deadline_at + timedelta(seconds=1))
    html = late.post(f"/bids/{late_bid.id}/do/submit", data={"version": late_bid.version},
                     follow_redirects=True).get_data(as_text=True)
    assert "揭榜截止时间（2026-04-01 10:00:00）已过，不再接受申报。" in html

    # The clock closes bidding; the officer checks eligibility.
    from grants.core.cli import run_tick

    assert run_tick()["close_bidding"] == 1
    db.session.refresh(challenge)
    assert challenge.state == ChallengeState.closed
    html = officer.get("/dashboard").get_data(as_text=True)
    assert "截止揭榜待形式审查的榜单" in html
    html = officer.get(f"/bids/eligibility/{challenge.id}").get_data(as_text=True)
    assert "冷链保鲜揭榜方案" in html and "未发现有效的黑名单记录" in html
    assert "长安新材料研究院" not in html  # withdrawn bids are not checked
    db.session.refresh(bid_a)
    html = officer.post(f"/bids/{bid_a.id}/do/reject", data={"version": bid_a.version, "next": "eligibility"},
                        follow_redirects=True).get_data(as_text=True)
    assert "“形式审查不通过”须填写理由。" in html
    officer.post(f"/bids/{bid_a.id}/do/reject",
                 data={"version": bid_a.version, "comment": "未提供单位承诺书", "next": "eligibility"})
    officer.post(f"/bids/{bid_c.id}/do/accept", data={"version": bid_c.version})
    db.session.refresh(bid_a)
    db.session.refresh(bid_c)
    assert (bid_a.state, bid_c.state) == (BidState.ineligible, BidState.eligible)

    # The team sees the reason; the owner now sees titles and organisations.
    assert "未提供单位承诺书" in a.get(f"/bids/{bid_a.id}").get_data(as_text=True)
    html = owner.get(f"/challenges/{challenge.id}").get_data(as_text=True)
    assert "西北理工大学" in html and "渭水生物医药" in html


def test_bad_bid_input_is_refused_in_words(app, make):
    challenge = make.challenge(budget_fen=300_000_00)
    team = signed_in(app, make.user("applicant"))
    bid = start_bid(team, challenge)
    html = team.post(f"/bids/{bid.id}/edit", data=bid_form(bid)).get_data(as_text=True)
    assert "申请经费（¥400,000）高于榜单的支持金额（¥300,000）。" in html
    html = team.post(f"/bids/{bid.id}/edit", data=bid_form(bid, requested_yuan="250000")).get_data(as_text=True)
    assert "经费明细合计为 ¥400,000，与申请的 ¥250,000 不符。" in html
    db.session.refresh(bid)
    assert bid.requested_fen is None and not bid.milestones  # nothing half-saved

    zip_file = (io.BytesIO(b"PK\x03\x04not a pdf"), "报告.pdf")
    html = team.post(f"/bids/{bid.id}/attachments", data={"file": zip_file}, content_type="multipart/form-data",
                     follow_redirects=True).get_data(as_text=True)
    assert "报告.pdf 不是 PDF 文件（只接受 PDF 文档）。" in html
    big = (io.BytesIO(b"%PDF-" + b"x" * (21 * 1024 * 1024)), "大文件.pdf")
    html = team.post(f"/bids/{bid.id}/attachments", data={"file": big}, content_type="multipart/form-data",
                     follow_redirects=True).get_data(as_text=True)
    assert "大文件.pdf 超过 20 MB。" in html
    assert db.session.scalar(sa.select(sa.func.count(BidAttachment.id))) == 0


def test_someone_elses_bid_and_attachment_are_404(app, make):
    challenge = make.challenge()
    bid = make.bid(challenge, submit=False)
    owner_team = make.user("applicant", org=bid.organization)
    from grants.bids import services

    att = services.add_attachment(bid, actor=owner_team, stream=io.BytesIO(pdf_bytes("x")), filename="a.pdf")
    db.session.commit()
    mine = signed_in(app, owner_team)
    assert mine.get(f"/bids/{bid.id}").status_code == 200
    response = mine.get(f"/bids/{bid.id}/attachments/{att.id}")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert signed_in(app, make.user("officer")).get(f"/bids/{bid.id}").status_code == 200
    for user in (make.user("applicant"), make.user("enterprise", org=challenge.owner_org)):
        other = signed_in(app, user)
        assert other.get(f"/bids/{bid.id}").status_code == 404
        assert other.get(f"/bids/{bid.id}/attachments/{att.id}").status_code == 404
        assert other.post(f"/bids/{bid.id}/do/withdraw").status_code == 404
    assert anonymous(app).get(f"/bids/{bid.id}").status_code == 302  # to the sign-in page


def test_a_partner_confirms_on_its_page(app, make):
    challenge = make.challenge()
    partner_org = make.org("秦岭材料研究所", kind="institute")
    bid = make.bid(challenge, submit=False, partners=[partner_org.credit_code])
    partner = signed_in(app, make.user("applicant", org=partner_org))
    html = partner.get(f"/bids/{bid.id}/partner").get_data(as_text=True)
    assert "确认参与" in html
    partner.post(f"/bids/{bid.id}/partner")
    db.session.refresh(bid)
    assert bid.partners[0].confirmed
    assert signed_in(app, make.user("applicant")).get(f"/bids/{bid.id}/partner").status_code == 404


def test_officers_see_the_integrity_flag(app, make):
    challenge = make.challenge()
    bid = make.bid(challenge)
    make.black(bid.organization)
    make.red(bid.lead)
    html = signed_in(app, make.user("officer")).get(f"/bids/{bid.id}").get_data(as_text=True)
    assert "诚信警示" in html
    assert f"黑名单: {bid.organization.name}" in html and f"红名单: {bid.lead.name}" in html
    team = signed_in(app, make.user("applicant", org=bid.organization))
    assert "诚信警示" not in team.get(f"/bids/{bid.id}").get_data(as_text=True)


def test_every_page_renders_for_its_users(app, make):
    challenge = make.challenge()
    draft = make.challenge(state="draft")
    bid = make.bid(challenge, submit=False)
    team = signed_in(app, make.user("applicant", org=bid.organization))
    owner = signed_in(app, make.user("enterprise", org=draft.owner_org))
    officer = signed_in(app, make.user("officer"))
    for client, url, text in (
        (team, "/dashboard", "我的申报"), (team, "/dashboard", "正在揭榜的榜单"), (team, "/bids/mine", bid.title),
        (team, f"/bids/{bid.id}/edit", "承诺指标"), (team, f"/challenges/{challenge.id}", "本单位的申报"),
        (owner, "/dashboard", "我的榜单"), (owner, "/challenges/new", "评分细则"),
        (owner, f"/challenges/{draft.id}/edit", draft.title), (owner, "/challenges/manage", draft.title),
        (officer, "/challenges/manage", challenge.title), (officer, f"/challenges/{draft.id}", "调整配套比例"),
        (officer, f"/bids/{bid.id}", "审查清单"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in response.get_data(as_text=True), url


def test_a_team_starts_a_bid_from_the_challenge_page(app, make):
    challenge = make.challenge()
    team = signed_in(app, make.user("applicant"))
    assert "我要揭榜" in team.get(f"/challenges/{challenge.id}").get_data(as_text=True)
    clock.set_now(challenge.deadline_at)
    assert "我要揭榜" not in team.get(f"/challenges/{challenge.id}").get_data(as_text=True)
    html = team.post(f"/bids/new/{challenge.id}", follow_redirects=True).get_data(as_text=True)
    assert "该榜单当前不接受揭榜申报。" in html


def test_the_eligibility_page_costs_the_same_queries_for_two_bids_or_six(app, make):
    import sqlalchemy as sa

    from grants.core import clock

    challenge = make.challenge()
    officer = make.user("officer")
    for _ in range(2):
        make.bid(challenge)
    client = signed_in(app, officer)

    def queries() -> int:
        counted = []
        conn = db.session.connection()
        listener = lambda *a, **k: counted.append(1)  # noqa: E731
        sa.event.listen(conn, "before_cursor_execute", listener)
        try:
            assert client.get(f"/bids/eligibility/{challenge.id}").status_code == 200
        finally:
            sa.event.remove(conn, "before_cursor_execute", listener)
        return len(counted)

    deadline = challenge.deadline_at
    few = queries()
    clock.set_now(deadline - __import__("datetime").timedelta(days=1))
    for _ in range(4):
        make.bid(challenge)
    many = queries()
    assert many <= few + 2, (few, many)
