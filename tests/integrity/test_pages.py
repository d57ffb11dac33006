import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from markupsafe import Markup

from grants.core import clock
from grants.extensions import db
from grants.integrity.models import IntegrityEntry
from grants.integrity.sections import SUBJECT_SECTIONS, register_subject_section
from tests.factories import credit_code, integrity_csv, integrity_row
from tests.ui.test_work_queues import queues


@pytest.fixture
def officer(make):
    return make.user("officer")


def entry_form(code, **overrides):
    data = {"list_kind": "black", "subject_type": "organization", "code": code, "name": "表单单位",
            "reason": "虚假申报", "basis": "咸科技发〔2026〕9号", "authority": "市科学技术局",
            "start_on": "2026-03-01", "end_on": "2027-02-28"}
    data.update(overrides)
    return data


def test_officer_adds_an_entry_with_the_form(client, login, officer):
    login(officer)
    code = credit_code()
    response = client.post("/integrity/entries/new", data=entry_form(code))
    assert response.status_code == 302
    entry = db.session.scalar(sa.select(IntegrityEntry).where(IntegrityEntry.subject_code == code))
    assert entry.created_by_id == officer.id and entry.end_on == date(2027, 2, 28)
    html = client.get(response.location).get_data(as_text=True)
    assert "表单单位" in html and "咸科技发〔2026〕9号" in html and "生效中" in html


def test_form_shows_what_is_wrong_with_the_code(client, login, officer):
    login(officer)
    html = client.post("/integrity/entries/new", data=entry_form("91610100MA6T000010")).get_data(as_text=True)
    assert "校验码不正确" in html
    assert not db.session.scalar(sa.select(sa.func.count(IntegrityEntry.id)))


def test_officer_revokes_with_a_reason_and_history_stays(client, login, officer, make):
    entry = make.black(make.org())
    login(officer)
    page = client.get(f"/integrity/entries/{entry.id}").get_data(as_text=True)
    assert "data-confirm" in page
    assert client.post(f"/integrity/entries/{entry.id}/revoke", data={"reason": ""}).status_code == 302
    db.session.refresh(entry)
    assert entry.revoked_at is None
    client.post(f"/integrity/entries/{entry.id}/revoke", data={"reason": "复核更正"})
    db.session.refresh(entry)
    assert entry.revoked_by_id == officer.id and entry.revocation_reason == "复核更正"
    html = client.get(f"/integrity/entries/{entry.id}").get_data(as_text=True)
    assert "已撤销" in html and "复核更正" in html
    history = html[html.index('<ol class="timeline">'):]
    assert "revoked" not in history and "in_force" not in history and "已撤销" in history  # states in words


@pytest.mark.parametrize("role", ["applicant", "enterprise", "reviewer"])
def test_other_roles_may_not_open_the_list_pages(client, login, make, role):
    entry = make.black(make.org())
    login(make.user(role))
    assert client.get("/integrity/").status_code == 403
    assert client.get("/integrity/entries/new").status_code == 403
    assert client.post(f"/integrity/entries/{entry.id}/revoke", data={"reason": "x"}).status_code == 403
    assert client.get("/integrity/import").status_code == 403
    assert client.get(f"/integrity/subjects/organization/{entry.subject_code}").status_code == 403
    assert client.get(f"/integrity/entries/{entry.id}").status_code == 404  # not their entry


def test_the_administrator_has_no_part_in_the_lists(client, login, make):
    # DESIGN.md: the administrator keeps accounts, organisations and settings; the bureau the lists.
    entry = make.black(make.org(name="管理员不可见单位"))
    login(make.user("admin"))
    assert client.get("/integrity/").status_code == 403
    assert client.get("/integrity/objections").status_code == 403
    assert client.get("/integrity/export.csv").status_code == 403
    assert client.get("/integrity/entries/new").status_code == 403
    assert client.post(f"/integrity/entries/{entry.id}/revoke", data={"reason": "x"}).status_code == 403
    assert client.get(f"/integrity/entries/{entry.id}").status_code == 404
    assert "管理员不可见单位" not in client.get("/").get_data(as_text=True)


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get("/integrity/").status_code == 302


