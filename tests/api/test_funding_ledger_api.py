"""The funding ledger and contributions through the API, checked against the OpenAPI
document: a release refused by the co-funding ratio, then allowed after a contribution."""
from io import BytesIO

from grants.core import clock
from grants.extensions import db
from grants.projects import reports
from tests.api.documented import documented_api as api  # noqa: F401
from tests.api.helpers import error_of
from tests.projects.helpers import approve_report, signed
from tests.factories import pdf_bytes


def test_the_ledger_and_a_release_held_to_the_ratio(api, make):
    parties = signed(make)
    project = parties.project
    pid = project.id
    officer, team = api(make.token(parties.officer)), api(make.token(parties.team))
    signing, for_first, _ = project.tranches
    assert officer.post(f"/tranches/{signing.id}/transitions/release", {}).status_code == 200
    reports.submit_report(project.milestones[0], actor=parties.team, text="样机完成")
    approve_report(project.milestones[0], parties.officer)
    db.session.commit()
    refused = officer.post(f"/tranches/{for_first.id}/transitions/release", {})
    assert refused.status_code == 409 and "请先登记合计至少" in error_of(refused)["message"]

    owner = api(make.token(parties.owner))
    today = clock.today().isoformat()
    assert owner.post(f"/projects/{pid}/contributions", data={
        "source": "own", "amount_fen": "1", "paid_on": today}).status_code == 403
    bad = team.post(f"/projects/{pid}/contributions", data={"source": "own", "amount_fen": "0", "paid_on": today})
    assert bad.status_code == 422
    recorded = team.post(f"/projects/{pid}/contributions", data={
        "source": "own", "amount_fen": str(signing.amount_fen + for_first.amount_fen), "paid_on": today,
        "note": "自筹到账", "proof": (BytesIO(pdf_bytes("proof")), "凭证.pdf")})
    assert recorded.status_code == 201, recorded.get_json()
    assert recorded.get_json()["contributions"][0]["proof_filename"] == "凭证.pdf"
    assert officer.post(f"/tranches/{for_first.id}/transitions/release", {}).status_code == 200
    ledger = team.get(f"/projects/{pid}/funding-ledger").get_json()
    actual = {row["source"]: row["actual_fen"] for row in ledger["sources"]}
    assert actual == {"bureau": signing.amount_fen + for_first.amount_fen, "enterprise": 0,
                      "own": signing.amount_fen + for_first.amount_fen}
    assert (ledger["ratio_own"], ledger["ratio_public"]) == (1, 1)
    stranger = api(make.token(make.user("applicant")))
    assert stranger.get(f"/projects/{pid}/funding-ledger").status_code == 404
