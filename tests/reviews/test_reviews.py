"""Scoring a bid: drafts, one submission, locking, reopening, bad input, and
what a reviewer of a blind challenge sees."""
import io

import pytest
from pypdf import PdfReader, PdfWriter

from grants.bids import services as bid_services
from grants.core.errors import NotFound, Refused, ValidationFailed
from grants.core.workflow import fire
from grants.extensions import db
from grants.reviews import services
from grants.reviews.models import AssignmentState, ReviewState
from tests.reviews.helpers import accepted_panel, reviewing, score_all, to_review


def _form(challenge, value=80, comment="方案可行", opinion="recommend", action="save", **override):
    data = {"action": action, "opinion": opinion}
    for c in challenge.rubric:
        data[f"score_{c.id}"] = str(value)
        data[f"comment_{c.id}"] = comment
    data.update(override)
    return data


def test_a_review_is_saved_as_draft_then_submitted_once_and_locked(make, login, client):
    challenge, officer, bids = reviewing(make)
    [assignment] = accepted_panel(make, challenge, officer, n=1)
    reviewer = assignment.reviewer
    login(reviewer)
    url = f"/reviews/assignments/{assignment.id}/bids/{bids[0].id}"
    first = challenge.rubric[0]
    response = client.post(url, data=_form(challenge, **{f"score_{first.id}": ""}), follow_redirects=True)
    assert "草稿已保存" in response.get_data(as_text=True)
    review = services.review_of(assignment, bids[0])
    assert review.state == ReviewState.draft and len(review.scores) == len(challenge.rubric) - 1

    response = client.post(url, data=_form(challenge, action="submit", **{f"score_{first.id}": ""}),
                           follow_redirects=True)
    assert "提交前请为每项指标打分" in response.get_data(as_text=True)
    db.session.refresh(review)
    assert review.state == ReviewState.draft

    response = client.post(url, data=_form(challenge, action="submit"), follow_redirects=True)
    assert "评审意见已提交" in response.get_data(as_text=True)
    db.session.refresh(review)
    assert review.state == ReviewState.submitted and review.submitted_at is not None

    response = client.post(url, data=_form(challenge, value=10, action="submit"), follow_redirects=True)
    assert "已提交并锁定" in response.get_data(as_text=True)
    db.session.refresh(review)
    assert {s.score for s in review.scores} == {80}

    # the officer reopens that one review with a reason; the reviewer changes it
    with pytest.raises(Refused, match="须填写理由"):
        fire(review, "reopen", officer)
    fire(review, "reopen", officer, comment="评分与评语不一致，请复核")
    db.session.commit()
    response = client.post(url, data=_form(challenge, value=70, action="submit"), follow_redirects=True)
    db.session.refresh(review)
    assert review.state == ReviewState.submitted and {s.score for s in review.scores} == {70}


@pytest.mark.parametrize("value, message", [
    ("101", "分数必须是 0 到 100 的整数"),
    ("-1", "分数必须是 0 到 100 的整数"),
    ("7.5", "分数必须是 0 到 100 的整数"),
    ("abc", "分数必须是 0 到 100 的整数"),
])
def test_a_score_outside_0_to_100_is_refused_and_nothing_saved(make, value, message):
    challenge, officer, bids = reviewing(make)
    [assignment] = accepted_panel(make, challenge, officer, n=1)
    scores = {c.id: (80, "好") for c in challenge.rubric}
    scores[challenge.rubric[0].id] = (value, "好")
    with pytest.raises(ValidationFailed, match=message):
        services.save_review(assignment, bids[0], actor=assignment.reviewer, scores=scores, opinion="recommend")
    db.session.rollback()
    assert services.review_of(assignment, bids[0]) is None


def test_submitting_needs_every_comment_and_an_opinion(make):
    challenge, officer, bids = reviewing(make)
    [assignment] = accepted_panel(make, challenge, officer, n=1)
    scores = {c.id: (80, "") for c in challenge.rubric}
    with pytest.raises(Refused, match="提交前请为每项指标填写评语"):
        services.save_review(assignment, bids[0], actor=assignment.reviewer, scores=scores, submit=True,
                             opinion="recommend")
    db.session.rollback()
    scores = {c.id: (80, "好") for c in challenge.rubric}
    with pytest.raises(Refused, match="提交前请给出总体意见"):
        services.save_review(assignment, bids[0], actor=assignment.reviewer, scores=scores, submit=True)


