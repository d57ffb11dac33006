"""A challenge returned for revision tells its enterprise why, where the enterprise works on it."""
from grants.core.workflow import fire
from grants.extensions import db
from tests.challenges.test_pages import signed_in

REASON = "请补充定位精度指标的测试方法"


def _returned(make):
    challenge = make.challenge(state="submitted")
    officer = make.user("officer")
    fire(challenge, "return_for_revision", officer, comment=REASON)
    db.session.commit()
    return challenge, make.user("enterprise", org=challenge.owner_org)


def _notice(html: str) -> bool:
    return f"退回修改：{REASON}" in html


def test_the_reason_is_a_notice_on_the_draft_its_form_and_the_dashboard(app, make):
    challenge, owner = _returned(make)
    client = signed_in(app, owner)
    page = client.get(f"/challenges/{challenge.id}").get_data(as_text=True)
    assert _notice(page) and page.index(f"退回修改：{REASON}") < page.index("技术难题")
    assert _notice(client.get(f"/challenges/{challenge.id}/edit").get_data(as_text=True))
    assert _notice(client.get("/dashboard").get_data(as_text=True))


def test_the_notice_goes_once_the_draft_is_submitted_again(app, make):
    challenge, owner = _returned(make)
    fire(challenge, "submit", owner)
    db.session.commit()
    client = signed_in(app, owner)
    assert not _notice(client.get(f"/challenges/{challenge.id}").get_data(as_text=True).split("<h2 class=\"h5 mt-4\">")[0])
    assert not _notice(client.get("/dashboard").get_data(as_text=True))


def test_a_draft_never_returned_has_no_notice(app, make):
    challenge = make.challenge(state="draft")
    client = signed_in(app, make.user("enterprise", org=challenge.owner_org))
    assert "退回修改" not in client.get(f"/challenges/{challenge.id}").get_data(as_text=True)
