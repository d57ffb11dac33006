"""Every route as every role, anonymous too, and as the wrong member of the
right role: generated from the URL map, checked against the table below.

One world is built (a challenge under expert review with a panel member, a
project whose agreement the three parties confirmed, an integrity entry),
every GET route of the URL map is filled from it and visited by each actor:

* ``anon``: not signed in;  ``admin``, ``officer``: their roles;
* ``owner`` / ``owner2``: the challenge's enterprise / another enterprise;
* ``team`` / ``team2``: the project's (and bid's) team / another applicant;
* ``panel`` / ``panel2``: a reviewer on the panel / another reviewer.

Answers are read as ``ok`` (2xx), ``login`` (sent to sign in), ``go``
(another redirect), or the status code. A route missing from
:data:`EXPECTED` fails the test, so a new page or endpoint must say who may
open it; an answer that differs from the table fails with the route and the
actor. Write routes (POST, PATCH, PUT, DELETE) are sent by an anonymous
caller: never carried out.
"""
from __future__ import annotations

from grants.extensions import db

MISSING = 2**31 - 1  # an id no record has
ACTORS = ("anon", "admin", "officer", "owner", "owner2", "team", "team2", "panel", "panel2")
SKIPPED = {"static", "bootstrap.static", "api_docs_assets.static"}
# Writes anyone may send: signing in, verifying a certificate, choosing a language,
# registering an organisation or applying as an expert, following an e-mailed link.
PUBLIC_WRITES = {"auth.login", "certificates.verify", "api_verify.verify_file", "core.set_language",
                 "registration.organisation", "registration.expert", "registration.resend",
                 "registration.confirm", "registration.accept", "auth.forgot_password",
                 "auth.reset_password_page", "api_password_resets.request_password_reset",
                 "api_password_resets.reset_password"}
PUBLIC_WRITES |= {f"api_registration.{name}" for name in (
    "register_organisation", "apply_as_expert", "confirm_email", "accept_invitation")}
# An anonymous write is refused before anything is done: sent to sign in (pages),
# 401 (API), or refused for its body or an unknown record (API: 422, 404).
REFUSED_WRITE = {"login", "401", "403", "404", "422"}

