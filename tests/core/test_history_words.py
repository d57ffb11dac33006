"""Histories and filters speak in words: no role codes, state codes or raw JSON."""
from grants.core.workflow import fire
from grants.extensions import db
from tests.challenges.test_pages import signed_in


def test_the_admin_user_filter_names_roles_in_words(app, make):
    html = signed_in(app, make.user("admin")).get("/admin/users").get_data(as_text=True)
    select = html[html.index('name="role"'):html.index("</select>", html.index('name="role"'))]
    for code in ("admin", "officer", "enterprise", "applicant", "reviewer"):
        assert f">{code}<" not in select
    assert ">系统管理员<" in select


def test_an_integrity_entry_history_says_in_force_in_words(app, make):
    org = make.org(name="失信单位")
    entry = make.black(org)
    html = signed_in(app, make.user("officer")).get(f"/integrity/entries/{entry.id}").get_data(as_text=True)
    history = html[html.index('<ol class="timeline">'):]
    assert "in_force" not in history and "生效中" in history


def test_the_evidence_of_an_integrity_check_reads_as_a_list_of_words(app, make):
    challenge = make.challenge()
    bid = make.bid(challenge)
    html = signed_in(app, make.user("officer")).get(f"/bids/{bid.id}").get_data(as_text=True)
    history = html[html.index('<ol class="timeline">'):]
    assert '"checked_on"' not in history and "{" not in history.split("</ol>")[0]
    assert "科研诚信核查" in history and bid.organization.name in history and bid.organization.credit_code in history
    assert bid.lead.name in history and "未发现黑名单或红名单记录" in history
    assert "<li>" in history


def test_edits_read_with_field_names_and_amounts_in_yuan():
    from grants.core.evidence import evidence_lines

    lines = evidence_lines({"title": "方案", "requested_fen": 40000000, "members": [], "declaration": True})
    assert lines == ["标题: 方案", "申请经费: ¥400,000.00", "团队成员: —", "承诺声明: 是"]
