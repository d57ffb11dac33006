"""Every transition of the JSON API fired by every role, anonymous too, and by
the wrong member of the right role: generated from the URL map, checked
against the table below.

The world of tests/core/test_route_matrix.py (a challenge under review with a
panel member, an active project with its milestone and tranche and the bid it
came from, an integrity entry) is built once. For each ``POST /api/v1/<kind>/<id>/transitions/<name>``
and each actor, the object is first put in the transition's first source
state, then the transition is sent (with a comment, without a version), and
everything is rolled back to a savepoint before the next one: every attempt
starts from the same world.

Answers: ``ok`` (carried out), ``409`` (let in, then refused by a rule of
the workflow in words: a guard, a missing precondition), ``403`` (the role or
the relation to the object may not), ``404`` (not visible to the caller, or
no such record in the world), ``401`` (no token). A transition missing from
:data:`EXPECTED` fails the test, so a new transition must say who may fire
it; an answer that differs fails with the transition and the actor. Kinds
whose records the world lacks (certificates, objections, registrations,
expert applications) are 404 for everyone.

The page forms that fire transitions (``/challenges/<id>/do/<name>`` and the
like) are sent the same way by each actor signed in, and read as ``ok`` (the
transition's event was written), ``no`` (sent back with the refusal in
words, nothing changed), ``login``, ``403`` or ``404`` (:data:`PAGES_EXPECTED`);
whatever a page form carries out, the API carries out for the same actor, and
the other way round.
"""
from __future__ import annotations

from types import SimpleNamespace

import sqlalchemy as sa

from grants.extensions import db
from tests.core.test_route_matrix import ACTORS, MISSING, _world

# The world's record each transition endpoint acts on (the others: MISSING).
OBJECT_OF = {"api_challenges.challenge_transition": "challenge_id", "api_bids.bid_transition": "bid_id",
             "api_reviews.review_assignment_transition": "assignment_id",
             "api_projects.project_transition": "project_id", "api_acceptance.project_transition": "project_id",
             "api_milestones.milestone_transition": "milestone_id", "api_tranches.tranche_transition": "tranche_id"}

