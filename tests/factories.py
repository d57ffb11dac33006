"""Readable builders for test data: ``make.org(kind="university")``.

Builders commit: inside a test that only releases a SAVEPOINT (the outer
transaction is still rolled back at the end), and it keeps the data when a
request under test rolls its own work back.
"""
from __future__ import annotations

import functools
import io
import itertools
import random

import pikepdf

from grants.auth import services
from grants.core.codes import complete_credit_code, complete_id_number
from grants.extensions import db

_seq = itertools.count(1)


def rows(name: str, *items: dict) -> dict:
    """The posted fields of a structured editor's rows (``<name>-<i>-<field>``); a yes/no box
    that is False is left out, as a browser leaves out an unticked box."""
    return {f"{name}-{i}-{key}": ("y" if value is True else value)
            for i, item in enumerate(items) for key, value in item.items() if value is not False}


def credit_code(n: int | None = None) -> str:
    n = next(_seq) if n is None else n
    return complete_credit_code(f"91610100MA{n:07d}")


def id_number(n: int | None = None, birth: str = "19800101") -> str:
    n = next(_seq) if n is None else n
    return complete_id_number(f"{610102 + n // 1000:06d}{birth}{n % 1000:03d}")


@functools.lru_cache(maxsize=64)
def pdf_bytes(text: str = "document") -> bytes:
    """A real one-page PDF (uploads are parsed); ``text`` is drawn on the page."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    safe = text.encode("ascii", "replace").replace(b"(", b"[").replace(b")", b"]")
    pdf.pages[0].obj.Contents = pdf.make_stream(b"BT 20 100 Td (" + safe + b") Tj ET")
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()


class Factories:
    def org(self, name: str | None = None, kind: str = "enterprise", code: str | None = None):
        n = next(_seq)
        org = services.create_organization(name=name or f"Org {n}", kind=kind,
                                           credit_code=code or credit_code(n))
        db.session.commit()
        return org

    def user(self, role: str = "applicant", org=None, email: str | None = None,
             password: str = "password123", name: str | None = None, id_number_: str | None = None):
        n = next(_seq)
        if org is None and role in ("enterprise", "applicant"):
            org = self.org(kind="enterprise" if role == "enterprise" else "university")
        if id_number_ is None and role in ("applicant", "reviewer"):
            id_number_ = id_number(n)
        user = services.create_user(email=email or f"{role}{n}@example.cn",
                                    display_name=name or f"{role.title()} {n}", password=password,
                                    role=role, organization=org, id_number=id_number_)
        db.session.commit()
        return user

    def black(self, subject, **kwargs):
        return black_list(subject, **kwargs)

    def red(self, subject, **kwargs):
        return black_list(subject, list_kind="red", **kwargs)

    def person(self, name: str | None = None, org=None):
        n = next(_seq)
        person = services.ensure_person(name=name or f"Person {n}", id_number=id_number(n), organization=org)
        db.session.commit()
        return person


def random_credit_code(rng: random.Random) -> str:
    from grants.core.codes import CREDIT_ALPHABET

    body = (rng.choice(CREDIT_ALPHABET) + rng.choice(CREDIT_ALPHABET)
            + "".join(rng.choice("0123456789") for _ in range(6))
            + "".join(rng.choice(CREDIT_ALPHABET) for _ in range(9)))
    return complete_credit_code(body)


def black_list(subject, *, start_on=None, end_on=None, list_kind="black", basis=None, actor=None):
    """List an Organization or Person (or a (type, code, name) tuple); commits."""
    from grants.core import clock
    from grants.integrity import services as integrity

    if isinstance(subject, tuple):
        subject_type, code, name = subject
    elif hasattr(subject, "credit_code"):
        subject_type, code, name = "organization", subject.credit_code, subject.name
    else:
        subject_type, code, name = "person", subject.id_number, subject.name
    entry = integrity.add_entry(
        actor=actor, list_kind=list_kind, subject_type=subject_type, code=code, name=name,
        reason="科研不端行为", basis=basis or f"咸科技发〔2026〕{next(_seq)}号", authority="市科学技术局",
        start_on=start_on or clock.today(), end_on=end_on)
    db.session.commit()
    return entry


def _api_token(self, user, days: int = 90, name: str | None = None) -> str:
    """A personal API token for ``user``; returns the secret to send as Bearer."""
    from grants.api.services import create_token

    _token, secret = create_token(user, name=name, days=days, actor=user)
    db.session.commit()
    return secret


Factories.token = _api_token


INTEGRITY_HEADER = "list,subject_type,code,name,reason,basis,authority,start_on,end_on"


def integrity_csv(rows, header: str = INTEGRITY_HEADER, encoding: str = "utf-8") -> bytes:
    """A list-import CSV from rows of 9 values (a row given as a str is written as is)."""
    import csv
    import io

    out = io.StringIO()
    out.write(header + "\n")
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        if isinstance(row, str):
            out.write(row + "\n")
        else:
            writer.writerow(row)
    return out.getvalue().encode(encoding)


def integrity_row(subject=None, *, list_kind="black", start_on="2026-01-01", end_on="2027-12-31",
                  basis=None, reason="科研不端行为", name=None):
    """One CSV row; ``subject`` is an Organization, a Person, or None for a fresh organisation code."""
    if subject is None:
        subject_type, code, name = "organization", credit_code(), name or "某科技有限公司"
    elif hasattr(subject, "credit_code"):
        subject_type, code, name = "organization", subject.credit_code, name or subject.name
    else:
        subject_type, code, name = "person", subject.id_number, name or subject.name
    return [list_kind, subject_type, code, name, reason, basis or f"咸科技发〔2026〕{next(_seq)}号",
            "市科学技术局", start_on, end_on]


# challenges and bids ---------------------------------------------------------------

def challenge_data(**overrides) -> dict:
    """A complete challenge draft: bidding closes 30 days after the test clock's now."""
    from datetime import timedelta

    from grants.core import clock

    data = {
        "title": "高精度伺服电机控制算法", "field": "smart_manufacturing",
        "problem": "现有伺服系统定位精度不足，需研发新一代控制算法。",
        "budget_fen": 500_000_00, "enterprise_cofunding_fen": 200_000_00, "max_winners": 1,
        "pass_mark": 60, "deadline_at": clock.now() + timedelta(days=30), "duration_months": 24,
        "blind_review": False, "notice_days": 5,
        "indicators": [{"name": "定位精度", "target_value": "0.5", "unit": "μm", "binding": True},
                       {"name": "响应时间", "target_value": "2", "unit": "ms", "binding": False}],
    }
    data.update(overrides)
    return data


