"""Two requests at once with the same link or the same code: one wins, the other is told."""
import threading

import pytest
import sqlalchemy as sa

from grants.auth.models import User
from grants.core.errors import DomainError
from grants.extensions import db
from grants.registration import members, services
from grants.registration.models import OrgRegistration
from tests.factories import credit_code
from tests.registration.helpers import org_form, outbox, pdf


def at_once(app, work, n=2):
    barrier = threading.Barrier(n)
    outcomes = []

    def run(i):
        with app.app_context():
            try:
                barrier.wait()
                work(i)
                db.session.commit()
                outcomes.append("ok")
            except DomainError as exc:
                db.session.rollback()
                outcomes.append(str(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.mark.postgres
def test_an_invitation_used_twice_at_once_opens_one_account(app, make):
    with app.app_context():
        with outbox() as sent:
            reg = services.register_organisation(org_form(), licence=pdf())
            services.confirm_email(sent.token())
        from grants.core.workflow import fire

        fire(reg, "approve", make.user("officer"))
        with outbox() as sent:
            members.invite_member(reg.organization, "race@example.cn", actor=reg.user)
        db.session.commit()
        token = sent.token()
    db.session.remove()
    outcomes = at_once(app, lambda i: members.accept_invitation(token, name=f"成员{i}", password="member-pass-1"))
    assert outcomes.count("ok") == 1 and any("只能使用一次" in o for o in outcomes), outcomes
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)
                                 .where(User.email == "race@example.cn")) == 1


@pytest.mark.postgres
def test_the_same_code_registered_twice_at_once_waits_once(app):
    code = credit_code()
    outcomes = at_once(app, lambda i: services.register_organisation(
        org_form(credit_code=code, contact_email=f"c{i}@example.cn"), licence=pdf()))
    assert outcomes.count("ok") == 1 and any("已在等待科技局审核" in o for o in outcomes), outcomes
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OrgRegistration)) == 1