# "<endpoint> <transition>": the answer to each of ACTORS, in that order
# (anon admin officer owner owner2 team team2 panel panel2).
EXPECTED = {
    "api_acceptance.project_transition fail_acceptance": "401 404 409 404 404 404 404 404 404",
    "api_acceptance.project_transition fail_rectification": "401 404 ok 404 404 404 404 404 404",
    "api_acceptance.project_transition pass_acceptance": "401 404 409 404 404 404 404 404 404",
    "api_acceptance.project_transition rectify": "401 404 409 404 404 404 404 404 404",
    "api_acceptance.project_transition request_acceptance": "401 404 403 404 404 404 404 404 404",
    "api_acceptance.project_transition resubmit_acceptance": "401 404 403 404 404 404 404 404 404",
    "api_acceptance.project_transition resume": "401 404 ok 404 404 404 404 404 404",
    "api_acceptance.project_transition resume_contracting": "401 404 409 404 404 404 404 404 404",
    "api_acceptance.project_transition sign": "401 404 ok 404 404 404 404 404 404",
    "api_acceptance.project_transition start_acceptance": "401 404 409 404 404 404 404 404 404",
    "api_acceptance.project_transition suspend": "401 404 ok 404 404 404 404 404 404",
    "api_acceptance.project_transition terminate": "401 404 ok 404 404 404 404 404 404",
    "api_awards.objection_transition dismiss": "401 404 404 404 404 404 404 404 404",
    "api_awards.objection_transition uphold": "401 404 404 404 404 404 404 404 404",
    "api_bids.bid_transition accept": "401 404 409 404 404 403 404 404 404",
    "api_bids.bid_transition award": "401 404 ok 404 404 403 404 404 404",
    "api_bids.bid_transition close_with_challenge": "401 404 403 404 404 403 404 404 404",
    "api_bids.bid_transition not_recommend": "401 404 ok 404 404 403 404 404 404",
    "api_bids.bid_transition recommend": "401 404 ok 404 404 403 404 404 404",
    "api_bids.bid_transition reject": "401 404 409 404 404 403 404 404 404",
    "api_bids.bid_transition reopen_review": "401 404 ok 404 404 403 404 404 404",
    "api_bids.bid_transition start_review": "401 404 ok 404 404 403 404 404 404",
    "api_bids.bid_transition submit": "401 404 403 404 404 409 404 404 404",
    "api_bids.bid_transition withdraw": "401 404 403 404 404 409 404 404 404",
    "api_certificates.certificate_transition revoke": "401 404 404 404 404 404 404 404 404",
    "api_challenges.challenge_transition close_bidding": "401 403 ok 403 403 403 403 403 403",
    "api_challenges.challenge_transition confirm_award": "401 403 409 403 403 403 403 403 403",
    "api_challenges.challenge_transition declare_failed": "401 403 ok 403 403 403 403 403 403",
    "api_challenges.challenge_transition propose_award": "401 403 409 403 403 403 403 403 403",
    "api_challenges.challenge_transition publish": "401 404 409 403 404 404 404 404 404",
    "api_challenges.challenge_transition reopen_review": "401 403 409 403 403 403 403 403 403",
    "api_challenges.challenge_transition return_for_revision": "401 404 ok 403 404 404 404 404 404",
    "api_challenges.challenge_transition start_review": "401 403 409 403 403 403 403 403 403",
    "api_challenges.challenge_transition submit": "401 404 403 ok 404 404 404 404 404",
    "api_challenges.challenge_transition withdraw": "401 404 403 ok 404 404 404 404 404",
    "api_integrity.integrity_objection_transition dismiss": "401 404 404 404 404 404 404 404 404",
    "api_integrity.integrity_objection_transition uphold": "401 404 404 404 404 404 404 404 404",
    # the world's milestone is the mid-way one, its report not yet checked by experts
    "api_milestones.milestone_transition approve": "401 404 409 403 404 403 404 404 404",
    "api_milestones.milestone_transition return_for_revision": "401 404 ok 403 404 403 404 404 404",
    "api_milestones.milestone_transition submit": "401 404 403 403 404 409 404 404 404",
    "api_projects.project_transition fail_acceptance": "401 404 409 403 404 403 404 404 404",
    "api_projects.project_transition fail_rectification": "401 404 ok 403 404 403 404 404 404",
    "api_projects.project_transition pass_acceptance": "401 404 409 403 404 403 404 404 404",
    "api_projects.project_transition rectify": "401 404 409 403 404 403 404 404 404",
    "api_projects.project_transition request_acceptance": "401 404 403 403 404 409 404 404 404",
    "api_projects.project_transition resubmit_acceptance": "401 404 403 403 404 ok 404 404 404",
    "api_projects.project_transition resume": "401 404 ok 403 404 403 404 404 404",
    "api_projects.project_transition resume_contracting": "401 404 409 403 404 403 404 404 404",
    "api_projects.project_transition sign": "401 404 ok ok 404 ok 404 404 404",
    "api_projects.project_transition start_acceptance": "401 404 409 403 404 403 404 404 404",
    "api_projects.project_transition suspend": "401 404 ok 403 404 403 404 404 404",
    "api_projects.project_transition terminate": "401 404 ok 403 404 403 404 404 404",
    "api_registration.expert_application_transition approve": "401 404 404 404 404 404 404 404 404",
    "api_registration.expert_application_transition reject": "401 404 404 404 404 404 404 404 404",
    "api_registration.org_registration_transition approve": "401 404 404 404 404 404 404 404 404",
    "api_registration.org_registration_transition reject": "401 404 404 404 404 404 404 404 404",
    "api_reviews.review_assignment_transition accept": "401 404 403 404 404 404 404 409 404",
    "api_reviews.review_assignment_transition complete": "401 404 403 404 404 404 404 409 404",
    "api_reviews.review_assignment_transition recuse": "401 404 403 404 404 404 404 ok 404",
    "api_reviews.review_assignment_transition reopen": "401 404 ok 404 404 404 404 403 404",
    "api_reviews.review_assignment_transition withdraw": "401 404 ok 404 404 404 404 403 404",
    "api_tranches.tranche_transition release": "401 404 ok 403 404 403 404 404 404",
}


