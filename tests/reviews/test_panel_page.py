"""The officer's review panel: the next step first, 流榜 aside, the notice link only during the notice."""
import re
from datetime import timedelta

from grants.awards import services
from grants.awards.rules import notice_of
from grants.core import clock
from grants.core.workflow import fire
from grants.extensions import db
from tests.reviews.helpers import accepted_panel, reviewing, score_all
from tests.reviews.test_award import scored


def _button(html: str, label: str) -> str:
    """The opening tag of the button or link whose text is ``label``."""
    match = re.search(r"<(a|button)\b[^>]*>\s*" + re.escape(label) + r"\s*</\1>", html)
    assert match, label
    return match.group(0)


def test_once_reviews_are_complete_proposing_the_award_is_the_primary_action(make, login, client):
    challenge, officer, bids, panel = scored(make, [85, 75])
    html = login(officer).get(f"/reviews/challenges/{challenge.id}").get_data(as_text=True)
    propose = _button(html, "提出立项建议并公示")
    assert "btn-primary" in propose and f'href="/reviews/challenges/{challenge.id}/table#propose"' in propose
    failed = _button(html, "宣布流榜")
    assert "btn-outline-danger" in failed and "btn-danger" not in failed
    form = html[:html.index(failed)].rsplit("<form", 1)[1]
    assert "data-confirm=" in form  # destructive: asks first
    assert html.index(propose) < html.index(failed)
    table = client.get(f"/reviews/challenges/{challenge.id}/table").get_data(as_text=True)
    assert 'id="propose"' in table


def test_while_reviews_are_missing_the_panel_says_who_is_late(make, login, client):
    challenge, officer, bids = reviewing(make, n_bids=1)
    panel = accepted_panel(make, challenge, officer, n=3)
    score_all(panel[0], bids[0], 80)
    html = login(officer).get(f"/reviews/challenges/{challenge.id}").get_data(as_text=True)
    assert "提出立项建议并公示" not in html
    assert "评审尚未完成" in html and panel[1].reviewer.display_name in html
    assert "btn-outline-danger" in _button(html, "宣布流榜")


def test_the_notice_link_shows_only_during_the_notice(make, login, client):
    challenge, officer, bids, panel = scored(make, [85, 75])
    fire(challenge, "propose_award", officer, winners=[bids[0].id])
    db.session.commit()
    notice = notice_of(challenge)
    link = f'href="/reviews/notice/{challenge.id}"'
    html = login(officer).get(f"/reviews/challenges/{challenge.id}").get_data(as_text=True)
    assert link in html and "公示" in html and "至 " in html

    objector = make.user("applicant", org=bids[1].organization)
    objection = services.file_objection(challenge, actor=objector, reasons="中榜单位的业绩材料与事实不符，请核查。")
    clock.set_now(notice.notice_starts_at + timedelta(days=1))
    services.uphold_objection(objection, actor=officer, answer="经核查，重新评审。")
    db.session.commit()
    assert challenge.state == "reviewing"
    html = client.get(f"/reviews/challenges/{challenge.id}").get_data(as_text=True)
    assert link not in html and "（至" not in html and "(至" not in html
    assert "此前的公示已因异议成立而终止" in html
