"""The top of every page is made once per locale, role, page and inbox state and then
filled in per request: each person still sees their own name, unread count and working
forms, and the menu marks the page they are on."""
import re

from grants.extensions import db
from grants.notifications.services import notify
from tests.challenges.test_pages import anonymous, signed_in


def _bar(html: str) -> str:
    return html.split("<header", 1)[1].split("</header>", 1)[0]


def test_two_officers_each_see_their_own_name_and_unread_count(app, make):
    first, second = make.user("officer", name="王主管"), make.user("officer", name="李<b>主管</b>")
    notify([second], "registration.expert_waiting", name="张三")
    notify([second], "registration.expert_waiting", name="李四")
    db.session.commit()
    one, two = signed_in(app, first), signed_in(app, second)
    for _ in range(2):  # the second round is served from the made header
        mine = _bar(one.get("/challenges/").get_data(as_text=True))
        theirs = _bar(two.get("/challenges/").get_data(as_text=True))
        assert "王主管 · 项目主管" in mine and "李" not in mine
        assert "李&lt;b&gt;主管&lt;/b&gt; · 项目主管" in theirs and "<b>" not in theirs
        assert "inbox-unread" not in mine and 'aria-label="消息中心，2 条未读"' in theirs
        assert re.search(r'class="inbox-unread[^"]*">2</span>', theirs)


def test_the_menu_marks_the_page_and_the_language_forms_carry_this_visitors_token(app):
    for _ in range(2):
        visitor = anonymous(app)
        home = visitor.get("/").get_data(as_text=True)
        board = visitor.get("/challenges/?page=1").get_data(as_text=True)
        assert re.search(r'nav-link[^"]*active" href="/challenges/"', board)
        assert re.findall(r'nav-link[^"]*active" href="([^"]*)"', home) == ["/"]
        assert 'name="next" value="/challenges/?page=1"' in board
        token = re.search(r'name="csrf_token" value="([^"]+)"', board).group(1)
        switched = visitor.post("/lang/en", data={"csrf_token": token, "next": "/challenges/"})
        assert switched.status_code == 302 and switched.headers["Location"].endswith("/challenges/")
        english = visitor.get("/challenges/").get_data(as_text=True)
        assert "Sign in" in _bar(english) and "登录" not in _bar(english)
        assert "登录" in _bar(anonymous(app).get("/challenges/").get_data(as_text=True))
