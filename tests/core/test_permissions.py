"""The permission map: who may do what, in one place per area.

Two walks: the source, where no role is named by its string outside
``grants/core/permissions.py`` (every check reads a Role group or asks the
map), and the map, where every registered permission answers anonymous, each
role and, for an object, the wrong member of the right role.
"""
from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

from grants.core import clock
from grants.core.permissions import PERMISSIONS, Role, reason
from grants.extensions import db

ROOT = Path(__file__).resolve().parents[2]
ROLE_NAMES = frozenset(r.value for r in Role)

# Where a role's name is data, or the same word names something else.
ALLOWED = {
    "grants/core/permissions.py": ROLE_NAMES,  # the one definition of roles and groups
    "grants/core/demo.py": ROLE_NAMES,  # demo accounts: a role is data
    "grants/integrity/demo.py": {"enterprise"},  # the demo organisation called "enterprise"
    "grants/__init__.py": {"admin"},  # the area's name in AREAS
    "grants/admin/__init__.py": {"admin"},  # the blueprint's name
    "grants/auth/models.py": {"enterprise"},  # OrgKind.enterprise, a kind of organisation
    "grants/core/evidence.py": {"reviewer"},  # a subject's part in an integrity check
    "grants/certificates/contents.py": {"enterprise"},  # the certificate's "enterprise" field
    "grants/reviews/services.py": {"reviewer"},  # a subject's part in an integrity check
    "grants/reviews/api.py": {"reviewer"},  # the ranking's field: the reviewer's name
    "grants/projects/models.py": {"officer", "enterprise"},  # the parties to the task agreement
    "grants/projects/permissions.py": {"officer", "enterprise"},  # party_of: the same parties
    "grants/projects/agreement.py": {"enterprise"},  # a party asked to confirm the agreement again
    "grants/projects/notices.py": {"enterprise"},  # the same party, told to confirm
    "grants/projects/funding.py": {"enterprise"},
    "grants/acceptance/workflow.py": {"reviewer"},  # a subject's part in an integrity check  # a source of funds in the ledger
    "grants/projects/forms.py": {"enterprise"},  # the same source, on the contribution form
    "grants/registration/services.py": {"reviewer"},  # a subject's part in an integrity check
    "grants/registration/workflow.py": {"reviewer"},  # the same, on approving an expert
    "grants/core/generate.py": {"officer", "enterprise"},  # generated rows: the agreement's parties, a source of funds
}
# ``x.role == ...``, ``x.role in ...``: a role compared by hand instead of asking the map.
ROLE_COMPARED = re.compile(r"\.role\s*(==|!=|\bin\b|\bnot\s+in\b)")
ROLE_COMPARED_ALLOWED = {
    "grants/core/permissions.py",
    "grants/core/registry.py",  # menus and panels: the role sets areas registered
    "grants/admin/views.py",  # the user list's filter by role
}
HTML_LITERAL = re.compile(r"""(['"])(%s)\1""" % "|".join(sorted(ROLE_NAMES)))


def _scanned(pattern: str):
    for path in sorted(ROOT.glob(pattern)):
        rel = path.relative_to(ROOT).as_posix()
        yield rel, path.read_text(encoding="utf-8")


def _python_literals(text: str):
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.STRING:
            try:
                value = ast.literal_eval(token.string)
            except (ValueError, SyntaxError):
                continue
            if value in ROLE_NAMES:
                yield token.start[0], value


def test_no_role_is_named_by_its_string_outside_the_map():
    found = []
    for rel, text in _scanned("grants/**/*.py"):
        found += [f"{rel}:{line}: {value!r}" for line, value in _python_literals(text)
                  if value not in ALLOWED.get(rel, ())]
    for rel, text in _scanned("templates/**/*.html"):
        for number, line in enumerate(text.splitlines(), 1):
            found += [f"{rel}:{number}: {m.group(0)}" for m in HTML_LITERAL.finditer(line)]
    assert found == [], "ask the area's permissions (or a Role group) instead:\n" + "\n".join(found)


def test_no_role_is_compared_by_hand_outside_the_map():
    found = []
    for pattern in ("grants/**/*.py", "templates/**/*.html"):
        for rel, text in _scanned(pattern):
            if rel in ROLE_COMPARED_ALLOWED:
                continue
            found += [f"{rel}:{n}: {line.strip()}" for n, line in enumerate(text.splitlines(), 1)
                      if ROLE_COMPARED.search(line)]
    assert found == [], "ask the area's permissions instead:\n" + "\n".join(found)


