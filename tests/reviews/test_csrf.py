"""Review and award forms are guarded by the application-wide CSRF protection."""
import re

from grants.challenges.models import ChallengeState
from grants.extensions import db
from tests.reviews.test_award import scored


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_review_and_award_forms_without_the_token_are_refused(make, login, client, app):
    challenge, officer, bids, panel = scored(make, [85, 75])
    login(officer)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        posts = [(f"/reviews/challenges/{challenge.id}/propose", {"winners": bids[0].id}),
                 (f"/reviews/challenges/{challenge.id}/fire/declare_failed", {"comment": "无人达标"}),
                 (f"/reviews/challenges/{challenge.id}/draw", {"size": 1}),
                 (f"/reviews/assignments/{panel[0].id}/withdraw", {"comment": "回避"})]
        for url, data in posts:
            response = client.post(url, data={**data, "version": challenge.version})
            assert response.status_code == 400, url
            assert "安全令牌" in response.get_data(as_text=True)
        db.session.refresh(challenge)
        assert challenge.state == ChallengeState.reviewing

        table = client.get(f"/reviews/challenges/{challenge.id}/table").get_data(as_text=True)
        response = client.post(f"/reviews/challenges/{challenge.id}/propose",
                               data={"winners": bids[0].id, "version": challenge.version, "csrf_token": _token(table)})
        assert response.status_code == 302
        db.session.refresh(challenge)
        assert challenge.state == ChallengeState.notice
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
