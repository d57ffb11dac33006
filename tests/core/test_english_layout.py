"""English pages: the menu wraps instead of scrolling out of sight; badges start with a capital."""
from tests.challenges.test_pages import signed_in


def _english(app, user):
    client = signed_in(app, user)
    client.post("/lang/en", data={"next": "/dashboard"})
    return client


def test_the_menu_wraps_so_every_item_stays_in_sight(app, make):
    html = _english(app, make.user("officer")).get("/dashboard").get_data(as_text=True)
    menu = html[html.index('aria-label="Menu"'):]
    menu = menu[:menu.index("</ul>")]
    assert "flex-wrap" in menu and "overflow-auto" not in menu and "flex-nowrap" not in menu
    assert "Integrity objections" in menu and "Organisations" in menu


def test_badges_start_with_a_capital_in_english_only(app, make):
    make.challenge(state="draft")
    client = _english(app, make.user("officer"))
    html = client.get("/challenges/manage").get_data(as_text=True)
    assert '<link rel="stylesheet" href="/static/css/grants.css">' in html
    css = client.get("/static/css/grants.css").get_data(as_text=True)
    assert 'html[lang="en"] .badge::first-letter { text-transform: uppercase; }' in css
    assert '<html lang="en">' in html
    assert '<span class="badge text-bg-light border">draft</span>' in html  # capitalised by the rule above
    client.post("/lang/zh_CN", data={"next": "/dashboard"})
    assert '<html lang="zh-CN">' in client.get("/challenges/manage").get_data(as_text=True)