# endpoint: the answer to each of ACTORS, in that order. Routes whose records the
# world lacks (certificates, objections, attachments, stage gates) are 404 for all.
EXPECTED = {
    "acceptance.download_archive": "login 404 ok ok 404 ok 404 404 404",
    "acceptance.index": "login 403 ok 403 403 403 403 403 403",
    "acceptance.judge": "login 404 404 404 404 404 404 404 404",
    "acceptance.show": "login 403 ok 403 403 403 403 403 403",
    "account.account": "login ok ok ok ok ok ok ok ok",
    "admin.organization": "login ok ok 403 403 403 403 403 403",
    "admin.organization_edit": "login ok 403 403 403 403 403 403 403",
    "admin.organization_new": "login ok 403 403 403 403 403 403 403",
    "admin.organizations": "login ok ok 403 403 403 403 403 403",
    "admin.user": "login ok 403 403 403 403 403 403 403",
    "admin.user_edit": "login ok 403 403 403 403 403 403 403",
    "admin.user_new": "login ok 403 403 403 403 403 403 403",
    "admin.users": "login ok 403 403 403 403 403 403 403",
    "api-docs.openapi_json": "ok ok ok ok ok ok ok ok ok",
    "api-docs.openapi_swagger_ui": "ok ok ok ok ok ok ok ok ok",
    "api_acceptance.download_archive": "401 404 ok ok 404 ok 404 404 404",
    "api_acceptance.get_judgement": "401 404 404 404 404 404 404 404 404",
    "api_acceptance.get_outcome": "401 404 ok 404 404 404 404 404 404",
    "api_acceptance.get_panel": "401 404 ok 404 404 404 404 404 404",
    "api_acceptance.list_decisions": "401 404 ok 404 404 404 404 404 404",
    "api_acceptance.project_history": "401 404 ok 404 404 404 404 404 404",
    "api_acceptance.project_transitions": "401 404 ok 404 404 404 404 404 404",
    "api_awards.get_notice": "404 404 404 404 404 404 404 404 404",
    "api_awards.get_objection": "401 404 404 404 404 404 404 404 404",
    "api_awards.list_objections": "401 403 ok 403 403 403 403 403 403",
    "api_awards.objection_history": "401 404 404 404 404 404 404 404 404",
    "api_awards.objection_transitions": "401 404 404 404 404 404 404 404 404",
    "api_bids.bid_history": "404 404 ok 404 404 404 404 404 404",
    "api_bids.bid_transitions": "401 404 ok 404 404 404 404 404 404",
    "api_bids.get_bid": "401 404 ok ok 404 404 404 404 404",
    "api_bids.list_bids": "401 ok ok ok ok ok ok ok ok",
    "api_certificates.certificate_history": "401 404 404 404 404 404 404 404 404",
    "api_certificates.certificate_transitions": "401 404 404 404 404 404 404 404 404",
    "api_certificates.download_certificate": "401 404 404 404 404 404 404 404 404",
    "api_certificates.get_certificate": "401 404 404 404 404 404 404 404 404",
    "api_certificates.list_certificates": "401 ok ok ok ok ok ok ok ok",
    "api_challenges.challenge_history": "404 404 ok ok 404 404 404 404 404",
    "api_challenges.challenge_transitions": "401 ok ok ok ok ok ok ok ok",
    "api_challenges.get_challenge": "ok ok ok ok ok ok ok ok ok",
    "api_challenges.list_challenges": "ok ok ok ok ok ok ok ok ok",
    "api_inbox.list_inbox": "401 ok ok ok ok ok ok ok ok",
    "api_integrity.entry_objections": "401 404 ok 404 404 404 404 404 404",
    "api_integrity.get_entry": "401 404 ok 404 404 404 404 404 404",
    "api_integrity.get_objection": "401 404 404 404 404 404 404 404 404",
    "api_integrity.integrity_entry_history": "401 403 ok 403 403 403 403 403 403",
    "api_integrity.integrity_objection_history": "401 404 404 404 404 404 404 404 404",
    "api_integrity.integrity_objection_transitions": "401 404 404 404 404 404 404 404 404",
    "api_integrity.list_entries": "401 403 ok 403 403 403 403 403 403",
    "api_integrity.list_objections": "401 403 ok 403 403 403 403 403 403",
    "api_integrity.my_record": "401 ok ok ok ok ok ok ok ok",
    "api_integrity.objection_file": "401 404 404 404 404 404 404 404 404",
    "api_me.me": "401 ok ok ok ok ok ok ok ok",
    "api_milestones.get_milestone": "401 404 ok ok 404 ok 404 404 404",
    "api_milestones.milestone_history": "401 404 ok ok 404 ok 404 404 404",
    "api_milestones.milestone_transitions": "401 404 ok ok 404 ok 404 404 404",
    "api_organizations.get_organization": "401 ok ok 403 403 403 403 403 403",
    "api_organizations.list_organizations": "401 ok ok 403 403 403 403 403 403",
    "api_project_funding.get_ledger": "401 404 ok ok 404 ok 404 404 404",
    "api_projects.agreement_version": "401 404 ok ok 404 ok 404 404 404",
    "api_projects.agreement_versions": "401 404 ok ok 404 ok 404 404 404",
    "api_projects.get_agreement": "401 404 ok ok 404 ok 404 404 404",
    "api_projects.get_project": "401 404 ok ok 404 ok 404 404 404",
    "api_projects.list_projects": "401 ok ok ok ok ok ok ok ok",
    "api_projects.monitoring_list": "401 403 ok 403 403 403 403 403 403",
    "api_projects.project_history": "401 404 ok ok 404 ok 404 404 404",
    "api_projects.project_milestones": "401 404 ok ok 404 ok 404 404 404",
    "api_projects.project_reports": "401 404 ok ok 404 ok 404 404 404",
    "api_projects.project_tranches": "401 404 ok ok 404 ok 404 404 404",
    "api_projects.project_transitions": "401 404 ok ok 404 ok 404 404 404",
    "api_registration.expert_application_history": "404 404 404 404 404 404 404 404 404",
    "api_registration.expert_application_transitions": "401 404 404 404 404 404 404 404 404",
    "api_registration.get_application": "401 403 404 403 403 403 403 403 403",
    "api_registration.get_registration": "401 403 404 403 403 403 403 403 403",
    "api_registration.list_applications": "401 403 ok 403 403 403 403 403 403",
    "api_registration.list_invitations": "401 403 403 403 403 403 403 403 403",
    "api_registration.list_members": "401 403 403 403 403 403 403 403 403",
    "api_registration.list_registrations": "401 403 ok 403 403 403 403 403 403",
    "api_registration.my_record": "401 404 404 404 404 404 404 404 404",
    "api_registration.org_registration_history": "404 404 404 404 404 404 404 404 404",
    "api_registration.org_registration_transitions": "401 404 404 404 404 404 404 404 404",
    "api_reviewers.get_my_profile": "401 403 403 403 403 403 403 ok ok",
    "api_reviewers.get_reviewer": "401 404 ok 404 404 404 404 ok 404",
    "api_reviewers.list_reviewers": "401 403 ok 403 403 403 403 403 403",
    "api_reviews.get_assignment": "401 404 ok 404 404 404 404 ok 404",
    "api_reviews.get_bid": "401 403 403 403 403 403 403 ok 404",
    "api_reviews.get_panel": "401 403 ok 403 403 403 403 403 403",
    "api_reviews.list_assignments": "401 403 ok 403 403 403 403 ok ok",
    "api_reviews.list_bids": "401 403 403 403 403 403 403 ok 404",
    "api_reviews.list_challenges": "401 403 ok 403 403 403 403 403 403",
    "api_reviews.ranking": "401 403 ok 403 403 403 403 403 403",
    "api_reviews.review_assignment_history": "401 404 ok 404 404 404 404 ok 404",
    "api_reviews.review_assignment_transitions": "401 404 ok 404 404 404 404 ok 404",
    "api_stage_gates.get_gate": "401 404 404 404 404 404 404 404 404",
    "api_tranches.get_tranche": "401 404 ok ok 404 ok 404 404 404",
    "api_tranches.tranche_history": "401 404 ok ok 404 ok 404 404 404",
    "api_tranches.tranche_transitions": "401 404 ok ok 404 ok 404 404 404",
    "api_verify.verify_number": "404 404 404 404 404 404 404 404 404",
    "auth.change_password_page": "login ok ok ok ok ok ok ok ok",
    "auth.forgot_password": "ok ok ok ok ok ok ok ok ok",
    "auth.login": "ok go go go go go go go go",
    "auth.reset_password_page": "410 410 410 410 410 410 410 410 410",
    "awards.notice": "404 404 404 404 404 404 404 404 404",
    "awards.objections": "login 403 ok 403 403 403 403 403 403",
    "bids.attachment": "login 404 404 404 404 404 404 404 404",
    "bids.edit": "login 404 go 404 404 404 404 404 404",
    "bids.eligibility": "login 403 ok 403 403 403 403 403 403",
    "bids.mine": "login 403 403 403 403 ok ok 403 403",
    "bids.partner": "login 404 404 404 404 404 404 404 404",
    "bids.partner_lookup": "login 404 403 404 404 404 404 404 404",
    "bids.show": "login 404 ok 404 404 404 404 404 404",
    "certificates.download": "login 403 404 404 404 404 404 403 403",
    "certificates.index": "login 403 ok ok ok ok ok 403 403",
    "certificates.show": "login 403 404 404 404 404 404 403 403",
    "certificates.verify": "ok ok ok ok ok ok ok ok ok",
    "certificates.verify_number": "404 404 404 404 404 404 404 404 404",
    "challenges.attachment": "404 404 404 404 404 404 404 404 404",
    "challenges.board": "ok ok ok ok ok ok ok ok ok",
    "challenges.edit": "login 404 404 ok 404 404 404 404 404",
    "challenges.manage": "login 403 ok ok ok 403 403 403 403",
    "challenges.new": "login 403 403 ok ok 403 403 403 403",
    "challenges.show": "ok ok ok ok ok ok ok ok ok",
    "core.dashboard": "login ok ok ok ok ok ok ok ok",
    "core.index": "ok go go go go go go go go",
    "integrity.entries": "login 403 ok 403 403 403 403 403 403",
    "integrity.entry": "login 404 ok 404 404 404 404 404 404",
    "integrity.entry_new": "login 403 ok 403 403 403 403 403 403",
    "integrity.export_file": "login 403 ok 403 403 403 403 403 403",
    "integrity.import_file": "login 403 ok 403 403 403 403 403 403",
    "integrity.mine": "login ok ok ok ok ok ok ok ok",
    "integrity.objection": "login 404 404 404 404 404 404 404 404",
    "integrity.objection_file": "login 404 404 404 404 404 404 404 404",
    "integrity.objection_new": "login 404 404 404 404 404 404 404 404",
    "integrity.objections": "login 403 ok 403 403 403 403 403 403",
    "integrity.subject": "login 403 ok 403 403 403 403 403 403",
    "integrity.subjects": "login 403 ok 403 403 403 403 403 403",
    "notifications.inbox": "login ok ok ok ok ok ok ok ok",
    "notifications.outbox": "login ok 403 403 403 403 403 403 403",
    "overview.help": "ok ok ok ok ok ok ok ok ok",
    "overview.help_for": "ok ok ok ok ok ok ok ok ok",
    "overview.library": "ok ok ok ok ok ok ok ok ok",
    "overview.notices": "ok ok ok ok ok ok ok ok ok",
    "overview.stats": "ok ok ok ok ok ok ok ok ok",
    "projects.acceptance": "login 404 ok ok 404 ok 404 404 404",
    "projects.agreement_version": "login 404 ok ok 404 ok 404 404 404",
    "projects.contribution_proof": "login 404 404 404 404 404 404 404 404",
    "projects.edit_agreement": "login 404 ok go 404 go 404 404 404",
    "projects.funds": "login 404 ok ok 404 ok 404 404 404",
    "projects.history": "login 404 ok ok 404 ok 404 404 404",
    "projects.index": "login 403 ok ok ok ok ok 403 403",
    "projects.milestones": "login 404 ok ok 404 ok 404 404 404",
    "projects.monitor": "login 403 ok 403 403 403 403 403 403",
    "projects.monitor_csv": "login 403 ok 403 403 403 403 403 403",
    "projects.monitor_xlsx": "login 403 ok 403 403 403 403 403 403",
    "projects.report": "login 404 ok ok 404 ok 404 404 404",
    "projects.report_file": "login 404 404 404 404 404 404 404 404",
    "projects.show": "login 404 ok ok 404 ok 404 404 404",
    "projects.stage_gate": "login 404 ok 404 404 404 404 404 404",
    "registration.accept": "410 410 410 410 410 410 410 410 410",
    "registration.application": "login 403 404 403 403 403 403 403 403",
    "registration.confirm": "ok ok ok ok ok ok ok ok ok",
    "registration.expert": "ok ok ok ok ok ok ok ok ok",
    "registration.expert_profile": "login 404 404 404 404 404 404 404 404",
    "registration.file": "login 403 404 403 403 403 403 403 403",
    "registration.members_page": "login 403 403 403 403 403 403 403 403",
    "registration.organisation": "ok ok ok ok ok ok ok ok ok",
    "registration.queue": "login 403 ok 403 403 403 403 403 403",
    "registration.registration": "login 403 404 403 403 403 403 403 403",
    "reviews.assignment": "login 403 403 403 403 403 403 ok 404",
    "reviews.bid_file": "login 403 403 403 403 403 403 404 404",
    "reviews.challenges": "login 403 ok 403 403 403 403 403 403",
    "reviews.export": "login 403 ok 403 403 403 403 403 403",
    "reviews.mine": "login 403 403 403 403 403 403 ok ok",
    "reviews.panel": "login 403 ok 403 403 403 403 403 403",
    "reviews.pool": "login 403 ok 403 403 403 403 403 403",
    "reviews.profile": "login 403 403 403 403 403 403 ok ok",
    "reviews.score": "login 403 403 403 403 403 403 ok 404",
    "reviews.table": "login 403 ok 403 403 403 403 403 403",
}


