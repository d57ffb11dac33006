"""``flask demo generate``: synthetic data at scale, loaded in bulk, that the app can show."""
import sqlalchemy as sa

from grants.auth.models import Organization, Person
from grants.bids.models import Bid
from grants.challenges.models import Challenge
from grants.core import audit
from grants.core.codes import credit_code_error, id_number_error
from grants.core.models import AuditEvent
from grants.extensions import db
from grants.integrity.models import IntegrityEntry


def test_generated_data_has_valid_codes_a_valid_chain_and_shows_on_the_board(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "generate", "--scale", "0.001"])
    assert result.exit_code == 0, result.output
    assert "officer@bench.example" in result.output

    assert db.session.scalar(sa.select(sa.func.count(Challenge.id))) == 20
    assert db.session.scalar(sa.select(sa.func.count(Bid.id))) == 250
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 1000
    states = set(db.session.scalars(sa.select(Challenge.state).distinct()))
    assert {"published", "reviewing", "awarded"} <= {str(s) for s in states}
    for code in db.session.scalars(sa.select(Organization.credit_code)):
        assert credit_code_error(code) is None, code
    for number in db.session.scalars(sa.select(Person.id_number).limit(300)):
        assert id_number_error(number) is None, number
    for code, kind in db.session.execute(sa.select(IntegrityEntry.subject_code, IntegrityEntry.subject_type)):
        assert (id_number_error(code) if kind == "person" else credit_code_error(code)) is None, code

    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "1000 events checked" in result.output, result.output
    assert "the chain still holds the signed head" in result.output, result.output
    assert "object states agree with their last recorded events" in result.output, result.output
    awarded = db.session.scalar(sa.select(Challenge).where(Challenge.state == "awarded").limit(1))
    steps = [(e.action, e.to_state) for e in audit.history(awarded) if e.to_state]
    assert steps[-2:] == [("propose_award", "notice"), ("confirm_award", "awarded")]

    page = client.get("/challenges/")
    assert page.status_code == 200
    published = db.session.scalar(sa.select(Challenge.title).where(Challenge.state == "published").limit(1))
    assert published in page.get_data(as_text=True)


def test_a_scale_out_of_range_is_refused_in_words(app):
    result = app.test_cli_runner().invoke(args=["demo", "generate", "--scale", "0"])
    assert result.exit_code == 2 and "--scale" in result.output
    assert db.session.scalar(sa.select(sa.func.count(Challenge.id))) == 0