def _transition_routes(app) -> list[tuple[str, str, object]]:
    """(endpoint, transition name, rule) of every transition the API exposes."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api_") and rule.endpoint.endswith("_transition") and "POST" in rule.methods:
            for name in sorted(rule._converters["name"].items):
                routes.append((rule.endpoint, name, rule))
    return sorted(routes, key=lambda r: (r[0], r[1]))


def _models() -> dict[str, type]:
    """Workflow models by the kind their audit events name."""
    found = {}
    for mapper in db.Model.registry.mappers:
        cls = mapper.class_
        if getattr(cls, "__workflow__", None) is not None:
            found[getattr(cls, "__audit_type__", cls.__tablename__)] = cls
    return found


def _origin(model, state: str) -> dict:
    """A suspended project remembers the state it was suspended from."""
    if "suspended_from" not in model.__table__.c:
        return {}
    return {"suspended_from": "active" if state == "suspended" else None}


def _read(response) -> str:
    return "ok" if 200 <= response.status_code < 300 else str(response.status_code)


def _fire_all(app, make, client) -> dict[str, dict[str, str]]:
    from grants.projects.models import Project

    users, values = _world(make)
    # The bid of the project's team, so that "team" is its right member and "team2" the wrong one.
    values = {**values, "bid_id": db.session.get(Project, values["project_id"]).bid_id}
    tokens = {name: make.token(user) for name, user in users.items()}
    models = _models()
    connection = db.engine  # the test's own connection (tests/conftest.py): savepoints on it undo everything
    answers: dict[str, dict[str, str]] = {}
    for endpoint, name, rule in _transition_routes(app):
        object_id = values[OBJECT_OF[endpoint]] if endpoint in OBJECT_OF else MISSING
        model = models[endpoint.split(".")[1].removesuffix("_transition")]
        source = model.__workflow__.transitions[name].source[0]
        url = rule.build({"object_id": object_id, "name": name}, append_unknown=False)[1]
        for actor in ACTORS:
            db.session.remove()  # the session's own savepoint must not enclose ours
            savepoint = connection.begin_nested()
            try:
                connection.execute(sa.update(model.__table__).where(model.__table__.c.id == object_id)
                                   .values(state=source, **_origin(model, source)))
                headers = {} if actor == "anon" else {"Authorization": f"Bearer {tokens[actor]}"}
                response = client.post(url, json={"comment": "权限矩阵测试"}, headers=headers)
                answers.setdefault(f"{endpoint} {name}", {})[actor] = _read(response)
            finally:
                db.session.remove()
                savepoint.rollback()
    return answers


# The page forms that fire transitions: the kind each acts on, and which of its transitions.
PAGE_FORMS = {"challenges.act": "challenge", "bids.act": "bid", "projects.act": "project",
              "projects.decide": "milestone", "projects.release": "tranche",
              "reviews.fire_challenge": "challenge", "integrity.objection_decide": "integrity_objection",
              "registration.decide_registration": "org_registration",
              "registration.decide_application": "expert_application"}
PAGE_ONLY = {"reviews.fire_challenge": ("start_review", "confirm_award", "declare_failed")}
ID_OF = {"challenge_id": "challenge_id", "bid_id": "bid_id", "project_id": "project_id",
         "milestone_id": "milestone_id", "tranche_id": "tranche_id"}

# "<endpoint> <transition>" of the page forms: ``ok`` (carried out, the event is written),
# ``no`` (sent back to the page with the refusal in words, nothing changed), ``login``,
# ``403``, ``404``, for each of ACTORS in order.
PAGES_EXPECTED = {
    "bids.act accept": "login 404 no 404 404 no 404 404 404",
    "bids.act award": "login 404 ok 404 404 no 404 404 404",
    "bids.act close_with_challenge": "login 404 no 404 404 no 404 404 404",
    "bids.act not_recommend": "login 404 ok 404 404 no 404 404 404",
    "bids.act recommend": "login 404 ok 404 404 no 404 404 404",
    "bids.act reject": "login 404 no 404 404 no 404 404 404",
    "bids.act reopen_review": "login 404 ok 404 404 no 404 404 404",
    "bids.act start_review": "login 404 ok 404 404 no 404 404 404",
    "bids.act submit": "login 404 no 404 404 no 404 404 404",
    "bids.act withdraw": "login 404 no 404 404 no 404 404 404",
    "challenges.act close_bidding": "login 403 ok no no 403 403 403 403",
    "challenges.act confirm_award": "login 403 no no no 403 403 403 403",
    "challenges.act declare_failed": "login 403 ok no no 403 403 403 403",
    "challenges.act propose_award": "login 403 no no no 403 403 403 403",
    "challenges.act publish": "login 403 no no 404 403 403 403 403",
    "challenges.act reopen_review": "login 403 no no no 403 403 403 403",
    "challenges.act return_for_revision": "login 403 ok no 404 403 403 403 403",
    "challenges.act start_review": "login 403 no no no 403 403 403 403",
    "challenges.act submit": "login 403 no ok 404 403 403 403 403",
    "challenges.act withdraw": "login 403 no ok 404 403 403 403 403",
    "integrity.objection_decide dismiss": "login 403 404 403 403 403 403 403 403",
    "integrity.objection_decide uphold": "login 403 404 403 403 403 403 403 403",
    "projects.act fail_acceptance": "login 404 no no 404 no 404 404 404",
    "projects.act fail_rectification": "login 404 ok no 404 no 404 404 404",
    "projects.act pass_acceptance": "login 404 no no 404 no 404 404 404",
    "projects.act rectify": "login 404 no no 404 no 404 404 404",
    "projects.act request_acceptance": "login 404 no no 404 no 404 404 404",
    "projects.act resubmit_acceptance": "login 404 no no 404 ok 404 404 404",
    "projects.act resume": "login 404 ok no 404 no 404 404 404",
    "projects.act resume_contracting": "login 404 no no 404 no 404 404 404",
    "projects.act sign": "login 404 ok ok 404 ok 404 404 404",
    "projects.act start_acceptance": "login 404 no no 404 no 404 404 404",
    "projects.act suspend": "login 404 ok no 404 no 404 404 404",
    "projects.act terminate": "login 404 ok no 404 no 404 404 404",
    "projects.decide approve": "login 404 no no 404 no 404 404 404",  # the experts' check first
    "projects.decide return_for_revision": "login 404 ok no 404 no 404 404 404",
    "projects.decide submit": "login 404 no no 404 no 404 404 404",
    "projects.release release": "login 404 ok no 404 no 404 404 404",
    "registration.decide_application approve": "login 403 404 403 403 403 403 403 403",
    "registration.decide_application reject": "login 403 404 403 403 403 403 403 403",
    "registration.decide_registration approve": "login 403 404 403 403 403 403 403 403",
    "registration.decide_registration reject": "login 403 404 403 403 403 403 403 403",
    "reviews.fire_challenge confirm_award": "login 403 no 403 403 403 403 403 403",
    "reviews.fire_challenge declare_failed": "login 403 ok 403 403 403 403 403 403",
    "reviews.fire_challenge start_review": "login 403 no 403 403 403 403 403 403",
}


def _page_routes(app) -> list[tuple[str, str, object]]:
    models = _models()
    routes = []
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and "name" in rule.arguments and not rule.endpoint.startswith("api"):
            kind = PAGE_FORMS.get(rule.endpoint, "unknown")
            names = PAGE_ONLY.get(rule.endpoint) or sorted(models[kind].__workflow__.transitions) \
                if kind in models else ["?"]
            routes.extend((rule.endpoint, name, rule) for name in names)
    return sorted(routes, key=lambda r: (r[0], r[1]))


def _submit_all(app, make, client, login) -> dict[str, dict[str, str]]:
    from grants.core.models import AuditEvent
    from grants.projects.models import Project

    users, values = _world(make)
    values = {**values, "bid_id": db.session.get(Project, values["project_id"]).bid_id}
    models = _models()
    connection = db.engine
    routes = _page_routes(app)
    answers: dict[str, dict[str, str]] = {}
    accounts = {actor: SimpleNamespace(email=user.email) for actor, user in users.items()}
    for actor in ACTORS:
        client.post("/logout")
        if actor != "anon":
            login(accounts[actor])
        for endpoint, name, rule in routes:
            kind = PAGE_FORMS[endpoint]
            model = models[kind]
            args = {arg: values.get(ID_OF.get(arg, "-"), MISSING) for arg in rule.arguments if arg != "name"}
            object_id = args[[a for a in rule.arguments if a != "name"][-1]] if len(args) == 1 else \
                args[{"milestone": "milestone_id", "tranche": "tranche_id"}[kind]]
            source = model.__workflow__.transitions[name].source[0]
            url = rule.build({**args, "name": name}, append_unknown=False)[1]
            db.session.remove()  # the session's own savepoint must not enclose ours
            savepoint = connection.begin_nested()
            try:
                connection.execute(sa.update(model.__table__).where(model.__table__.c.id == object_id)
                                   .values(state=source, **_origin(model, source)))
                events = sa.select(sa.func.count()).select_from(AuditEvent.__table__).where(
                    AuditEvent.__table__.c.object_type == kind, AuditEvent.__table__.c.object_id == object_id,
                    AuditEvent.__table__.c.action == name)
                before = connection.scalar(events)
                response = client.post(url, data={"comment": "权限矩阵测试"})
                if connection.scalar(events) > before:
                    answer = "ok"
                elif response.status_code in (301, 302, 303):
                    answer = "login" if "/login" in response.headers.get("Location", "") else "no"
                else:
                    answer = str(response.status_code)
                answers.setdefault(f"{endpoint} {name}", {})[actor] = answer
            finally:
                db.session.remove()
                try:
                    savepoint.rollback()
                except sa.exc.OperationalError:
                    raise AssertionError(f"{endpoint} {name} as {actor} ended the test's transaction") from None
    return answers


def test_every_page_form_has_an_entry(app):
    assert sorted({r[0] for r in _page_routes(app)} - set(PAGE_FORMS)) == [], "name the kind in PAGE_FORMS"
    fired = {f"{endpoint} {name}" for endpoint, name, _rule in _page_routes(app)}
    assert sorted(fired - set(PAGES_EXPECTED)) == [], "say who may fire these transitions in PAGES_EXPECTED"
    assert sorted(set(PAGES_EXPECTED) - fired) == [], "page forms that no longer exist"


def test_every_page_form_answers_every_actor_as_the_table_says(app, make, client, login):
    answers = _submit_all(app, make, client, login)
    wrong = [f"{key} as {actor}: {answers[key][actor]}, expected {want}"
             for key, row in sorted(PAGES_EXPECTED.items()) if key in answers
             for actor, want in zip(ACTORS, row.split()) if answers[key][actor] != want]
    assert wrong == []


def test_a_page_form_carries_out_what_the_api_does(app):
    """The same service behind both: whoever the API lets through, the page does too."""
    for key, row in PAGES_EXPECTED.items():
        endpoint, name = key.split()
        api_key = f"api_{API_OF[endpoint]} {name}"
        for actor, page, api in zip(ACTORS, row.split(), EXPECTED[api_key].split()):
            assert (page == "ok") == (api == "ok"), (key, actor, page, api)


# The API endpoint firing the same transitions as each page form.
API_OF = {"challenges.act": "challenges.challenge_transition", "bids.act": "bids.bid_transition",
          "projects.act": "projects.project_transition", "projects.decide": "milestones.milestone_transition",
          "projects.release": "tranches.tranche_transition", "reviews.fire_challenge": "challenges.challenge_transition",
          "integrity.objection_decide": "integrity.integrity_objection_transition",
          "registration.decide_registration": "registration.org_registration_transition",
          "registration.decide_application": "registration.expert_application_transition"}


def test_every_transition_has_an_entry(app):
    fired = {f"{endpoint} {name}" for endpoint, name, _rule in _transition_routes(app)}
    assert sorted(fired - set(EXPECTED)) == [], "say who may fire these transitions in EXPECTED"
    assert sorted(set(EXPECTED) - fired) == [], "transitions that no longer exist"


def test_every_transition_answers_every_actor_as_the_table_says(app, make, client):
    answers = _fire_all(app, make, client)
    wrong = [f"{key} as {actor}: {answers[key][actor]}, expected {want}"
             for key, row in sorted(EXPECTED.items()) if key in answers
             for actor, want in zip(ACTORS, row.split()) if answers[key][actor] != want]
    assert wrong == []


def test_only_a_signed_in_caller_is_ever_let_in_and_never_the_wrong_member(app):
    let_in = {"ok", "409"}
    for key, row in EXPECTED.items():
        got = dict(zip(ACTORS, row.split()))
        assert got["anon"] == "401", key
        for right, other in (("owner", "owner2"), ("team", "team2"), ("panel", "panel2")):
            assert not (got[other] in let_in and got[right] not in let_in), (key, right, other)
            if got[right] in let_in:
                assert got[other] not in let_in, (key, right, other)
