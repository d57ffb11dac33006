"""Fifty people pressing the same button in the same instant (PostgreSQL).

Each caller is its own API client in its own thread (its own application
context and database session, through the real views and services); all of
them wait at a barrier and then send the same transition. Exactly one is
carried out; every other caller is refused in words (409: changed under you,
or no longer possible), never a server error; the object has one audit event
for it and one row where the action creates one.

A bid submitted while ``tick`` closes bidding is either in (submitted before
the deadline, with its event) or refused, never half.
"""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from grants.core import audit, clock
from grants.core.models import AuditEvent
from grants.extensions import db
from tests.conftest import IS_POSTGRES, Config

N = 50
pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def wide():
    """The application with a connection for every caller (the default pool holds 15)."""
    if not IS_POSTGRES:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL): SQLite runs one writer at a time")
    from grants import create_app

    class Wide(Config):
        SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "pool_size": N + 5, "max_overflow": 0}

    app = create_app(Wide)
    # Warm: translations and templates are loaded by the first request, not during a race.
    app.test_client().get("/api/v1/challenges", headers={"Accept-Language": "zh-CN"})
    yield app
    with app.app_context():
        db.engine.dispose()


def at_once(app, calls) -> list[tuple]:
    """Send every ``(path, token, body)`` of ``calls`` at the same moment; the answers,
    in order, as (status, JSON body), or ("exception", repr) for anything that escaped."""
    return at_once_with(app, calls, threading.Barrier(len(calls)))


def one_won(answers, success=200, told="此记录已被他人修改") -> None:
    """One success; every other answer a 409 refusal saying ``told``."""
    assert [a for a in answers if a[0] not in (success, 409)] == [], "only one success and refusals"
    assert sum(1 for a in answers if a[0] == success) == 1, answers
    refusals = [body["error"] for status, body in answers if status == 409]
    assert all(e["code"] in ("conflict", "refused") and told in e["message"] for e in refusals), refusals


def events(kind: str, object_id: int, action: str) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.object_type == kind, AuditEvent.object_id == object_id, AuditEvent.action == action))


def same_for_all(path, token, body=None) -> list[tuple]:
    return [(path, token, body)] * N


def test_fifty_officers_publishing_one_challenge_publish_it_once(wide, app, make):
    with app.app_context():
        challenge = make.challenge(state="submitted")
        officer = make.user("officer")
        token, challenge_id, version = make.token(officer), challenge.id, challenge.version
    db.session.remove()

    answers = at_once(wide, same_for_all(f"/challenges/{challenge_id}/transitions/publish", token,
                                         {"version": version}))
    one_won(answers)
    with app.app_context():
        from grants.challenges.models import Challenge

        assert db.session.get(Challenge, challenge_id).state == "published"
        assert events("challenge", challenge_id, "publish") == 1
        assert audit.verify_chain().ok


def test_a_bid_submitted_fifty_times_at_once_is_submitted_once(wide, app, make):
    with app.app_context():
        challenge = make.challenge()
        team = make.user("applicant")
        bid = make.bid(challenge, user=team, submit=False)
        token, bid_id, version = make.token(team), bid.id, bid.version
    db.session.remove()

    answers = at_once(wide, same_for_all(f"/bids/{bid_id}/transitions/submit", token, {"version": version}))
    one_won(answers)
    with app.app_context():
        from grants.bids.models import Bid

        assert db.session.get(Bid, bid_id).state == "submitted"
        assert events("bid", bid_id, "submit") == 1
        assert audit.verify_chain().ok


def test_an_award_confirmed_fifty_times_at_once_makes_one_project(wide, app, make):
    from grants.awards.rules import notice_of
    from grants.core.workflow import fire
    from tests.reviews.helpers import accepted_panel, reviewing, score_all

    with app.app_context():
        challenge, officer, bids = reviewing(make, n_bids=2)
        for assignment in accepted_panel(make, challenge, officer, n=3):
            for bid, mark in zip(bids, (85, 70)):
                score_all(assignment, bid, mark)
        fire(challenge, "propose_award", officer, winners=[bids[0].id])
        db.session.commit()
        clock.set_now(notice_of(challenge).notice_ends_at + timedelta(minutes=1))
        token, challenge_id, version = make.token(officer), challenge.id, challenge.version
    db.session.remove()

    answers = at_once(wide, same_for_all(f"/challenges/{challenge_id}/transitions/confirm_award", token,
                                         {"version": version}))
    one_won(answers)
    with app.app_context():
        from grants.challenges.models import Challenge
        from grants.projects.models import Project

        assert db.session.get(Challenge, challenge_id).state == "awarded"
        assert events("challenge", challenge_id, "confirm_award") == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Project)
                                 .where(Project.challenge_id == challenge_id)) == 1
        assert audit.verify_chain().ok


