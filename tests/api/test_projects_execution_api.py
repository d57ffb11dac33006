"""A project's execution through the API alone, every answer checked against
the OpenAPI document: agreement, confirmations, reports, releases, exceptions
and the request for acceptance."""
import json
from io import BytesIO

from grants.extensions import db
from tests.api.documented import documented_api as api  # noqa: F401
from tests.api.helpers import error_of
from tests.projects.helpers import awarded
from tests.factories import pdf_bytes


def _pdf(name="报告.pdf"):
    return BytesIO(pdf_bytes("report")), name


def _clients(api, make, parties):
    return (api(make.token(parties.officer)), api(make.token(parties.owner)), api(make.token(parties.team)))


def _sign(officer, owner, team, project_id):
    for client in (officer, owner, team):
        version = client.get(f"/projects/{project_id}/agreement").get_json()["version"]
        answer = client.post(f"/projects/{project_id}/agreement/confirm", {"version": version})
        assert answer.status_code == 200, answer.get_json()


def test_the_agreement_is_edited_and_confirmed_by_the_three_parties(api, make):
    parties = awarded(make)
    pid = parties.project.id
    officer, owner, team = _clients(api, make, parties)
    agreement = officer.get(f"/projects/{pid}/agreement").get_json()
    assert [m["title"] for m in agreement["milestones"]] == ["样机研制", "中试验证"]
    tranches = agreement["tranches"]
    bad = officer.patch(f"/projects/{pid}/agreement", {
        "version": agreement["version"], "tranches": [dict(tranches[0], amount_fen=tranches[0]["amount_fen"] + 1)]
        + tranches[1:]})
    assert bad.status_code == 422 and "各笔拨款合计" in error_of(bad)["details"]["tranches"]
    early = officer.patch(f"/projects/{pid}/agreement", {
        "version": agreement["version"], "milestones": [{"title": "样机", "due_on": "2020-01-01"}] * 2})
    assert early.status_code == 422 and "早于项目开始日期" in error_of(early)["details"]["milestones"]
    assert team.patch(f"/projects/{pid}/agreement", {"version": agreement["version"]}).status_code == 403
    changed = officer.patch(f"/projects/{pid}/agreement", {
        "version": agreement["version"], "indicators": agreement["indicators"] + [
            {"name": "专利", "unit": "项", "baseline": "0", "target": "2", "binding": True}]})
    assert changed.status_code == 200 and len(changed.get_json()["indicators"]) == 3
    stale = owner.post(f"/projects/{pid}/agreement/confirm", {"version": agreement["version"]})
    assert stale.status_code == 409 and error_of(stale)["code"] == "conflict"
    _sign(officer, owner, team, pid)
    assert officer.get(f"/projects/{pid}").get_json()["state"] == "active"
    versions = team.get(f"/projects/{pid}/agreement/versions").get_json()
    assert [v["number"] for v in versions] == [1] and len(versions[0]["snapshot"]["indicators"]) == 3
    assert team.get(f"/projects/{pid}/agreement/versions/1").status_code == 200
    assert team.get(f"/projects/{pid}/agreement/versions/2").status_code == 404
    stranger = api(make.token(make.user("applicant")))
    assert stranger.get(f"/projects/{pid}/agreement").status_code == 404