def bid_data(challenge, **overrides) -> dict:
    """A complete bid for ``challenge``: 400k requested (1:1 co-funded), one milestone."""
    requested = overrides.pop("requested_fen", 400_000_00)
    data = {
        "title": f"{challenge.title} 揭榜方案", "technical_approach": "采用自适应鲁棒控制与模型预测控制相结合的方法。",
        "requested_fen": requested, "equipment_fen": requested // 2, "materials_fen": requested // 4,
        "personnel_fen": requested // 4, "other_fen": requested - requested // 2 - 2 * (requested // 4),
        "own_cofunding_fen": requested * 2,
        "indicators": {ci.id: ci.target_value for ci in challenge.indicators},
        "milestones": [{"title": "样机研制", "month": 12, "deliverable": "样机一台"}],
        "declaration": True,
    }
    data.update(overrides)
    return data


def _challenge(self, owner_org=None, state: str = "published", owner=None, officer=None, **fields):
    """A challenge driven through the real transitions up to ``state``.

    ``state="closed"`` moves the clock one second past the deadline.
    """
    from datetime import timedelta

    from grants.challenges import services as challenges
    from grants.core import clock
    from grants.core.workflow import fire

    owner = owner or self.user("enterprise", org=owner_org)
    challenge = challenges.create_challenge(actor=owner, data=challenge_data(**fields))
    db.session.commit()
    if state == "draft":
        return challenge
    fire(challenge, "submit", owner)
    db.session.commit()
    if state == "submitted":
        return challenge
    officer = officer or self.user("officer")
    fire(challenge, "publish", officer)
    db.session.commit()
    if state == "published":
        return challenge
    clock.set_now(challenge.deadline_at + timedelta(seconds=1))
    fire(challenge, "close_bidding", None)
    db.session.commit()
    if state == "closed":
        return challenge
    raise ValueError(f"make.challenge cannot reach {state!r} yet")


def _bid(self, challenge, org=None, submit: bool = True, user=None, **fields):
    """A complete bid by a team of ``org`` (a new university by default), submitted if asked."""
    from grants.bids import services as bids
    from grants.core.workflow import fire

    user = user or self.user("applicant", org=org)
    bid = bids.create_bid(challenge, actor=user, data=bid_data(challenge, **fields))
    db.session.commit()
    if submit:
        fire(bid, "submit", user)
        db.session.commit()
    return bid


Factories.challenge = _challenge
Factories.bid = _bid


def _reviewer(self, fields=("smart_manufacturing",), org=None, title="教授", available=True, name=None):
    """A reviewer account with a profile in the expert pool."""
    from grants.reviews.profiles import save_reviewer_profile

    user = self.user("reviewer", org=org, name=name)
    save_reviewer_profile(user, fields=list(fields), title=title, available=available)
    db.session.commit()
    return user


Factories.reviewer = _reviewer
