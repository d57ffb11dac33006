"""Structured editors without a script: rows are added, removed and moved by the form's own
buttons (nothing saved meanwhile), blank rows are ignored, the service's message stands beside
the rows; the partner lookup answers the bid's team only."""
import re

import sqlalchemy as sa

from grants.challenges.models import Challenge
from grants.extensions import db
from tests.bids.test_pages import bid_form, start_bid
from tests.challenges.test_pages import anonymous, form_for, signed_in
from tests.factories import id_number, rows


def _values(html: str, prefix: str) -> list[str]:
    return re.findall(rf'name="{prefix}-\d+-name"[^>]*value="([^"]*)"', html)


def test_rows_are_added_moved_and_removed_by_the_forms_buttons_and_nothing_is_saved(app, make):
    client = signed_in(app, make.user("enterprise"))
    html = client.get("/challenges/new").get_data(as_text=True)
    assert 'name="indicators-0-name"' in html and 'name="indicators-1-name"' in html  # blank rows to type in
    assert "添加行" in html and 'src="/static/js/rows.js"' in html and "<script" not in html.split("<main")[1].split("</main>")[0]

    data = form_for()  # two indicators: 损耗率, 保鲜期
    html = client.post("/challenges/new", data={**data, "rows_action": "indicators:add"}).get_data(as_text=True)
    assert 'name="indicators-4-name"' in html and 'name="indicators-5-name"' not in html  # three more rows
    assert _values(html, "indicators")[:2] == ["损耗率", "保鲜期"]

    html = client.post("/challenges/new", data={**data, "rows_action": "indicators:down:0"}).get_data(as_text=True)
    assert _values(html, "indicators") == ["保鲜期", "损耗率"]
    assert 'name="indicators-0-binding"' in html.split('name="indicators-1-binding"')[0]
    html = client.post("/challenges/new", data={**data, "rows_action": "rubric:remove:1"}).get_data(as_text=True)
    assert _values(html, "rubric") == ["技术路线", "经费"]
    assert db.session.scalar(sa.select(sa.func.count(Challenge.id))) == 0


def test_blank_rows_are_ignored_and_the_rows_are_saved_in_order(app, make):
    owner = make.user("enterprise")
    client = signed_in(app, owner)
    data = form_for()
    data.update(rows("indicators", {"name": "损耗率", "target_value": "5", "unit": "%", "binding": True},
                     {"name": "", "target_value": "", "unit": "", "binding": True},  # a ticked box alone is blank
                     {"name": "保鲜期", "target_value": "30", "unit": "天"}))
    assert client.post("/challenges/new", data=data).status_code == 302
    challenge = db.session.scalar(sa.select(Challenge).where(Challenge.owner_org_id == owner.organization_id))
    assert [(i.name, i.binding) for i in challenge.indicators] == [("损耗率", True), ("保鲜期", False)]

    html = client.get(f"/challenges/{challenge.id}/edit").get_data(as_text=True)
    assert _values(html, "indicators")[:2] == ["损耗率", "保鲜期"]
    assert 'name="indicators-3-name"' in html  # the saved rows and two blank ones


def test_the_services_message_stands_beside_the_rows(app, make):
    client = signed_in(app, make.user("enterprise"))
    data = form_for()
    data.update(rows("indicators", {"name": "", "target_value": "5", "unit": "%"}))
    html = client.post("/challenges/new", data=data).get_data(as_text=True)
    editor = html.split('data-rows="indicators"')[1].split("</fieldset>")[0]
    assert "第 1 项指标需要名称和目标值。" in editor and 'aria-invalid="true"' in html
    assert db.session.scalar(sa.select(sa.func.count(Challenge.id))) == 0