def test_reports_releases_exceptions_and_acceptance(api, make):
    parties = awarded(make)
    pid = parties.project.id
    officer, owner, team = _clients(api, make, parties)
    _sign(officer, owner, team, pid)
    first, second = officer.get(f"/projects/{pid}/milestones").get_json()
    signing, for_first, _for_second = officer.get(f"/projects/{pid}/tranches").get_json()
    indicator = officer.get(f"/projects/{pid}/agreement").get_json()["indicators"][0]
    ids = [i.id for i in parties.project.indicators]

    stranger = api(make.token(make.user("applicant")))
    assert stranger.post(f"/milestones/{first['id']}/report", data={"text": "别人的"}).status_code == 404
    submitted = team.post(f"/milestones/{first['id']}/report", data={
        "text": "样机完成", "values": json.dumps({str(ids[0]): "0.8"}), "files": [_pdf()]})
    assert submitted.status_code == 201, submitted.get_json()
    assert submitted.get_json()["files"][0]["original_filename"] == "报告.pdf"
    assert indicator["name"] == "定位精度"
    returned = officer.post(f"/milestones/{first['id']}/transitions/return_for_revision", {"comment": "补充数据"})
    assert returned.status_code == 200 and returned.get_json()["state"] == "returned"
    assert team.post(f"/milestones/{first['id']}/report", data={"text": "已补充"}).status_code == 201

    refused = officer.post(f"/tranches/{for_first['id']}/transitions/release", {})
    assert refused.status_code == 409 and "通过后拨付" in error_of(refused)["message"]
    checked = officer.post(f"/milestones/{first['id']}/expert-check",  # the mid-way milestone
                           {"experts": ["王建国"], "opinion": "数据充分", "conclusion": "satisfactory"})
    assert checked.status_code == 200 and checked.get_json()["expert_conclusion"] == "satisfactory"
    assert officer.post(f"/milestones/{first['id']}/transitions/approve", {}).get_json()["state"] == "approved"
    assert officer.post(f"/tranches/{signing['id']}/transitions/release", {}).get_json()["state"] == "released"
    twice = officer.post(f"/tranches/{signing['id']}/transitions/release", {})
    assert twice.status_code == 409
    assert [e["action"] for e in officer.get(f"/tranches/{signing['id']}/history").get_json()] == ["release"]
    reports = team.get(f"/projects/{pid}/reports").get_json()
    assert [r["decision"] for r in reports] == ["approved", "returned"]

    assert officer.post(f"/projects/{pid}/transitions/suspend", {"comment": "核查"}).get_json()["state"] == "suspended"
    assert officer.get(f"/projects/{pid}").get_json()["suspended_from"] == "active"
    blocked = officer.post(f"/tranches/{for_first['id']}/transitions/release", {})
    assert blocked.status_code == 409 and "不在执行中" in error_of(blocked)["message"]
    assert officer.post(f"/projects/{pid}/transitions/resume", {}).get_json()["state"] == "active"

    values = json.dumps({str(i): "0.5" for i in ids})
    early = team.post(f"/projects/{pid}/acceptance", data={"text": "总结", "values": values, "file": _pdf()})
    assert early.status_code == 409 and second["title"] in error_of(early)["message"]
    team.post(f"/milestones/{second['id']}/report", data={"text": "中试完成"})
    officer.post(f"/milestones/{second['id']}/transitions/approve", {})
    bad_values = team.post(f"/projects/{pid}/acceptance", data={"text": "总结", "values": "[1", "file": _pdf()})
    assert bad_values.status_code == 422
    done = team.post(f"/projects/{pid}/acceptance", data={"text": "总结", "values": values, "file": _pdf("结题.pdf")})
    assert done.status_code == 200 and done.get_json()["state"] == "acceptance_requested"
    db.session.expire_all()
    assert officer.get(f"/projects/{pid}").get_json()["state"] == "acceptance_requested"


def test_termination_stops_releases(api, make):
    parties = awarded(make)
    pid = parties.project.id
    officer, owner, team = _clients(api, make, parties)
    _sign(officer, owner, team, pid)
    signing = officer.get(f"/projects/{pid}/tranches").get_json()[0]
    assert officer.post(f"/projects/{pid}/transitions/terminate", {}).status_code == 409  # a reason is required
    assert officer.post(f"/projects/{pid}/transitions/terminate", {"comment": "团队解散"}).status_code == 200
    stopped = officer.post(f"/tranches/{signing['id']}/transitions/release", {})
    assert stopped.status_code == 409 and "不在执行中" in error_of(stopped)["message"]
    assert [t["name"] for t in officer.get(f"/tranches/{signing['id']}/transitions").get_json()] == ["release"]


def test_milestone_transitions_answer_403_for_who_and_409_for_the_state(api, make):
    parties = awarded(make)
    pid = parties.project.id
    officer, owner, team = _clients(api, make, parties)
    _sign(officer, owner, team, pid)
    first = officer.get(f"/projects/{pid}/milestones").get_json()[0]
    bare = team.post(f"/milestones/{first['id']}/transitions/submit", {})
    assert bare.status_code == 409 and "请提交进展报告" in error_of(bare)["message"]
    assert owner.post(f"/milestones/{first['id']}/transitions/submit", {}).status_code == 403
    assert officer.post(f"/milestones/{first['id']}/transitions/approve", {}).status_code == 409
    stranger = api(make.token(make.user("officer")))
    assert stranger.get(f"/milestones/{first['id']}").status_code == 200  # every officer sees every project
    outsider = api(make.token(make.user("applicant")))
    for path in (f"/milestones/{first['id']}", f"/milestones/{first['id']}/history",
                 f"/milestones/{first['id']}/transitions"):
        assert outsider.get(path).status_code == 404
    officer.post(f"/projects/{pid}/transitions/suspend", {"comment": "核查"})
    suspended = team.post(f"/milestones/{first['id']}/report", data={"text": "进展"})
    assert suspended.status_code == 409 and "只有在项目执行期间才能报告进展" in error_of(suspended)["message"]
