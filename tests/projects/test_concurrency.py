"""Two officers releasing the same tranche at once, two parties confirming at
once: one release, both confirmations, the loser told (PostgreSQL)."""
import threading

import pytest

from grants.core.errors import ChangedUnderYou, Refused
from grants.extensions import db
from grants.projects import agreement as agreements
from grants.projects import services
from grants.projects.models import Project, Tranche, TrancheState
from tests.projects.helpers import awarded, signed


def _race(app, work) -> list:
    barrier = threading.Barrier(2)
    outcomes = []

    def run(n):
        with app.app_context():
            try:
                work(n, barrier)
                db.session.commit()
                outcomes.append("done")
            except (ChangedUnderYou, Refused) as exc:
                db.session.rollback()
                outcomes.append(str(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.mark.postgres
def test_a_tranche_released_twice_at_once_is_released_once(app, make):
    with app.app_context():
        parties = signed(make)
        tranche_id = parties.project.tranches[0].id
        officers = [parties.officer.id, make.user("officer").id]
    db.session.remove()

    def release(n, barrier):
        from grants.auth.models import User

        tranche = db.session.get(Tranche, tranche_id)
        officer = db.session.get(User, officers[n])
        assert tranche.project.state == "active"
        barrier.wait()
        services.release_tranche(tranche, actor=officer)

    outcomes = _race(app, release)
    assert outcomes.count("done") == 1, outcomes
    assert any("已被他人修改" in o or "已拨付" in o for o in outcomes), outcomes
    with app.app_context():
        assert db.session.get(Tranche, tranche_id).state == TrancheState.released


@pytest.mark.postgres
def test_an_edit_racing_a_confirmation_leaves_one_of_them(app, make):
    with app.app_context():
        parties = awarded(make)
        project_id, officer_id, owner_id = parties.project.id, parties.officer.id, parties.owner.id
        seen = parties.project.agreement.version
    db.session.remove()

    def act(n, barrier):
        from grants.auth.models import User

        project = db.session.get(Project, project_id)
        data = agreements.agreement_data(project)
        barrier.wait()
        if n == 0:
            agreements.edit_agreement(project, actor=db.session.get(User, officer_id),
                                      data={"end_on": data["end_on"]}, expected_version=seen)
        else:
            agreements.confirm_agreement(project, actor=db.session.get(User, owner_id), expected_version=seen)

    outcomes = _race(app, act)
    assert outcomes.count("done") == 1, outcomes
    assert any("已被他人修改" in o for o in outcomes), outcomes
