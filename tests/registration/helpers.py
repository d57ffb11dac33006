"""Registration test helpers: PDFs, the e-mails sent, forms filled in, approvals."""
from __future__ import annotations

import io
import re
from contextlib import contextmanager

import sqlalchemy as sa

from grants.extensions import db
from grants.registration.mail import email_sent
from grants.registration.models import ExpertApplication, OneTimeLink, OrgRegistration, RegistrationFile
from tests.factories import credit_code, id_number, pdf_bytes

PDF = pdf_bytes("licence")  # uploads are parsed: a real PDF


def pdf(name: str = "licence.pdf", data: bytes = PDF):
    return (io.BytesIO(data), name)


class Outbox(list):
    """The e-mails sent while it listens."""

    def links(self, to: str | None = None) -> list[str]:
        return [m for mail in self if to in (None, mail["to"])
                for m in re.findall(r"https?://\S+", mail["body"])]

    def token(self, to: str | None = None) -> str:
        return self.links(to)[-1].rstrip("/").rsplit("/", 1)[-1]


@contextmanager
def outbox():
    sent = Outbox()

    def listen(_app, **mail):
        sent.append(mail)

    email_sent.connect(listen)
    try:
        yield sent
    finally:
        email_sent.disconnect(listen)


def org_form(**overrides) -> dict:
    data = {"name": "秦川智造有限公司", "kind": "enterprise", "credit_code": credit_code(),
            "address": "西安市高新区科技路 1 号", "contact_name": "王敏", "contact_email": "wangmin@qinchuan.cn",
            "contact_mobile": "13800138000", "contact_id_number": "", "password": "secret-pass-1"}
    data.update(overrides)
    return data


def expert_form(**overrides) -> dict:
    data = {"name": "李华", "email": "lihua@nwpu.edu.cn", "mobile": "13900139000", "id_number": id_number(),
            "password": "secret-pass-2", "title": "教授", "fields": ["smart_manufacturing", "new_materials"],
            "employer_code": "", "employer_name": "西北某大学", "years": "15"}
    data.update(overrides)
    return data


def counts() -> dict:
    """How many rows registration has made: to show nothing was half-created."""
    from grants.auth.models import Organization, User

    return {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (OrgRegistration, ExpertApplication, RegistrationFile, OneTimeLink, Organization, User)}
