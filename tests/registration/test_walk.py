"""Done means: a new enterprise goes from the public registration form to posting its
first challenge, and the only people involved are the enterprise and the bureau."""
import re

import sqlalchemy as sa

from grants.auth.models import User
from grants.challenges.models import Challenge, ChallengeState
from grants.core.models import AuditEvent
from grants.extensions import db
from tests.challenges.test_pages import anonymous, form_for, signed_in
from tests.registration.helpers import org_form, outbox, pdf


def test_a_new_enterprise_registers_and_posts_its_first_challenge_without_an_administrator(app, make):
    officer = make.user("officer")
    visitor = anonymous(app)
    assert 'href="/register/organisation"' in visitor.get("/challenges/").get_data(as_text=True)
    form = org_form(name="渭河新材料股份有限公司", contact_email="boss@weihe.cn", password="weihe-pass-1")
    with outbox() as sent:
        response = visitor.post("/register/organisation", data={**form, "licence": pdf()},
                                content_type="multipart/form-data")
    assert "确认链接已发送到 boss@weihe.cn" in response.get_data(as_text=True)
    visitor.post(f"/register/confirm/{sent.token()}")

    bureau = signed_in(app, officer)
    queue = bureau.get("/register/").get_data(as_text=True)
    assert "渭河新材料股份有限公司" in queue
    reg_id = int(queue.split('/register/organisations/')[1].split('"')[0])
    page = bureau.get(f"/register/organisations/{reg_id}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    done = bureau.post(f"/register/organisations/{reg_id}/approve", data={"version": version}, follow_redirects=True)
    assert "已完成：通过" in done.get_data(as_text=True)

    enterprise = anonymous(app)
    response = enterprise.post("/login", data={"email": "boss@weihe.cn", "password": "weihe-pass-1"})
    assert response.status_code == 302
    assert "发布榜单" in enterprise.get("/challenges/").get_data(as_text=True)
    response = enterprise.post("/challenges/new", data=form_for(title="高强度轻量化合金材料"))
    assert response.status_code == 302, response.get_data(as_text=True)
    challenge = db.session.scalar(sa.select(Challenge).where(Challenge.title == "高强度轻量化合金材料"))
    assert challenge.owner_org.name == "渭河新材料股份有限公司"
    enterprise.post(f"/challenges/{challenge.id}/do/submit", data={"version": challenge.version})
    db.session.refresh(challenge)
    assert challenge.state == ChallengeState.submitted
    bureau.post(f"/challenges/{challenge.id}/do/publish", data={"version": challenge.version})
    db.session.refresh(challenge)
    assert challenge.state == ChallengeState.published
    assert "高强度轻量化合金材料" in anonymous(app).get("/challenges/").get_data(as_text=True)

    actors = set(db.session.scalars(sa.select(AuditEvent.actor_id).where(AuditEvent.actor_id.is_not(None))))
    roles = {db.session.get(User, i).role.value for i in actors}
    assert roles == {"officer", "enterprise"}  # nobody else acted
