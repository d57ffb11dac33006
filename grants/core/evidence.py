"""An audit event's evidence in words, for the history table: a list of lines.

Evidence is stored as JSON (what an integrity check found, what a draw drew,
what an edit changed). Pages show it as lines a programme officer can read:
the integrity check as who was checked and what was found, other keys under
their names, codes kept only where they identify someone (ID numbers, credit
codes), which is why only the bureau sees this column.

Evidence leaves the server in one form only, :func:`shown_evidence`: the
bureau (``core.see_evidence``) sees it whole; anyone else (a team reading the
answer to its own submit, a history in the API) sees every personal ID number
in it masked the way the bid page masks them (``440305********5074``).
"""
from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from grants.core import permissions
from grants.core.codes import id_number_error, mask_id_number

# 17 digits and a check character; a candidate is masked only if it is a valid
# resident ID number (check character and birth date), so credit codes stay.
ID_NUMBER = re.compile(r"(?<![0-9A-Z])\d{17}[\dXx](?![0-9A-Z])")

KEY_LABELS = {
    "source": _l("Source"), "list": _l("List"), "code": _l("Code"), "basis": _l("Basis"),
    "touched": _l("Live work affected"), "entry_id": _l("Integrity entry no."), "files": _l("Files"),
    "winners": _l("Winners proposed"), "notice": _l("Public notice"), "round": _l("Round"), "ends_at": _l("Ends"),
    "before": _l("Before"), "after": _l("After"), "challenge_id": _l("Challenge no."),
    "reviewer_id": _l("Reviewer no."), "drawn": _l("Drawn"), "seed": _l("Seed"), "size": _l("Size"),
    "candidates": _l("Candidates"), "scores": _l("Scores"), "opinion": _l("Opinion"),
    "objection_id": _l("Objection no."), "partner": _l("Partner"), "name": _l("Name"), "kind": _l("Kind"),
    "credit_code": _l("Credit code"), "email": _l("Email"), "role": _l("Role"), "own": _l("Own"),
    "public": _l("Public"), "bid_id": _l("Bid no."), "score": _l("Score"),
    "rank": _l("Rank"), "title": _l("Title"), "user": _l("User"), "hint": _l("Token"),
    "lead": _l("Team lead"), "members": _l("Team members"), "partners": _l("Partner organisations"),
    "declaration": _l("Declaration"), "field": _l("Field"), "problem": _l("Technical problem"),
    "max_winners": _l("Winners at most"), "pass_mark": _l("Pass mark"), "deadline_at": _l("Bidding deadline"),
    "duration_months": _l("Project duration (months)"), "blind_review": _l("Blind review"),
    "notice_days": _l("Public notice period (days)"), "indicators": _l("Required indicators"),
    "rubric": _l("Scoring rubric"), "requested": _l("Budget requested"), "equipment": _l("equipment"),
    "materials": _l("materials"), "personnel": _l("personnel"), "other": _l("other"),
    "own_cofunding": _l("Own co-funding"), "budget": _l("Budget offered"),
    "enterprise_cofunding": _l("Enterprise co-funding"), "award": _l("Award"),
    "original_filename": _l("File name"), "stored_name": _l("Stored as"), "sha256": _l("SHA-256"),
    "file_name": _l("File name"), "rows": _l("Rows"), "added": _l("Added"),
    "already_present": _l("Already present"), "skipped_invalid": _l("Skipped as invalid"),
    "black_in_force_added": _l("Black entries in force added"), "effects_applied": _l("Effects applied"),
    "method": _l("Method"), "checked_on": _l("Checked on"), "type": _l("Type"),
}
VALUE_LABELS = {
    "black": _l("black list"), "red": _l("red list"), "organization": _l("Organisation"),
    "person": _l("Person"), "lead": _l("team lead"), "member": _l("team member"), "partner": _l("partner"),
    "owner": _l("challenge owner"), "winner": _l("winner"), "reviewer": _l("reviewer"),
}


def _mask_match(match: re.Match) -> str:
    code = match.group(0).upper()
    return mask_id_number(code) if id_number_error(code) is None else match.group(0)


def masked(value: Any) -> Any:
    """``value`` (JSON: dicts, lists, strings, numbers) with every personal ID number masked."""
    if isinstance(value, str):
        return ID_NUMBER.sub(_mask_match, value)
    if isinstance(value, dict):
        return {key: masked(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [masked(item) for item in value]
    return value


def shown_evidence(evidence: Any, user: Any = permissions.CURRENT) -> Any:
    """Evidence as ``user`` (default: who asks) may see it: whole for the bureau, else masked."""
    if evidence is None or permissions.can("core.see_evidence", user=user):
        return evidence
    return masked(evidence)


def evidence_lines(evidence) -> list[str]:
    """Readable lines for an event's evidence (empty for none)."""
    if not evidence:
        return []
    if not isinstance(evidence, dict):
        return [_value(evidence)]
    lines = []
    for key, value in evidence.items():
        if key == "integrity" and isinstance(value, dict):
            lines += integrity_lines(value)
        else:
            lines.append(_item(key, value))
    return lines


def _item(key, value) -> str:
    """"Label: value"; amounts kept in fen (``*_fen``) read in yuan."""
    key = str(key)
    if key.endswith("_fen") and isinstance(value, int) and not isinstance(value, bool):
        return f"{_key(key[:-4])}: ¥{value / 100:,.2f}"
    return f"{_key(key)}: {_value(value)}"


def integrity_lines(found: dict) -> list[str]:
    """What an integrity check (``CheckResult.evidence()``) looked at and found."""
    subjects = found.get("subjects") or []
    lines = [_("Integrity check on %(day)s of %(n)s parties:", day=found.get("checked_on", "—"), n=len(subjects))]
    lines += [_subject_line(s) for s in subjects]
    names = {s.get("code"): s.get("name") for s in subjects}
    hits = [("black", f) for f in found.get("black") or []] + [("red", f) for f in found.get("red") or []]
    lines += [_hit_line(kind, f, names) for kind, f in hits]
    if not hits:
        lines.append(_("Nothing found on the black or red lists."))
    return lines


def _subject_line(subject: dict) -> str:
    return _("%(role)s: %(name)s (%(code)s)", role=_value(subject.get("role")),
             name=subject.get("name") or "—", code=subject.get("code") or "—")


def _hit_line(kind: str, found: dict, names: dict) -> str:
    until = _("until %(day)s", day=found["end_on"]) if found.get("end_on") else _("indefinitely")
    return _("On the %(list)s: %(name)s (%(code)s), basis %(basis)s, %(until)s",
             list=_value(kind), name=names.get(found.get("code")) or "—", code=found.get("code") or "—",
             basis=found.get("basis") or "—", until=until)


def _key(key) -> str:
    label = KEY_LABELS.get(key)
    return str(label) if label is not None else str(key).replace("_", " ").capitalize()


def _value(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        return "; ".join(_item(k, v) for k, v in value.items()) or "—"
    if isinstance(value, (list, tuple)):
        return ", ".join(f"({_value(v)})" if isinstance(v, dict) else _value(v) for v in value) or "—"
    label = VALUE_LABELS.get(value) if isinstance(value, str) else None
    return str(label) if label is not None else str(value)
