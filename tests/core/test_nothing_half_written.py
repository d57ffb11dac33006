"""Nothing is half-written: each main write service is made to fail right after its
first flush (as a lost connection, a full disk or a bug would), and the database,
the audit trail, the notifications, the outbox and the upload folder are then
exactly as before, on the real database."""
from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from grants.core.workflow import fire
from grants.extensions import db
from tests.factories import bid_data, challenge_data, credit_code, pdf_bytes


class InjectedFailure(RuntimeError):
    """What the test makes happen after a service's first flush."""


class FailAfterFirstFlush:
    """Raises once, after the first flush (that writes a row of ``of``, when given)."""

    def __init__(self, of: type | None = None):
        self.of = of
        self.fired = False

    def __call__(self, session, flush_context):
        if self.fired:
            return
        # In after_flush the session still lists what the flush wrote.
        if self.of is not None and not any(isinstance(o, self.of) for o in [*session.new, *session.dirty]):
            return
        self.fired = True
        raise InjectedFailure("injected after the first flush")

    def __enter__(self):
        sa.event.listen(Session, "after_flush", self)
        return self

    def __exit__(self, *exc):
        sa.event.remove(Session, "after_flush", self)


def database_content() -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order: a change anywhere shows."""
    content = {}
    for table in db.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        content[table.name] = [tuple(row) for row in db.session.execute(sa.select(table).order_by(*order))]
    return content


def uploaded_files() -> set[str]:
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def pdf(name="file.pdf"):
    return BytesIO(pdf_bytes(name)), name


# Each case builds what the service needs (committed), and returns the call to break.

def create_challenge(make):
    from grants.challenges.services import create_challenge

    owner = make.user("enterprise")
    return lambda: create_challenge(actor=owner, data=challenge_data())


def publish_challenge(make):
    officer = make.user("officer")
    challenge = make.challenge(state="submitted")
    return lambda: fire(challenge, "publish", officer)


def create_bid(make):
    from grants.bids.services import create_bid

    challenge = make.challenge()
    user = make.user("applicant")
    return lambda: create_bid(challenge, actor=user, data=bid_data(challenge))


def submit_bid(make):
    user = make.user("applicant")
    bid = make.bid(make.challenge(), user=user, submit=False)
    return lambda: fire(bid, "submit", user)


def add_bid_attachment(make):
    from grants.bids.services import add_attachment

    user = make.user("applicant")
    bid = make.bid(make.challenge(), user=user, submit=False)
    stream, name = pdf("方案附件.pdf")
    return lambda: add_attachment(bid, actor=user, stream=stream, filename=name)


def assign_reviewer(make):
    from grants.reviews.services import assign_reviewer
    from tests.reviews.helpers import reviewing

    challenge, officer, _bids = reviewing(make, n_bids=1)
    reviewer = make.reviewer()
    return lambda: assign_reviewer(challenge, reviewer, actor=officer)


def submit_review(make):
    from grants.reviews.services import save_review
    from tests.reviews.helpers import accepted_panel, reviewing

    challenge, officer, [bid] = reviewing(make, n_bids=1)
    [assignment] = accepted_panel(make, challenge, officer, n=1)
    scores = {c.id: (80, f"意见{c.position}") for c in challenge.rubric}
    return lambda: save_review(assignment, bid, actor=assignment.reviewer, scores=scores, opinion="recommend",
                               submit=True)


def propose_award(make):
    from tests.reviews.helpers import accepted_panel, reviewing, score_all

    challenge, officer, [bid] = reviewing(make, n_bids=1)
    for assignment in accepted_panel(make, challenge, officer, n=3):
        score_all(assignment, bid, 80)
    return lambda: fire(challenge, "propose_award", officer, winners=[bid.id])


def create_project_and_draft_agreement(make):
    from grants.projects.services import create_project
    from tests.reviews.helpers import reviewing

    _challenge, officer, [bid] = reviewing(make, n_bids=1)
    return lambda: create_project(bid, actor=officer)


def confirm_agreement(make):
    from grants.projects.agreement import confirm_agreement
    from tests.projects.helpers import awarded

    parties = awarded(make)
    return lambda: confirm_agreement(parties.project, actor=parties.officer)


def submit_report(make):
    from grants.projects.reports import submit_report
    from tests.projects.helpers import signed

    parties = signed(make)
    milestone = parties.project.milestones[0]
    values = {i.id: "0.5" for i in parties.project.indicators}
    upload = pdf("进展报告.pdf")
    return lambda: submit_report(milestone, actor=parties.team, text="进展", values=values, uploads=[upload])


def record_contribution(make):
    from grants.core import clock
    from grants.projects.funding import record_contribution
    from tests.projects.helpers import signed

    parties = signed(make)
    upload = pdf("到账凭证.pdf")
    return lambda: record_contribution(parties.project, actor=parties.team,
                                       data={"source": "own", "amount_fen": 100_00, "paid_on": clock.today()},
                                       upload=upload)


def release_tranche(make):
    from grants.projects.services import release_tranche
    from tests.projects.helpers import signed

    parties = signed(make)
    return lambda: release_tranche(parties.project.tranches[0], actor=parties.officer)


def form_panel(make):
    from grants.acceptance.services import form_panel
    from tests.acceptance.helpers import requested

    acceptance = requested(make)
    reviewers = [make.reviewer() for _ in range(3)]
    return lambda: form_panel(acceptance.project, reviewers, actor=acceptance.officer)


def issue_certificate(make):
    from grants.certificates.services import issue_certificate
    from tests.certificates.conftest import accepted_project, reached_values

    project = accepted_project(make)
    officer = make.user("officer")
    return lambda: issue_certificate(project, officer, conclusion="同意通过验收。", reached=reached_values(project))


def register_organisation(make):
    from grants.registration.services import register_organisation
    from tests.registration.helpers import org_form

    licence = pdf("营业执照.pdf")
    return lambda: register_organisation(org_form(), licence=licence)


def add_integrity_entry(make):
    from grants.core import clock
    from grants.integrity.services import add_entry

    officer = make.user("officer")
    org = make.org()
    return lambda: add_entry(actor=officer, list_kind="black", subject_type="organization", code=org.credit_code,
                             name=org.name, reason="科研不端行为", basis="咸科技发〔2026〕99号",
                             authority="市科学技术局", start_on=clock.today())


def register_organisation_by_admin(make):
    from grants.auth.services import create_organization

    admin = make.user("admin")
    return lambda: create_organization(name="新材料有限公司", kind="enterprise", credit_code=credit_code(),
                                       actor=admin)


def request_password_reset(make):
    from grants.auth.resets import request_password_reset

    user = make.user("officer")
    return lambda: request_password_reset(user.email)


CASES = [create_challenge, publish_challenge, create_bid, submit_bid, add_bid_attachment, assign_reviewer,
         submit_review, propose_award, create_project_and_draft_agreement, confirm_agreement, submit_report,
         record_contribution, release_tranche, form_panel, issue_certificate, register_organisation,
         add_integrity_entry, register_organisation_by_admin, request_password_reset]


UPLOADS = {add_bid_attachment, submit_report, record_contribution, register_organisation}


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_a_failure_after_the_first_write_leaves_nothing_behind(make, case, monkeypatch):
    from grants.core import files

    act = case(make)
    db.session.commit()
    before, files_before = database_content(), uploaded_files()
    written = []
    write = files.write_file
    monkeypatch.setattr(files, "write_file", lambda path, data: written.append(path) or write(path, data))
    with FailAfterFirstFlush() as failure, pytest.raises(InjectedFailure):
        act()
        db.session.commit()  # what the request does after the service
    assert failure.fired
    assert bool(written) == (case in UPLOADS)  # the upload reached the disk before the failure
    db.session.rollback()  # what the request does after an error
    after = database_content()
    changed = sorted(name for name in before if before[name] != after[name])
    assert changed == []  # no row, audit event, notification or outbox e-mail left
    assert uploaded_files() == files_before  # no stored upload left


def test_without_the_failure_each_case_does_write(make):
    """The cases are real: unbroken, the same calls change the database."""
    for case in (create_challenge, submit_report, register_organisation):
        act = case(make)
        db.session.commit()
        before, files_before = database_content(), uploaded_files()
        act()
        db.session.commit()
        assert database_content()["audit_events"] != before["audit_events"]
        if case is not create_challenge:
            assert uploaded_files() != files_before


# --- the same through a page and the API --------------------------------------------

def test_a_page_that_fails_after_its_first_write_answers_500_and_keeps_nothing(app, client, make, login,
                                                                               monkeypatch):
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    user = make.user("applicant")
    bid = make.bid(make.challenge(), user=user, submit=False)
    login(user)
    before, files_before = database_content(), uploaded_files()
    with FailAfterFirstFlush() as failure:
        response = client.post(f"/bids/{bid.id}/attachments", data={"file": pdf("附件.pdf")},
                               content_type="multipart/form-data")
    assert failure.fired
    assert response.status_code == 500 and "未保存任何内容" in response.get_data(as_text=True)
    db.session.rollback()
    after = database_content()
    assert sorted(name for name in before if before[name] != after[name]) == []
    assert uploaded_files() == files_before


def test_an_api_creation_that_fails_can_be_retried_with_the_same_key(app, client, make, monkeypatch):
    from grants.challenges.models import Challenge
    from tests.api.helpers import ApiClient
    from tests.api.test_challenge_flow_api import challenge_body

    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    owner = make.user("enterprise")
    api = ApiClient(client, make.token(owner))
    body = challenge_body(title="失败后重试")
    count = sa.select(sa.func.count()).select_from(Challenge).where(Challenge.owner_org_id == owner.organization_id)
    with FailAfterFirstFlush(of=Challenge) as failure:
        failed = api.post("/challenges", body, headers={"Idempotency-Key": "retry-after-500"})
    assert failure.fired
    assert failed.status_code == 500 and failed.get_json()["error"]["code"]
    assert db.session.scalar(count) == 0
    again = api.post("/challenges", body, headers={"Idempotency-Key": "retry-after-500"})
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert db.session.scalar(count) == 1