def test_scoring_needs_an_accepted_assignment(make):
    challenge, officer, bids = reviewing(make)
    reviewer = make.reviewer()
    assignment = services.assign_reviewer(challenge, reviewer, actor=officer)
    with pytest.raises(Refused, match="请先接受评审任务"):
        score_all(assignment, bids[0], 80)


def test_a_reviewer_opening_a_bid_not_assigned_to_them_gets_404(make, login, client):
    challenge, officer, bids = reviewing(make)
    [assignment] = accepted_panel(make, challenge, officer, n=1)
    other_challenge, other_officer, other_bids = reviewing(make)
    [other_assignment] = accepted_panel(make, other_challenge, other_officer, n=1)
    login(assignment.reviewer)
    assert client.get(f"/reviews/assignments/{assignment.id}/bids/{bids[0].id}").status_code == 200
    assert client.get(f"/reviews/assignments/{assignment.id}/bids/{other_bids[0].id}").status_code == 404
    assert client.get(f"/reviews/assignments/{other_assignment.id}/bids/{other_bids[0].id}").status_code == 404
    with pytest.raises(NotFound):
        services.save_review(other_assignment, other_bids[0], actor=assignment.reviewer, scores={})


def test_the_last_submitted_review_completes_the_assignment(make):
    challenge, officer, bids = reviewing(make, n_bids=2)
    [assignment] = accepted_panel(make, challenge, officer, n=1)
    score_all(assignment, bids[0], 80)
    assert assignment.state == AssignmentState.accepted
    score_all(assignment, bids[1], 70)
    assert assignment.state == AssignmentState.submitted and assignment.submitted_at is not None
    review = services.review_of(assignment, bids[0])
    fire(review, "reopen", officer, comment="请复核")
    assert assignment.state == AssignmentState.accepted


def _pdf(author: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Author": author, "/Title": f"{author}的揭榜方案"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _blind_challenge_with_attachment(make):
    officer = make.user("officer")
    challenge = make.challenge(officer=officer, blind_review=True)
    org = make.org("西北理工大学", kind="university")
    user = make.user("applicant", org=org)
    from tests.factories import bid_data, id_number

    bid = bid_services.create_bid(challenge, actor=user, data=bid_data(
        challenge, lead={"name": "张卫国", "id_number": id_number()},
        members=[{"name": "李建华", "id_number": id_number(), "role": "骨干"}]))
    bid_services.add_attachment(bid, actor=user, stream=io.BytesIO(_pdf("张卫国")),
                                filename="西北理工大学-张卫国-技术方案.pdf")
    db.session.commit()
    fire(bid, "submit", user)
    db.session.commit()
    to_review(make, challenge, officer, [bid])
    [assignment] = accepted_panel(make, challenge, officer, n=1)
    return challenge, bid, assignment


def test_blind_review_pages_carry_no_identifying_string_of_the_bidder(make, login, client):
    challenge, bid, assignment = _blind_challenge_with_attachment(make)
    login(assignment.reviewer)
    pages = [client.get(f"/reviews/assignments/{assignment.id}").get_data(as_text=True),
             client.get(f"/reviews/assignments/{assignment.id}/bids/{bid.id}").get_data(as_text=True)]
    identifying = ["西北理工大学", "张卫国", "李建华", bid.organization.credit_code, "技术方案.pdf"]
    for html in pages:
        for text in identifying:
            assert text not in html, text
    assert "附件1.pdf" in pages[1] and "盲评" in pages[1]
    assert bid.technical_approach in pages[1]

    response = client.get(f"/reviews/assignments/{assignment.id}/bids/{bid.id}/files/1")
    assert response.status_code == 200
    assert "%E9%99%84%E4%BB%B61.pdf" in response.headers["Content-Disposition"]  # 附件1.pdf
    metadata = PdfReader(io.BytesIO(response.data)).metadata
    assert not metadata or "张卫国" not in str(dict(metadata))
    assert "张卫国".encode("utf-16-be") not in response.data
    assert client.get(f"/reviews/assignments/{assignment.id}/bids/{bid.id}/files/2").status_code == 404


def test_open_review_pages_show_the_team(make, login, client):
    challenge, officer, bids = reviewing(make, blind_review=False)
    [assignment] = accepted_panel(make, challenge, officer, n=1)
    login(assignment.reviewer)
    html = client.get(f"/reviews/assignments/{assignment.id}/bids/{bids[0].id}").get_data(as_text=True)
    assert bids[0].organization.name in html and bids[0].lead.name in html
