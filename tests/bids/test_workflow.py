import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from grants.bids import services
from grants.bids.models import Bid, BidState
from grants.core import audit, clock
from grants.core.errors import Forbidden, Refused, ValidationFailed
from grants.core.workflow import fire
from grants.extensions import db
from tests.factories import bid_data, id_number, pdf_bytes


def test_a_complete_bid_is_submitted(make):
    challenge = make.challenge()
    bid = make.bid(challenge)
    assert bid.state == BidState.submitted
    assert bid.submitted_at == clock.now()


def test_a_draft_can_be_incomplete_but_submit_checks_everything(make):
    challenge = make.challenge()
    user = make.user("applicant")
    bid = services.create_bid(challenge, actor=user, data={"title": "初稿"})
    assert bid.state == BidState.draft
    with pytest.raises(Refused) as exc:
        fire(bid, "submit", user)
    assert "申报内容不完整" in str(exc.value)


def test_a_bid_one_second_after_the_deadline_is_refused(make):
    challenge = make.challenge()
    user = make.user("applicant")
    bid = services.create_bid(challenge, actor=user, data=bid_data(challenge))
    clock.set_now(challenge.deadline_at - timedelta(seconds=1))
    fire(bid, "submit", user)
    assert bid.state == BidState.submitted

    late_user = make.user("applicant")
    clock.set_now(challenge.deadline_at - timedelta(seconds=2))
    late = services.create_bid(challenge, actor=late_user, data=bid_data(challenge))
    clock.set_now(challenge.deadline_at + timedelta(seconds=1))
    with pytest.raises(Refused) as exc:
        fire(late, "submit", late_user)
    assert "揭榜截止时间（2026-04-01 10:00:00）已过，不再接受申报。" in str(exc.value)


def test_a_second_bid_from_the_same_organisation_is_refused(make):
    challenge = make.challenge()
    first = make.bid(challenge)
    colleague = make.user("applicant", org=first.organization)
    with pytest.raises(Refused) as exc:
        services.create_bid(challenge, actor=colleague, data={})
    assert "已对该榜单申报" in str(exc.value)


