"""A project that passed acceptance, and issuing its certificate.

No transition reaches ``accepted`` yet (the acceptance workflow comes with its
own area), so the project row is built in that state from a real awarded bid.
"""
from __future__ import annotations

import pytest

from grants.extensions import db
from grants.projects.models import Project, ProjectState
from tests.reviews.helpers import reviewing


def accepted_project(make, *, owner_org=None, state=ProjectState.accepted, bid=None):
    if bid is None:
        _challenge, _officer, [bid] = reviewing(make, n_bids=1, owner_org=owner_org)
    project = Project(challenge_id=bid.challenge_id, bid_id=bid.id, lead_org_id=bid.organization_id,
                      lead_person_id=bid.lead_id, title=bid.title, award_fen=bid.requested_fen, state=state,
                      suspended_from=ProjectState.active if state == ProjectState.suspended else None)
    db.session.add(project)
    db.session.commit()
    return project


def reached_values(project, value: str = "达到") -> dict[int, str]:
    return {promise.challenge_indicator_id: value for promise in project.bid.indicators}


@pytest.fixture
def project(make):
    return accepted_project(make)


@pytest.fixture
def officer(make):
    return make.user("officer")


@pytest.fixture
def issue(officer):
    """Issue (and commit) a certificate for ``project``."""
    from grants.certificates.services import issue_certificate

    def _issue(project, conclusion="项目全面完成任务书规定的各项指标，同意通过验收。", reached=None, actor=None):
        certificate = issue_certificate(project, actor or officer, conclusion=conclusion,
                                        reached=reached if reached is not None else reached_values(project))
        db.session.commit()
        return certificate

    return _issue