def test_filters_by_list_status_and_expiry(client, login, officer, make):
    today = clock.today()
    make.black(make.org(name="甲黑名单"), end_on=today + timedelta(days=10))
    make.black(make.org(name="乙黑名单"), end_on=today + timedelta(days=300))
    make.red(make.org(name="丙红名单"))
    make.black(make.org(name="丁未生效"), start_on=today + timedelta(days=5))
    gone = make.black(make.org(name="戊已撤销"))
    from grants.integrity.services import revoke_entry

    revoke_entry(gone, actor=None, reason="更正")
    login(officer)

    def names(query):
        html = client.get("/integrity/?" + query).get_data(as_text=True)
        return {n for n in ("甲黑名单", "乙黑名单", "丙红名单", "丁未生效", "戊已撤销") if n in html}

    assert names("") == {"甲黑名单", "乙黑名单", "丙红名单", "丁未生效", "戊已撤销"}
    assert names("list=red") == {"丙红名单"}
    assert names("status=in_force") == {"甲黑名单", "乙黑名单", "丙红名单"}
    assert names("status=pending") == {"丁未生效"}
    assert names("status=revoked") == {"戊已撤销"}
    assert names("expiring=1") == {"甲黑名单"}
    assert names("q=乙黑") == {"乙黑名单"}


def test_list_is_paginated(client, login, officer, make, app, monkeypatch):
    monkeypatch.setitem(app.config, "PER_PAGE", 2)
    for _ in range(3):
        make.black(make.org())
    login(officer)
    html = client.get("/integrity/").get_data(as_text=True)
    assert "共 3 条" in html or "3" in html
    assert "page=2" in html


def test_subject_page_shows_full_history_accounts_and_registered_sections(client, login, officer, make):
    org = make.org(name="历史单位")
    member = make.user("enterprise", org=org, name="成员甲")
    old = make.black(org, basis="咸科技发〔2020〕1号")
    from grants.integrity.services import revoke_entry

    revoke_entry(old, actor=None, reason="更正为新条目")
    make.black(org, basis="咸科技发〔2020〕2号")

    def live_bids(subject_type, code):
        if subject_type == "organization" and code == org.credit_code:
            return Markup("<p>揭榜申报 #42</p>")
        return None

    register_subject_section("Live bids", live_bids)
    try:
        login(officer)
        html = client.get(f"/integrity/subjects/organization/{org.credit_code}").get_data(as_text=True)
    finally:
        SUBJECT_SECTIONS[:] = [s for s in SUBJECT_SECTIONS if s.render is not live_bids]
    assert "咸科技发〔2020〕1号" in html and "咸科技发〔2020〕2号" in html and "已撤销" in html
    assert member.display_name in html and "揭榜申报 #42" in html
    assert client.get(f"/integrity/subjects/organization/{credit_code()}").status_code == 404


def test_subject_search_by_name_or_code(client, login, officer, make):
    org = make.org(name="搜索目标公司")
    make.red(org)
    person = make.person(name="被搜索人")
    make.black(person)
    login(officer)
    html = client.get("/integrity/subjects?q=搜索目标").get_data(as_text=True)
    assert org.credit_code in html and "trust-mark-badge" in html
    html = client.get(f"/integrity/subjects?q={person.id_number[-6:]}").get_data(as_text=True)
    assert "被搜索人" in html


def test_subject_search_is_paginated_and_lists_each_subject_once(app, client, login, officer, make):
    listed = make.org(name="分页目标单位甲")
    make.black(listed)
    make.red(listed)  # two entries: one row, counted twice
    for letter in "乙丙丁戊己":
        make.org(name=f"分页目标单位{letter}")
    app.config["PER_PAGE"] = 2
    try:
        login(officer)
        pages = [client.get(f"/integrity/subjects?q=分页目标&page={n}").get_data(as_text=True) for n in (1, 2, 3, 4)]
    finally:
        app.config["PER_PAGE"] = 50
    shown = [name for page in pages for name in re.findall(r">(分页目标单位.)</a>", page)]
    assert sorted(shown) == sorted(f"分页目标单位{letter}" for letter in "甲乙丙丁戊己")  # each once, on 3 pages
    assert [len(re.findall(r">(分页目标单位.)</a>", page)) for page in pages] == [2, 2, 2, 0]
    assert "共 6 条" in pages[0] and "page=2" in pages[0]
    assert "未找到" in pages[3]  # past the last page
    first = next(page for page in pages if "分页目标单位甲" in page)
    assert re.search(r"分页目标单位甲</a>.*?<td>2</td>", first, re.S)


