"""Readable builders for test data: ``make.org(kind="university")``.

Builders commit: inside a test that only releases a SAVEPOINT (the outer
transaction is still rolled back at the end), and it keeps the data when a
request under test rolls its own work back.
"""
from __future__ import annotations

import itertools
import random

from grants.auth import services
from grants.core.codes import complete_credit_code, complete_id_number
from grants.extensions import db

_seq = itertools.count(1)


def credit_code(n: int | None = None) -> str:
    n = next(_seq) if n is None else n
    return complete_credit_code(f"91610100MA{n:07d}")


def id_number(n: int | None = None, birth: str = "19800101") -> str:
    n = next(_seq) if n is None else n
    return complete_id_number(f"{610102 + n // 1000:06d}{birth}{n % 1000:03d}")


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


def _reviewer(self, fields=("smart_manufacturing",), org=None, title="教授", available=True, name=None):
    """A reviewer account with a profile in the expert pool."""
    from grants.reviews.services import save_reviewer_profile

    user = self.user("reviewer", org=org, name=name)
    save_reviewer_profile(user, fields=list(fields), title=title, available=available)
    db.session.commit()
    return user


Factories.reviewer = _reviewer
