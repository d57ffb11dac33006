import pytest

from grants.core.workflow import fire
from grants.extensions import db
from grants.registration import services
from tests.registration.helpers import org_form, outbox, pdf


@pytest.fixture
def approved_org(make):
    """``approved_org(**form)``: a registration approved by an officer; returns it."""

    def build(**overrides):
        with outbox() as sent:
            reg = services.register_organisation(org_form(**overrides), licence=pdf())
            services.confirm_email(sent.token())
        fire(reg, "approve", make.user("officer"))
        db.session.commit()
        return reg

    return build
