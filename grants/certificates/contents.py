"""What a certificate says, as plain values (strings, numbers, lists, dicts).

The PDF template sees nothing else (no model objects), and the same values
are kept on the certificate row, so the page, the API and the verification
page show exactly what was printed.
"""
from __future__ import annotations

from datetime import datetime

from babel.dates import format_date
from flask import current_app

from grants.core import clock

NUMBER_PREFIX = "XN-JB"


def format_number(year: int, sequence: int) -> str:
    """``XN-JB-<year>-<sequence>``: the sequence has at least four digits."""
    return f"{NUMBER_PREFIX}-{year}-{sequence:04d}"


def verify_url(number: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/verify/{number}"


def yuan_text(fen: int) -> str:
    return f"¥{fen / 100:,.2f}"


def funds_released_fen(project) -> int:
    """The funds released to the project so far: its released tranches, as the
    project's funding page shows them (never the award, which may not all be paid)."""
    from grants.projects.services import funding_summary

    return int(funding_summary(project)["released_fen"])


def indicator_rows(project, reached: dict[int, str]) -> list[dict]:
    """One row per indicator of the awarded bid: the challenge's name, unit and
    target, the value promised in the bid, and the value reached (keyed by the
    challenge indicator's id; given by the acceptance step)."""
    rows = []
    for promise in sorted(project.bid.indicators, key=lambda i: (i.challenge_indicator.position,
                                                                  i.challenge_indicator_id)):
        indicator = promise.challenge_indicator
        rows.append({"id": indicator.id, "name": indicator.name, "unit": indicator.unit or "",
                     "target": indicator.target_value, "promised": promise.promised_value,
                     "reached": reached.get(indicator.id, ""), "binding": bool(indicator.binding)})
    return rows


def certificate_contents(project, *, number: str, conclusion: str, reached: dict[int, str],
                         issued_at: datetime, signer: str) -> dict:
    local = clock.to_local(issued_at)
    released = funds_released_fen(project)
    return {
        "number": number,
        "issuer": current_app.config["CERT_ISSUER_NAME"],
        "project_id": project.id,
        "project_title": project.title,
        "challenge_title": project.challenge.title,
        "enterprise": project.challenge.owner_org.name,
        "organization": project.lead_org.name,
        "lead_name": project.lead_person.name if project.lead_person else "",
        "award_fen": project.award_fen,
        "award": yuan_text(project.award_fen),
        "released_fen": released,
        "released": yuan_text(released),
        "indicators": indicator_rows(project, reached),
        "conclusion": conclusion,
        "issued_at": local.isoformat(timespec="seconds"),
        "issued_on": format_date(local.date(), "long", locale="zh_CN"),
        "signed_at": local.strftime("%Y-%m-%d %H:%M"),
        "signer": signer,
        "verify_url": verify_url(number),
    }
