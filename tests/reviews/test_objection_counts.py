"""The officer's dashboard counts every open objection: to integrity entries and to proposed awards."""
from datetime import timedelta

from grants.awards import services
from grants.awards.rules import notice_of
from grants.core import clock
from grants.core.workflow import fire
from grants.extensions import db
from grants.integrity import services as integrity
from tests.reviews.test_award import scored
from tests.ui.test_work_queues import queues


def _award_objection(make):
    challenge, officer, bids, panel = scored(make, [85, 75])
    fire(challenge, "propose_award", officer, winners=[bids[0].id])
    db.session.commit()
    objector = make.user("applicant", org=bids[1].organization)
    objection = services.file_objection(challenge, actor=objector, reasons="中榜单位的业绩材料与事实不符，请核查。")
    db.session.commit()
    return challenge, officer, objection


def _integrity_objection(make):
    org = make.org(name="异议单位")
    entry = make.black(org)
    objection = integrity.file_objection(entry, actor=make.user("enterprise", org=org), reasons="决定书认定事实有误")
    db.session.commit()
    return objection


def test_both_kinds_are_counted_with_a_link_to_each_list(make, login, client):
    challenge, officer, award_objection = _award_objection(make)
    _integrity_objection(make)
    found = queues(login(officer))
    assert found["待处理的科研诚信异议"][:2] == (1, "/integrity/objections?state=open")
    assert found["待处理的立项公示异议"][:2] == (1, "/reviews/objections")

    page = client.get("/reviews/objections").get_data(as_text=True)
    assert challenge.title in page and "中榜单位的业绩材料与事实不符" in page
    assert f'href="/reviews/challenges/{challenge.id}"' in page

    services.dismiss_objection(award_objection, actor=officer, answer="经核查，材料属实。")
    db.session.commit()
    found = queues(client)
    assert found["待处理的科研诚信异议"][0] == 1 and found["待处理的立项公示异议"][0] == 0
    assert "中榜单位的业绩材料与事实不符" not in client.get("/reviews/objections").get_data(as_text=True)


def test_the_award_objection_list_is_the_officers(make, login, client):
    _award_objection(make)
    assert login(make.user("applicant")).get("/reviews/objections").status_code == 403