def test_the_scan_finds_what_it_should():
    assert list(_python_literals('if user.role == "officer": pass\n')) == [(1, "officer")]
    assert list(_python_literals('"""The officer decides."""\n# "admin"\n')) == []
    assert HTML_LITERAL.search("{% if current_user.role in ('officer', 'admin') %}")
    assert not HTML_LITERAL.search("url_for('admin.users')")
    assert ROLE_COMPARED.search("if actor.role not in allowed:")


# The map: who may, without an object ------------------------------------------------------

EVERYONE = set(ROLE_NAMES)
WHO_MAY = {
    "core.see_evidence": {"officer"},
    "auth.manage_users": {"admin"},
    "auth.view_organisations": {"admin", "officer"},
    "auth.manage_organisations": {"admin"},
    "registration.appoint_manager": {"admin"},
    "api.keep_tokens": EVERYONE,
    "notifications.read_inbox": EVERYONE,
    "notifications.see_outbox": {"admin"},
    "integrity.view_lists": {"officer"},
    "integrity.add_entry": {"officer"},
    "integrity.revoke_entry": {"officer"},
    "integrity.decide_objection": {"officer"},
    "integrity.see_marks": {"officer"},
    "challenges.create": {"enterprise"},
    "challenges.oversee": {"officer"},
    "challenges.manage": {"enterprise", "officer"},
    "challenges.set_cofunding_ratio": {"officer"},
    "bids.create": {"applicant"},
    "bids.list_own": {"applicant"},
    "bids.check_eligibility": {"officer"},
    "certificates.issue": {"officer"},
    "certificates.revoke": {"officer"},
    "certificates.list": {"officer", "enterprise", "applicant"},
    "reviews.see_pool": {"officer"},
    "reviews.keep_profile": {"reviewer"},
    "reviews.run_panel": {"officer"},
    "reviews.score": {"reviewer"},
    "reviews.list_assignments": {"officer", "reviewer"},
    "awards.propose": {"officer"},
    "awards.answer_objection": {"officer"},
    "awards.object": EVERYONE,
    "projects.list": {"officer", "enterprise", "applicant"},
    "projects.monitor": {"officer"},
    "projects.edit_agreement": {"officer"},
    "projects.decide_report": {"officer"},
    "projects.release": {"officer"},
    "projects.suspend": {"officer"},
    "projects.resume": {"officer"},
    "projects.terminate": {"officer"},
    "projects.waive_check": {"officer"},
    "projects.record_expert_check": {"officer"},
    "projects.set_gate": {"officer"},
    "acceptance.oversee": {"officer"},
    "acceptance.form_panel": {"officer"},
    "acceptance.start": {"officer"},
    "acceptance.confirm_outcome": {"officer"},
    "acceptance.add_member": {"officer"},
    "projects.decide_gate": {"officer"},
    "registration.decide": {"officer"},
}


class Anonymous:
    is_authenticated = False
    role = None
    organization_id = None
    person_id = None


def _refused(why) -> bool:
    return why is not None and str(why).strip() != ""


@pytest.fixture()
def users(make):
    return {role: make.user(role) for role in sorted(ROLE_NAMES)}


@pytest.mark.parametrize("name", sorted(WHO_MAY))
def test_each_role_is_answered_as_the_design_says(app, users, name):
    for role, user in users.items():
        why = reason(name, user=user)
        if role in WHO_MAY[name]:
            assert why is None, (name, role, str(why))
        else:
            assert _refused(why), (name, role)
    assert _refused(reason(name, user=Anonymous())) and _refused(reason(name, user=None))


# The map: with an object, the right member and the wrong member of the right role ----------

def _entry(make):
    org = make.org(kind="university")
    return make.black(org), make.user("applicant", org=org), make.user("applicant")


def _objection(make):
    from types import SimpleNamespace

    entry, member, stranger = _entry(make)
    return SimpleNamespace(entry=entry), member, stranger


def _draft_challenge(make):
    owner = make.user("enterprise")
    return make.challenge(state="draft", owner=owner), owner, make.user("enterprise")