def test_bid_rows_save_members_partners_and_milestones(app, make):
    challenge = make.challenge()
    partner_org = make.org("秦岭材料研究所", kind="institute")
    team = signed_in(app, make.user("applicant"))
    bid = start_bid(team, challenge)
    response = team.post(f"/bids/{bid.id}/edit", data=bid_form(
        bid, **rows("members", {"name": "周九", "id_number": id_number(), "role": "工程师"}),
        **rows("partners", {"credit_code": ""}, {"credit_code": partner_org.credit_code})))
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(bid)
    assert [m.person.name for m in bid.members] == ["周九"]
    assert [p.organization.name for p in bid.partners] == ["秦岭材料研究所"]
    assert [(m.month, m.title) for m in bid.milestones] == [(6, "中试"), (12, "示范应用")]
    html = team.get(f"/bids/{bid.id}/edit").get_data(as_text=True)
    assert "秦岭材料研究所" in html and f'value="{partner_org.credit_code}"' in html

    html = team.post(f"/bids/{bid.id}/edit", data=bid_form(
        bid, **rows("partners", {"credit_code": "91610000000000000X"}))).get_data(as_text=True)
    editor = html.split('data-rows="partners"')[1].split("</fieldset>")[0]
    assert "统一社会信用代码为 91610000000000000X 的单位尚未注册。" in editor


def test_the_partner_lookup_finds_registered_organisations_for_the_bids_team_only(app, make):
    challenge = make.challenge()
    make.org("秦岭材料研究所", kind="institute")
    make.org("秦川机床集团", kind="enterprise")
    team_user = make.user("applicant")
    team = signed_in(app, team_user)
    bid = start_bid(team, challenge)
    found = team.get(f"/bids/{bid.id}/partner-lookup?q=秦岭").get_json()["organizations"]
    assert [org["name"] for org in found] == ["秦岭材料研究所"]
    code = found[0]["credit_code"]
    assert [o["name"] for o in team.get(f"/bids/{bid.id}/partner-lookup?q={code[:8]}").get_json()["organizations"]]
    assert team.get(f"/bids/{bid.id}/partner-lookup?q=秦").get_json() == {"organizations": []}  # two characters at least
    own = team_user.organization.name[:3]
    assert team_user.organization.name not in [
        o["name"] for o in team.get(f"/bids/{bid.id}/partner-lookup?q={own}").get_json()["organizations"]]

    colleague = signed_in(app, make.user("applicant", org=team_user.organization))
    assert colleague.get(f"/bids/{bid.id}/partner-lookup?q=秦岭").status_code == 200
    assert signed_in(app, make.user("applicant")).get(f"/bids/{bid.id}/partner-lookup?q=秦岭").status_code == 404
    assert anonymous(app).get(f"/bids/{bid.id}/partner-lookup?q=秦岭").status_code == 302

    submitter = make.user("applicant")
    submitted = make.bid(challenge, user=submitter)  # a submitted bid is no longer edited
    response = signed_in(app, submitter).get(f"/bids/{submitted.id}/partner-lookup?q=秦岭")
    assert response.status_code == 403 and response.get_json() == {"error": "只有草稿状态的申报可以修改。"}


def test_the_agreements_rows_move_without_saving(app, make):
    from tests.projects.helpers import awarded

    parties = awarded(make)
    project = parties.project
    client = signed_in(app, parties.officer)
    html = client.get(f"/projects/{project.id}/agreement").get_data(as_text=True)
    assert 'name="milestones-0-due_on"' in html and 'name="tranches-0-amount"' in html
    form = {**rows("milestones", {"due_on": "2026-09-01", "title": "样机研制", "deliverables": "样机一台"},
                   {"due_on": "2027-03-01", "title": "中试", "deliverables": "中试报告"}),
            "version": project.agreement.version, "rows_action": "milestones:up:1"}
    html = client.post(f"/projects/{project.id}/agreement", data=form).get_data(as_text=True)
    assert html.index('value="中试"') < html.index('value="样机研制"')
    assert 'name="milestones-0-title" type="text" value="中试"' in html
