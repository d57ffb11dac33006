from datetime import date, timedelta

import pytest

from grants.core import clock
from grants.integrity.check import check, org_subject, person_subject


def test_black_entry_in_force_blocks_with_subject_basis_and_end_date(make):
    org = make.org(name="黑名单单位")
    make.black(org, basis="咸科技发〔2021〕1号", end_on=date(2027, 3, 1))
    result = check([org_subject(org, "lead_org")])
    assert result.blocked
    message = result.message("申报")
    assert "单位 黑名单单位" in message and "咸科技发〔2021〕1号" in message
    assert "至 2027-03-01" in message and "不得申报" in message
    assert result.evidence()["black"][0]["role"] == "lead_org"


def test_matching_is_by_code_not_by_name(make):
    listed = make.org(name="同名公司")
    namesake = make.org(name="同名公司")
    make.black(listed)
    assert check([org_subject(namesake)]).blocked is False
    assert check([org_subject(listed)]).blocked is True


def test_entry_no_longer_blocks_the_day_after_it_ends(make):
    person = make.person()
    end = clock.today() + timedelta(days=10)
    make.black(person, end_on=end)
    assert check([person_subject(person)], on=end).blocked
    assert not check([person_subject(person)], on=end + timedelta(days=1)).blocked


def test_entry_does_not_block_before_it_starts(make):
    person = make.person()
    make.black(person, start_on=clock.today() + timedelta(days=1))
    assert not check([person_subject(person)]).blocked


def test_revoked_entry_no_longer_blocks(make):
    from grants.integrity.services import revoke_entry

    org = make.org()
    entry = make.black(org)
    revoke_entry(entry, actor=None, reason="复核撤销")
    assert not check([org_subject(org)]).blocked


def test_red_entries_are_reported_separately(make):
    org = make.org()
    make.red(org)
    result = check([org_subject(org)])
    assert not result.blocked and len(result.red) == 1


def test_check_uses_one_query_however_long_the_lists(make, app):
    import sqlalchemy as sa

    from grants.extensions import db

    org = make.org()
    people = [make.person() for _ in range(5)]
    for p in people[:3]:
        make.black(p)
    subjects = [org_subject(org)] + [person_subject(p) for p in people]
    counter = []
    listen = lambda *a, **k: counter.append(1)  # noqa: E731
    conn = db.session.connection()
    sa.event.listen(conn, "before_cursor_execute", listen)
    try:
        result = check(subjects)
    finally:
        sa.event.remove(conn, "before_cursor_execute", listen)
    assert len(result.black) == 3
    assert len(counter) == 1