def _bid(make):
    challenge = make.challenge()
    team = make.user("applicant")
    return make.bid(challenge, user=team, submit=False), team, make.user("applicant")


def _partnered_bid(make):
    partner_org = make.org(kind="university")
    bid = make.bid(make.challenge(), submit=False, partners=[partner_org.credit_code])
    return bid, make.user("applicant", org=partner_org), make.user("applicant")


def _person(make):
    expert = make.user("reviewer")
    return expert.person, expert, make.user("reviewer")


def _token(make):
    from grants.api.models import ApiToken

    holder = make.user("applicant")
    make.token(holder)
    token = db.session.scalars(db.select(ApiToken).where(ApiToken.user_id == holder.id)).one()
    return token, holder, make.user("applicant")


def _certificate(make):
    from types import SimpleNamespace

    from tests.certificates.conftest import accepted_project

    project = accepted_project(make)
    return (SimpleNamespace(project=project), make.user("applicant", org=project.lead_org),
            make.user("applicant"))


def _own(attribute: str, role: str):
    """A stand-in object that belongs to one user of ``role`` (its ``attribute`` holds their id)."""

    def build(make):
        from types import SimpleNamespace

        right = make.user(role)
        return SimpleNamespace(**{attribute: right.id}), right, make.user(role)

    return build


def _project(make):
    from tests.projects.helpers import awarded

    parties = awarded(make)
    return parties.project, parties.team, make.user("applicant")


def _active_project(make):
    from tests.projects.helpers import signed

    parties = signed(make)
    return parties.project, parties.team, make.user("applicant")


def _owned_project(make):
    from tests.projects.helpers import awarded

    parties = awarded(make)
    return parties.project, parties.owner, make.user("enterprise")


def _milestone(make):
    project, team, stranger = _active_project(make)
    return project.milestones[0], team, stranger


def _panel_member(make):
    from tests.acceptance.helpers import under_acceptance

    acceptance = under_acceptance(make)
    return acceptance.project, acceptance.panel[0], make.reviewer()


def _team_in_acceptance(make):
    from tests.acceptance.helpers import requested

    acceptance = requested(make)
    return acceptance.project, acceptance.team, make.user("applicant")


def _managed_organisation(make):
    from grants.registration.models import OrgManager

    manager = make.user("enterprise")
    db.session.add(OrgManager(organization_id=manager.organization_id, user_id=manager.id))
    db.session.commit()
    return manager.organization, manager, make.user("enterprise", org=manager.organization)


ON_AN_OBJECT = {
    "registration.manage_members": _managed_organisation,
    "registration.keep_expert_record": _own("user_id", "reviewer"),
    "acceptance.view": _panel_member,
    "acceptance.judge": _panel_member,
    "acceptance.resubmit": _team_in_acceptance,
    "acceptance.download_archive": _owned_project,
    "projects.see": _owned_project,
    "projects.confirm_agreement": _project,
    "projects.sign": _project,
    "projects.request_acceptance": _active_project,
    "projects.record_contribution": _active_project,
    "projects.submit_report": _milestone,
    "reviews.see_profile": _own("user_id", "reviewer"),
    "reviews.see_assignment": _own("reviewer_id", "reviewer"),
    "awards.see_objection": _own("filed_by_id", "applicant"),
    "certificates.view": _certificate,
    "integrity.see_entry": _entry,
    "integrity.object": _entry,
    "integrity.see_objection": _objection,
    "challenges.see": _draft_challenge,
    "challenges.see_history": _draft_challenge,
    "challenges.edit": _draft_challenge,
    "bids.see": _bid,
    "bids.see_full": _bid,
    "bids.edit": _bid,
    "bids.confirm_partner": _partnered_bid,
    "auth.see_id_number": _person,
    "api.revoke_token": _token,
    "notifications.read": _own("user_id", "applicant"),
}


def test_every_permission_in_the_map_is_walked_here(app):
    assert set(PERMISSIONS) == set(WHO_MAY) | set(ON_AN_OBJECT)
    assert all(callable(p) for p in PERMISSIONS.values())
    assert all(name.split(".")[0] and name.count(".") == 1 for name in PERMISSIONS)


