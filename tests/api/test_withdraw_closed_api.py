"""Withdrawing a challenge whose bidding has closed: refused for its state, through the API and the page."""
from tests.api.helpers import error_of
from tests.challenges.test_pages import signed_in


def test_the_api_answers_409_with_the_state_as_the_reason(api, make):
    challenge = make.challenge(state="closed")
    officer = api(make.token(make.user("officer")))
    response = officer.post(f"/challenges/{challenge.id}/transitions/withdraw", {"comment": "企业经营变化"})
    assert response.status_code == 409
    assert error_of(response)["message"] == "当前状态为“揭榜已截止”，不能执行“撤回”。"


def test_the_api_still_answers_403_before_publishing(api, make):
    challenge = make.challenge(state="submitted")
    officer = api(make.token(make.user("officer")))
    response = officer.post(f"/challenges/{challenge.id}/transitions/withdraw", {"comment": "不需要了"})
    assert response.status_code == 403
    assert "发布前只有发榜企业可以撤回榜单" in error_of(response)["message"]


def test_the_page_says_so_too(app, make):
    challenge = make.challenge(state="closed")
    officer = signed_in(app, make.user("officer"))
    html = officer.post(f"/challenges/{challenge.id}/do/withdraw",
                        data={"version": challenge.version, "comment": "企业经营变化"},
                        follow_redirects=True).get_data(as_text=True)
    assert "当前状态为“揭榜已截止”，不能执行“撤回”。" in html
    assert "发布前只有发榜企业可以撤回榜单" not in html