def _world(make):
    from tests.projects.helpers import signed
    from tests.reviews.helpers import accepted_panel, reviewing

    parties = signed(make)
    challenge, officer, bids = reviewing(make, n_bids=1, owner_org=parties.project.challenge.owner_org)
    [assignment] = accepted_panel(make, challenge, officer, n=1)
    entry = make.black(make.org(name="黑名单单位"))
    db.session.commit()
    users = {"admin": make.user("admin"), "officer": parties.officer, "owner": parties.owner,
             "owner2": make.user("enterprise"), "team": parties.team, "team2": make.user("applicant"),
             "panel": assignment.reviewer, "panel2": make.reviewer()}
    project = parties.project
    values = {
        "challenge_id": challenge.id, "bid_id": bids[0].id, "assignment_id": assignment.id,
        "project_id": project.id, "milestone_id": project.milestones[0].id,
        "tranche_id": project.tranches[0].id, "entry_id": entry.id, "org_id": parties.team.organization_id,
        "user_id": parties.team.id, "reviewer_id": assignment.reviewer_id,
        "subject_type": "organization", "code": parties.team.organization.credit_code,
        "number": 1, "position": 1, "fmt": "csv", "name": "submit", "filename": "x",
        **{name: MISSING for name in ("attachment_id", "file_id", "contribution_id", "certificate_id",
                                      "objection_id", "token_id", "review_id", "partner_id", "decision",
                                      "invitation_id", "report_id", "registration_id",
                                      "application_id", "notification_id")},
        "token": "unknown-token", "role": "officer",
    }
    return users, values


