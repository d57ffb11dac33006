"""The main pages of every role pass axe-core's WCAG 2 A and AA rules in Chromium with no
violation of impact "serious" or "critical": the public board, a challenge, sign-in, the
certificate check, each role's dashboard, a bid form, the ranking table, a project, its
acceptance, the review queue and panel, the subject search and the inbox. A failure lists
each rule, the elements it found and the page.

axe-core comes with the axe-playwright-python package (its own copy of the engine), run in
the page as it is after the page's own scripts.
"""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
ADMIN, OFFICER, ENTERPRISE = "admin@demo.cn", "officer@demo.cn", "enterprise@demo.cn"
TEAM, DRAFTING_TEAM, REVIEWER = "applicant@demo.cn", "applicant2@demo.cn", "reviewer@demo.cn"


def _demo_ids() -> dict:
    """Addresses of the demo data: the open challenge, a draft bid, the active project and the
    accepted one (whose challenge has its ranking), a certificate number."""
    import sqlalchemy as sa

    from grants.bids.models import Bid, BidState
    from grants.certificates.models import Certificate
    from grants.challenges.models import Challenge, ChallengeState
    from grants.extensions import db
    from grants.projects.models import Project, ProjectState

    def one(query):
        found = db.session.scalars(query.limit(1)).first()
        assert found is not None, f"the demo data has no {query}"
        return found

    accepted = one(sa.select(Project).where(Project.state == ProjectState.accepted))
    return {
        "challenge": one(sa.select(Challenge).where(Challenge.state == ChallengeState.published)).id,
        "draft_bid": one(sa.select(Bid).where(Bid.state == BidState.draft)).id,
        "project": one(sa.select(Project).where(Project.state == ProjectState.active)).id,
        "accepted": accepted.id,
        "ranked": accepted.challenge_id,
        "certificate": one(sa.select(Certificate)).number,
    }


def pages(ids: dict) -> dict[str | None, list[str]]:
    """Each role's pages (None: an anonymous visitor)."""
    return {
        None: ["/challenges/", f"/challenges/{ids['challenge']}", "/login", "/verify",
               f"/verify/{ids['certificate']}", "/notices", "/library", "/stats"],
        OFFICER: ["/dashboard", f"/reviews/challenges/{ids['ranked']}/table", f"/reviews/challenges/{ids['ranked']}",
                  f"/projects/{ids['project']}", f"/projects/{ids['project']}/milestones",
                  f"/acceptance/projects/{ids['accepted']}", "/integrity/subjects?q=%E5%85%AC%E5%8F%B8",
                  "/inbox"],
        ENTERPRISE: ["/dashboard", f"/challenges/{ids['challenge']}"],
        TEAM: ["/dashboard", f"/projects/{ids['project']}"],
        DRAFTING_TEAM: ["/dashboard", f"/bids/{ids['draft_bid']}/edit"],
        REVIEWER: ["/dashboard", "/reviews/mine", "/inbox"],
        ADMIN: ["/dashboard"],
    }


def violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG},
                                       "resultTypes": ["violations"]})
    found = []
    for rule in results.response["violations"]:
        if rule["impact"] not in BLOCKING:
            continue
        for node in rule["nodes"]:
            found.append(f"{page.url}: {rule['id']} ({rule['impact']}) {rule['help']} — "
                         f"{' '.join(node['target'])}{_measured(node)}")
    return found


def _measured(node) -> str:
    """What axe measured, when it says (a contrast: the colours and the ratio)."""
    for check in node.get("any", []) + node.get("all", []) + node.get("none", []):
        data = check.get("data")
        if isinstance(data, dict) and "contrastRatio" in data:
            return (f" [{data.get('fgColor')} on {data.get('bgColor')}: {data.get('contrastRatio')}, "
                    f"needs {data.get('expectedContrastRatio')}]")
    return ""


def test_the_main_pages_of_every_role_have_no_serious_accessibility_violation(site):
    ids = site.query(_demo_ids)
    found: list[str] = []
    for email, paths in pages(ids).items():
        with site.signed_in(email) as page:
            for path in paths:
                response = page.goto(path)
                assert response is not None and response.status == 200, f"{path}: {response and response.status}"
                found += violations(page)
    assert not found, "serious accessibility violations:\n" + "\n".join(found)