@pytest.mark.parametrize("name", sorted(ON_AN_OBJECT))
def test_the_right_member_may_and_the_wrong_member_of_the_same_role_may_not(app, make, name):
    obj, right, wrong = ON_AN_OBJECT[name](make)
    assert wrong.role == right.role
    assert reason(name, obj, user=right) is None
    assert _refused(reason(name, obj, user=wrong))
    assert _refused(reason(name, obj, user=Anonymous()))


@pytest.mark.parametrize("name", sorted(ON_AN_OBJECT))
def test_every_role_gets_an_answer_on_an_object(app, make, users, name):
    obj, _right, _wrong = ON_AN_OBJECT[name](make)
    for user in users.values():
        why = reason(name, obj, user=user)
        assert why is None or _refused(why)


def test_the_administrator_is_not_the_bureau(app, users):
    # DESIGN.md: accounts, organisations and settings; never a workflow or the integrity lists.
    admin = users["admin"]
    for name in ("integrity.add_entry", "integrity.revoke_entry", "challenges.set_cofunding_ratio",
                 "challenges.oversee", "bids.check_eligibility"):
        assert str(reason(name, user=admin)) != ""
    assert str(reason("integrity.add_entry", user=admin)) == "只有科技局可以维护科研诚信名单。"


def test_the_review_and_the_award_are_the_bureaus(app, make, users):
    from grants.core.errors import Forbidden
    from grants.reviews.services import assign_reviewer

    challenge = make.challenge(state="closed")
    with pytest.raises(Forbidden) as refused:
        assign_reviewer(challenge, make.reviewer(), actor=users["admin"])
    assert str(refused.value) == "只有科技局可以进行此操作。"
    assert str(reason("reviews.score", user=users["officer"])) == "只有评审专家账号可以进行此操作。"
    assert str(reason("awards.answer_objection", user=users["admin"])) == "只有科技局可以进行此操作。"
    assert reason("awards.object", user=users["admin"]) is None  # the public notice is open to anyone


def test_the_services_enforce_the_map_whoever_calls_them(app, make, users):
    from grants.challenges.services import set_cofunding_ratio
    from grants.core.errors import Forbidden
    from grants.integrity.services import add_entry, revoke_entry
    from tests.factories import credit_code

    org = make.org()
    with pytest.raises(Forbidden) as refused:
        add_entry(actor=users["admin"], list_kind="black", subject_type="organization", code=credit_code(),
                  name="某公司", reason="伪造材料", basis="文号1", authority="市科技局",
                  start_on=clock.today())
    assert str(refused.value) == "只有科技局可以维护科研诚信名单。"
    entry = make.black(org)
    with pytest.raises(Forbidden):
        revoke_entry(entry, actor=users["admin"], reason="更正")
    assert revoke_entry(entry, actor=users["officer"], reason="更正").revoked_at is not None
    challenge = make.challenge(state="submitted")
    with pytest.raises(Forbidden) as refused:
        set_cofunding_ratio(challenge, actor=users["admin"], own=3, public=1)
    assert str(refused.value) == "只有科技局可以设置配套比例。"


def test_the_administrators_pages_are_accounts_and_organisations(client, login, make):
    challenge = make.challenge(state="closed")
    login(make.user("admin"))
    assert client.get("/admin/users").status_code == 200
    assert client.get("/admin/organizations").status_code == 200
    for path in ("/challenges/manage", f"/bids/eligibility/{challenge.id}", "/integrity/",
                 "/integrity/objections", "/reviews/experts", "/reviews/", "/reviews/objections",
                 "/projects/monitor", "/projects/"):
        assert client.get(path).status_code == 403, path
    menu = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/admin/users"' in menu
    for link in ('href="/challenges/manage"', 'href="/integrity/"', 'href="/integrity/objections"',
                 'href="/reviews/experts"', 'href="/reviews/"'):
        assert link not in menu, link


def test_the_officer_reads_organisations_but_keeps_no_accounts(client, login, make):
    challenge = make.challenge(state="closed")
    login(make.user("officer"))
    assert client.get("/admin/organizations").status_code == 200
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/organizations/new").status_code == 403
    for path in ("/challenges/manage", f"/bids/eligibility/{challenge.id}", "/integrity/",
                 "/reviews/experts", "/reviews/", "/reviews/objections", "/projects/monitor"):
        assert client.get(path).status_code == 200, path