# ``<object_id>`` of the shared history and transitions endpoints, by blueprint.
OBJECT_OF = {"api_bids": "bid_id", "api_challenges": "challenge_id", "api_projects": "project_id",
             "api_acceptance": "project_id", "api_milestones": "milestone_id", "api_tranches": "tranche_id",
             "api_reviews": "assignment_id", "api_integrity": "entry_id"}


def _url(rule, values) -> str:
    from werkzeug.routing import AnyConverter, Map

    adapter = Map([rule.empty()]).bind("localhost")
    values = {**values, "object_id": values.get(OBJECT_OF.get(rule.endpoint.split(".")[0]), MISSING)}
    args = {}
    for name in rule.arguments:
        converter = rule._converters.get(name)
        args[name] = (sorted(converter.items)[0] if isinstance(converter, AnyConverter)
                      and values[name] not in converter.items else values[name])
    return adapter.build(rule.endpoint, args)


def _read(response) -> str:
    if 200 <= response.status_code < 300:
        return "ok"
    if response.status_code in (301, 302, 303):
        return "login" if "/login" in response.headers.get("Location", "") else "go"
    return str(response.status_code)


def _visit(app, make, login, client):
    users, values = _world(make)
    token_of = {name: make.token(user) for name, user in users.items()}
    answers: dict[str, dict[str, str]] = {}
    rules = [r for r in app.url_map.iter_rules() if "GET" in r.methods and r.endpoint not in SKIPPED]
    for actor in ACTORS:
        client.post("/logout")
        if actor != "anon":
            login(users[actor])
        for rule in rules:
            url = _url(rule, values)
            headers = {"Authorization": f"Bearer {token_of[actor]}"} if actor != "anon" and \
                url.startswith("/api/") else {}
            answers.setdefault(rule.endpoint, {})[actor] = _read(client.get(url, headers=headers))
    return answers