def test_the_database_holds_one_live_bid_per_organisation(make):
    challenge = make.challenge()
    first = make.bid(challenge)
    db.session.add(Bid(challenge=challenge, organization=first.organization, title="x"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_after_withdrawing_an_organisation_may_bid_again(make):
    challenge = make.challenge()
    first = make.bid(challenge)
    team = make.user("applicant", org=first.organization)
    fire(first, "withdraw", team)
    db.session.commit()
    again = make.bid(challenge, user=team)
    assert again.state == BidState.submitted


def test_withdraw_only_before_the_deadline(make):
    challenge = make.challenge()
    bid = make.bid(challenge)
    team = make.user("applicant", org=bid.organization)
    clock.set_now(challenge.deadline_at)
    with pytest.raises(Refused) as exc:
        fire(bid, "withdraw", team)
    assert "不能再撤回" in str(exc.value)


@pytest.mark.parametrize("who", ["lead", "organization", "member", "partner"])
def test_a_black_listed_party_cannot_submit(make, who):
    challenge = make.challenge()
    org = make.org(kind="university")
    user = make.user("applicant", org=org)
    partner_org = make.org(kind="institute")
    partner_user = make.user("applicant", org=partner_org)
    members = [{"name": "钱七", "id_number": id_number(), "role": "算法"}]
    bid = services.create_bid(challenge, actor=user, data=bid_data(
        challenge, members=members, partners=[partner_org.credit_code]))
    services.confirm_partner(bid, actor=partner_user)
    db.session.commit()
    target = {"lead": user.person, "organization": org, "member": bid.members[0].person,
              "partner": partner_org}[who]
    make.black(target, end_on=clock.today() + timedelta(days=365))
    with pytest.raises(Refused) as exc:
        fire(bid, "submit", user)
    assert f"{target.name} 在科研诚信黑名单中" in str(exc.value)
    assert "不得提交揭榜申报" in str(exc.value)
    assert bid.state == BidState.draft


def test_budget_above_the_offer_and_a_breakdown_that_does_not_add_up(make):
    challenge = make.challenge(budget_fen=100_000_00)
    user = make.user("applicant")
    with pytest.raises(ValidationFailed) as exc:
        services.create_bid(challenge, actor=user, data=bid_data(challenge, requested_fen=100_000_01))
    assert "高于榜单的支持金额" in exc.value.details["requested_fen"]
    assert db.session.scalar(sa.select(sa.func.count(Bid.id))) == 0
    bid = services.create_bid(challenge, actor=user, data={})
    with pytest.raises(ValidationFailed) as exc:
        services.update_bid(bid, actor=user, data={"requested_fen": 90_000_00, "equipment_fen": 10_000_00})
    assert "经费明细合计为 ¥10,000，与申请的 ¥90,000 不符。" == exc.value.details["breakdown"]


def test_own_cofunding_must_reach_the_ratio(make):
    challenge = make.challenge()
    enterprise = make.org(kind="enterprise")
    user = make.user("applicant", org=enterprise)
    bid = services.create_bid(challenge, actor=user, data=bid_data(
        challenge, requested_fen=100_000_00, own_cofunding_fen=150_000_00))
    with pytest.raises(Refused) as exc:
        fire(bid, "submit", user)
    assert "2:1" in str(exc.value) and "¥200,000" in str(exc.value)
    services.update_bid(bid, actor=user, data={"own_cofunding_fen": 200_000_00})
    fire(bid, "submit", user)
    assert bid.state == BidState.submitted


def test_a_university_needs_one_to_one_and_an_override_applies(make):
    challenge = make.challenge()
    bid = make.bid(challenge, submit=False, requested_fen=100_000_00, own_cofunding_fen=100_000_00)
    user = make.user("applicant", org=bid.organization)
    challenge.cofund_own, challenge.cofund_public = 3, 1
    with pytest.raises(Refused) as exc:
        fire(bid, "submit", user)
    assert "3:1" in str(exc.value)
    challenge.cofund_own = challenge.cofund_public = None
    fire(bid, "submit", user)
    assert bid.state == BidState.submitted


def test_partners_must_confirm_and_at_most_five(make):
    challenge = make.challenge()
    user = make.user("applicant")
    partners = [make.org(kind="institute") for _ in range(6)]
    with pytest.raises(ValidationFailed) as exc:
        services.create_bid(challenge, actor=user, data=bid_data(
            challenge, partners=[p.credit_code for p in partners]))
    assert "最多五家合作单位" in str(exc.value)
    bid = services.create_bid(challenge, actor=user, data=bid_data(
        challenge, partners=[partners[0].credit_code]))
    with pytest.raises(Refused) as exc:
        fire(bid, "submit", user)
    assert "尚未确认参与" in str(exc.value) and partners[0].name in str(exc.value)
    with pytest.raises(Forbidden):
        services.confirm_partner(bid, actor=make.user("applicant"))
    services.confirm_partner(bid, actor=make.user("applicant", org=partners[0]))
    fire(bid, "submit", user)
    assert bid.state == BidState.submitted


def test_declaration_must_be_confirmed(make):
    challenge = make.challenge()
    bid = make.bid(challenge, submit=False, declaration=False)
    user = make.user("applicant", org=bid.organization)
    with pytest.raises(Refused) as exc:
        fire(bid, "submit", user)
    assert "尚未确认承诺声明" in str(exc.value)


def test_attachments_are_pdf_by_content_and_at_most_20_mb(make, app):
    challenge = make.challenge()
    bid = make.bid(challenge, submit=False)
    user = make.user("applicant", org=bid.organization)
    with pytest.raises(ValidationFailed) as exc:
        services.add_attachment(bid, actor=user, stream=io.BytesIO(b"PK\x03\x04 zip"), filename="方案.pdf")
    assert "方案.pdf 不是 PDF 文件" in str(exc.value)
    with pytest.raises(ValidationFailed) as exc:
        services.add_attachment(bid, actor=user, stream=io.BytesIO(b"%PDF-" + b"0" * (21 * 1024 * 1024)),
                                filename="big.pdf")
    assert "超过 20 MB" in str(exc.value)
    att = services.add_attachment(bid, actor=user, stream=io.BytesIO(pdf_bytes("hello")), filename="../x/方案.pdf")
    assert att.original_filename == "方案.pdf" and att.size == len(pdf_bytes("hello")) and len(att.sha256) == 64
    assert att.stored_name.endswith(".pdf") and "方案" not in att.stored_name


def test_eligibility_check_accept_and_reject(make):
    challenge = make.challenge()
    good, bad = make.bid(challenge), make.bid(challenge)
    officer = make.user("officer")
    with pytest.raises(Refused) as exc:
        fire(good, "accept", officer)
    assert "截止揭榜后" in str(exc.value)
    clock.set_now(challenge.deadline_at)
    fire(challenge, "close_bidding", officer)
    fire(good, "accept", officer)
    with pytest.raises(Refused):
        fire(bad, "reject", officer)
    fire(bad, "reject", officer, comment="缺少合作协议")
    assert (good.state, bad.state) == (BidState.eligible, BidState.ineligible)
    assert bad.rejection_reason == "缺少合作协议"


def test_accept_is_refused_for_a_party_black_listed_after_submitting(make):
    challenge = make.challenge()
    bid = make.bid(challenge)
    make.black(bid.organization)
    db.session.refresh(bid)
    clock.set_now(challenge.deadline_at)
    officer = make.user("officer")
    fire(challenge, "close_bidding", officer)
    with pytest.raises(Refused) as exc:
        fire(bid, "accept", officer)
    assert "不得通过形式审查" in str(exc.value)


def test_a_new_black_entry_flags_live_bids(make):
    challenge = make.challenge()
    bid = make.bid(challenge, members=[{"name": "孙八", "id_number": id_number(), "role": "测试"}])
    draft = make.bid(make.challenge(), org=bid.organization, submit=False)
    entry = make.black(bid.members[0].person)
    db.session.refresh(bid)
    db.session.refresh(draft)
    assert bid.integrity_flag_entry_id == entry.id and bid.integrity_flagged_at is not None
    assert draft.integrity_flagged_at is None
    flagged = [e for e in audit.history(bid) if e.action == "integrity_flag"]
    assert flagged and flagged[0].evidence["entry_id"] == entry.id


@pytest.mark.postgres
def test_two_colleagues_starting_bids_at_once_get_one(app, make):
    """Two requests of one organisation race; the unique index lets one bid in."""
    import threading

    challenge = make.challenge()
    org = make.org(kind="university")
    users = [make.user("applicant", org=org) for _ in range(2)]
    db.session.commit()
    ids = [(u.id) for u in users]
    challenge_id = challenge.id
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(user_id):
        from grants.auth.models import User
        from grants.challenges.models import Challenge

        with app.app_context():
            user = db.session.get(User, user_id)
            target = db.session.get(Challenge, challenge_id)
            barrier.wait()
            try:
                services.create_bid(target, actor=user, data={"title": "并发"})
                db.session.commit()
                outcomes.append("ok")
            except Refused as exc:
                db.session.rollback()
                outcomes.append(str(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 2 and outcomes.count("ok") == 1
    assert "只能申报一次" in next(o for o in outcomes if o != "ok")
    assert db.session.scalar(sa.select(sa.func.count(Bid.id)).where(Bid.challenge_id == challenge_id)) == 1


def test_an_imported_black_list_flags_live_bids_of_its_subjects(make):
    from grants.integrity.imports import import_entries
    from tests.factories import integrity_csv, integrity_row

    challenge = make.challenge()
    bid = make.bid(challenge, members=[{"name": "周九", "id_number": id_number(), "role": "测试"}])
    bystander = make.bid(challenge)
    rows = [integrity_row(bid.members[0].person, start_on="2026-01-01")]
    rows += [integrity_row() for _ in range(30)]  # organisations with no live work
    import_entries(integrity_csv(rows), file_name="list.csv")
    db.session.commit()
    db.session.refresh(bid)
    db.session.refresh(bystander)
    assert bid.integrity_flagged_at is not None
    assert bystander.integrity_flagged_at is None


def test_live_codes_names_only_parties_to_live_bids(make):
    from grants.bids.services import codes_in_live_bids

    challenge = make.challenge()
    bid = make.bid(challenge)
    draft = make.bid(make.challenge(), submit=False)
    assert codes_in_live_bids("organization", {bid.organization.credit_code, draft.organization.credit_code}) \
        == {bid.organization.credit_code}
    assert codes_in_live_bids("person", {bid.lead.id_number, draft.lead.id_number}) == {bid.lead.id_number}


def test_withdrawing_a_published_challenge_closes_its_unfinished_bids(make):
    challenge = make.challenge()
    submitted = make.bid(challenge)
    draft = make.bid(challenge, submit=False)
    officer = make.user("officer")
    fire(challenge, "withdraw", officer, comment="企业需求变化")
    db.session.refresh(submitted)
    db.session.refresh(draft)
    assert submitted.state == BidState.withdrawn and draft.state == BidState.withdrawn
    closed = audit.history(submitted)[-1]
    assert closed.action == "close_with_challenge" and "企业需求变化" in closed.comment


def test_an_upload_rolled_back_leaves_no_file_behind(app, make):
    import io
    from pathlib import Path

    from grants.bids import services as bid_services

    challenge = make.challenge()
    bid = make.bid(challenge, submit=False)
    folder = Path(app.config["UPLOAD_FOLDER"])
    before = set(folder.glob("*.pdf")) if folder.exists() else set()
    bid_services.add_attachment(bid, actor=bid.created_by, stream=io.BytesIO(pdf_bytes("test")),
                                filename="plan.pdf")
    written = set(folder.glob("*.pdf")) - before
    assert len(written) == 1
    db.session.rollback()
    assert not any(p.exists() for p in written)
    bid_services.add_attachment(bid, actor=bid.created_by, stream=io.BytesIO(pdf_bytes("kept")),
                                filename="plan.pdf")
    db.session.commit()
    kept = set(folder.glob("*.pdf")) - before
    assert len(kept) == 1 and all(p.exists() for p in kept)