def test_officer_uploads_a_csv(client, login, officer):
    import io

    login(officer)
    good = integrity_csv([integrity_row(), integrity_row()])
    html = client.post("/integrity/import", data={"file": (io.BytesIO(good), "list.csv")},
                       follow_redirects=True).get_data(as_text=True)
    assert "新增 2 条" in html
    bad = integrity_csv([integrity_row(), integrity_row(list_kind="grey")])
    html = client.post("/integrity/import", data={"file": (io.BytesIO(bad), "bad.csv")}).get_data(as_text=True)
    assert "第 3 行" in html and "未导入任何条目" in html
    assert db.session.scalar(sa.select(sa.func.count(IntegrityEntry.id))) == 2
    html = client.post("/integrity/import", data={"file": (io.BytesIO(b""), "empty.csv")}).get_data(as_text=True)
    assert "文件是空的" in html


def test_export_download(client, login, officer, make):
    make.black(make.org(name="下载单位"))
    login(officer)
    response = client.get("/integrity/export.csv")
    assert response.mimetype == "text/csv"
    assert "下载单位" in response.get_data().decode("utf-8-sig")


def test_dashboard_panel_lists_expiring_entries_and_open_objections(client, login, officer, make):
    make.black(make.org(name="快到期单位"), end_on=clock.today() + timedelta(days=7))
    make.black(make.org(name="远期单位"), end_on=clock.today() + timedelta(days=70))
    login(officer)
    html = client.get("/dashboard").get_data(as_text=True)
    assert "快到期单位" in html and "远期单位" not in html
    assert 'href="/integrity/objections?state=open"' in html


def test_trust_mark_is_shown_to_officers_only(app, make, client, login):
    from flask import render_template_string

    red = make.org()
    plain = make.org()
    make.red(red)
    template = ('{% import "integrity/macros.html" as integrity %}'
                '[{{ integrity.trust_mark(a) }}][{{ integrity.trust_mark(b) }}]'
                '{% set reds = integrity_red_codes([a, b]) %}[{{ integrity.trust_mark(a, reds) }}]')
    from flask_login import login_user

    with app.test_request_context():
        login_user(make.user("officer"))
        html = render_template_string(template, a=red.credit_code, b=plain.credit_code)
        assert html.count("trust-mark-badge") == 2 and "[]" in html.replace(" ", "").replace("\n", "")
    with app.test_request_context():
        login_user(make.user("applicant"))
        assert "红名单" not in render_template_string(template, a=red.credit_code, b=plain.credit_code)


def test_every_officer_page_opens(client, login, officer, make):
    org = make.org()
    entry = make.black(org)
    member = make.user("enterprise", org=org)
    login(member)
    assert client.get(f"/integrity/entries/{entry.id}/objection").status_code == 200
    client.post(f"/integrity/entries/{entry.id}/objection", data={"reasons": "有误"})
    from grants.integrity.models import IntegrityObjection

    objection_id = db.session.scalar(sa.select(IntegrityObjection.id))
    login(officer)
    for url in ("/integrity/", "/integrity/entries/new", f"/integrity/entries/{entry.id}", "/integrity/subjects",
                "/integrity/subjects?q=Org", f"/integrity/subjects/organization/{org.credit_code}",
                "/integrity/import", "/integrity/objections", "/integrity/objections?state=all",
                f"/integrity/objections/{objection_id}", "/dashboard"):
        assert client.get(url).status_code == 200, url
    assert queues(client)["待处理的科研诚信异议"][0] == 1
    assert "诚信名单" in client.get("/dashboard").get_data(as_text=True)