def test_every_route_has_an_entry(app):
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if "GET" in r.methods} - SKIPPED
    assert sorted(endpoints - set(EXPECTED)) == [], "say who may open these routes in EXPECTED"
    assert sorted(set(EXPECTED) - endpoints) == [], "routes that no longer exist"


def test_every_route_answers_every_actor_as_the_table_says(app, make, login, client):
    answers = _visit(app, make, login, client)
    wrong = [f"{endpoint} as {actor}: {answers[endpoint][actor]}, expected {want}"
             for endpoint, row in sorted(EXPECTED.items()) if endpoint in answers
             for actor, want in zip(ACTORS, row.split()) if answers[endpoint][actor] != want]
    assert wrong == []


def test_the_wrong_member_of_the_right_role_is_never_let_in_where_the_right_one_is(app):
    for endpoint, row in EXPECTED.items():
        got = dict(zip(ACTORS, row.split()))
        for right, other in (("owner", "owner2"), ("team", "team2"), ("panel", "panel2")):
            if got[right] == "ok" and got[other] == "ok":
                assert endpoint.split(".")[1].startswith("list") or got["anon"] == "ok" or \
                    got["admin"] == "ok" or endpoint in ROLE_WIDE, (endpoint, right, other)


# Routes every member of a role may open (their own lists and profiles), where
# "right" and "wrong" member do not apply.
ROLE_WIDE = {"account.account", "api_me.me", "api_integrity.my_record", "api_reviewers.get_my_profile",
             "bids.mine", "certificates.index", "challenges.manage", "challenges.new", "core.dashboard",
             "integrity.mine", "projects.index", "reviews.mine", "reviews.profile",
             "api_reviews.list_assignments", "api_challenges.challenge_transitions"}


def test_no_write_route_is_carried_out_for_an_anonymous_caller(app, make, client):
    _users, values = _world(make)
    carried = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_WRITES:
            continue
        for method in sorted(rule.methods & {"POST", "PATCH", "PUT", "DELETE"}):
            answer = _read(client.open(_url(rule, values), method=method))
            if answer not in REFUSED_WRITE:
                carried.append(f"{method} {rule.rule} ({rule.endpoint}): {answer}")
    assert carried == []
