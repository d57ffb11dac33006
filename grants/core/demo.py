"""Demo data for a first look: one account per role and a few organisations."""
from __future__ import annotations

import click
import sqlalchemy as sa

from grants.auth import services
from grants.auth.models import User
from grants.core.codes import complete_credit_code, complete_id_number
from grants.extensions import db

DEMO_PASSWORD = "demo-lotus-river"

ORGS = [
    ("bureau", "市科学技术局", "other", "11610100MB0000001"),
    ("enterprise", "秦川智能装备有限公司", "enterprise", "91610100MA6T00001"),
    ("university", "西北理工大学", "university", "12610000435200001"),
    ("institute", "长安新材料研究院", "institute", "52610100MJ0000001"),
    ("enterprise2", "渭水生物医药股份有限公司", "enterprise", "91610104MA6U00002"),
]

USERS = [
    ("admin@demo.cn", "系统管理员", "admin", "bureau", None),
    ("officer@demo.cn", "王主任", "officer", "bureau", None),
    ("enterprise@demo.cn", "李经理", "enterprise", "enterprise", None),
    ("applicant@demo.cn", "张教授", "applicant", "university", "61010219750312001"),
    ("applicant2@demo.cn", "赵研究员", "applicant", "institute", "61010319800521002"),
    ("reviewer@demo.cn", "陈专家", "reviewer", None, "61011319680101003"),
]

# Areas add their own demo data after the accounts exist: fn(orgs, users).
EXTRA_SEEDERS: list = []


def seed() -> None:
    if db.session.scalar(sa.select(sa.func.count(User.id))):
        click.echo("Demo data already present; nothing added.")
        _print_accounts()
        return
    orgs = {}
    for key, name, kind, body in ORGS:
        orgs[key] = services.create_organization(name=name, kind=kind, credit_code=complete_credit_code(body))
    users = {}
    for email, name, role, org_key, id_body in USERS:
        users[email] = services.create_user(
            email=email, display_name=name, password=DEMO_PASSWORD, role=role,
            organization=orgs.get(org_key) if org_key else None,
            id_number=complete_id_number(id_body) if id_body else None,
        )
    for extra in EXTRA_SEEDERS:
        extra(orgs, users)
    db.session.commit()
    click.echo("Demo data created.")
    _print_accounts()


def _print_accounts() -> None:
    click.echo("Demo accounts (password for all: %s):" % DEMO_PASSWORD)
    for email, name, role, _org, _id in USERS:
        click.echo(f"  {role:<11} {email:<22} {name}")