def test_a_tranche_released_fifty_times_at_once_is_released_once(wide, app, make):
    from tests.projects.helpers import signed

    with app.app_context():
        parties = signed(make)
        tranche = parties.project.tranches[0]
        token, tranche_id, version = make.token(parties.officer), tranche.id, tranche.version
    db.session.remove()

    answers = at_once(wide, same_for_all(f"/tranches/{tranche_id}/transitions/release", token,
                                         {"version": version}))
    one_won(answers)
    with app.app_context():
        from grants.projects.models import Tranche

        assert db.session.get(Tranche, tranche_id).state == "released"
        assert events("tranche", tranche_id, "release") == 1
        assert audit.verify_chain().ok


def test_a_certificate_issued_fifty_times_at_once_is_issued_once(wide, app, make):
    from grants.certificates import signing
    from grants.certificates.models import Certificate
    from tests.certificates.conftest import accepted_project, reached_values

    with app.app_context():
        project = accepted_project(make)
        officer = make.user("officer")
        signing.bureau_key()  # the development key exists before the race
        body = {"project_id": project.id, "conclusion": "项目全面完成任务书规定的各项指标，同意通过验收。",
                "reached": {str(k): v for k, v in reached_values(project).items()}}
        token, project_id = make.token(officer), project.id
    db.session.remove()

    answers = at_once(wide, same_for_all("/certificates", token, body))
    one_won(answers, success=201, told="已有有效证书 XN-JB-2026-0001")
    with app.app_context():
        rows = db.session.scalars(sa.select(Certificate).where(Certificate.project_id == project_id)).all()
        assert [r.sequence for r in rows] == [1]
        assert events("certificate", rows[0].id, "issue") == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "issue")) == 1
        assert audit.verify_chain().ok


def test_bids_submitted_while_tick_closes_bidding_are_in_or_refused_never_half(wide, app, make):
    from grants.bids.models import Bid
    from grants.challenges.models import Challenge
    from grants.core.cli import run_tick

    teams, spread = 24, 0.05
    with app.app_context():
        challenge = make.challenge()
        calls, bid_ids = [], []
        for _ in range(teams):
            team = make.user("applicant")
            bid = make.bid(challenge, user=team, submit=False)
            calls.append((f"/bids/{bid.id}/transitions/submit", make.token(team), {"version": bid.version}))
            bid_ids.append(bid.id)
        challenge_id, deadline = challenge.id, challenge.deadline_at
    db.session.remove()
    clock.set_now(deadline - timedelta(seconds=1))

    ticked, answers = [], [None] * teams

    def tick(barrier):
        barrier.wait()
        # The deadline passes as the first bid is in: the callers after it are under way
        # or about to send.
        waited = time.monotonic()
        while not any(a and a[0] == 200 for a in answers) and time.monotonic() - waited < 30:
            time.sleep(0.001)
        clock.set_now(deadline)
        with wide.app_context():
            ticked.append(run_tick(raise_errors=True))

    barrier = threading.Barrier(teams + 1)
    ticker = threading.Thread(target=tick, args=(barrier,))
    ticker.start()
    at_once_with(wide, calls, barrier, answers, spread=spread)
    ticker.join()

    assert [a for a in answers if a[0] not in (200, 409)] == []
    assert ticked and ticked[0]["close_bidding"] == 1
    with app.app_context():
        assert db.session.get(Challenge, challenge_id).state == "closed"
        assert events("challenge", challenge_id, "close_bidding") == 1
        for bid_id, (status, body) in zip(bid_ids, answers):
            bid = db.session.get(Bid, bid_id)
            if status == 200:
                assert bid.state == "submitted" and bid.submitted_at < deadline
                assert events("bid", bid_id, "submit") == 1
            else:
                message = body["error"]["message"]
                assert body["error"]["code"] == "refused" and ("截止" in message or "不接受揭榜" in message), body
                assert bid.state == "draft" and bid.submitted_at is None
                assert events("bid", bid_id, "submit") == 0
        assert audit.verify_chain().ok


def at_once_with(app, calls, barrier, answers=None, spread: float = 0.0) -> list[tuple]:
    """As :func:`at_once`, the callers meeting at ``barrier`` (which another party may share),
    filling ``answers`` as they come; with ``spread``, caller i sends ``i * spread`` seconds
    after the others met."""
    answers = [None] * len(calls) if answers is None else answers

    def run(i, path, token, body):
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}", "Accept-Language": "zh-CN"}
        barrier.wait()
        time.sleep(i * spread)
        try:
            response = client.post(f"/api/v1{path}", json=body or {}, headers=headers)
            answers[i] = (response.status_code, response.get_json())
        except Exception as exc:  # reported by the assertion, with the call
            answers[i] = ("exception", repr(exc))

    threads = [threading.Thread(target=run, args=(i, *call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers
