"""How values read on a page: one mark for "nothing here", units written once."""
from __future__ import annotations

EMPTY = "—"


def or_empty(value) -> str:
    """The value as text, or the empty mark for None or blank."""
    if value is None:
        return EMPTY
    text = str(value).strip()
    return text or EMPTY


def with_unit(value, unit) -> str:
    """``value`` followed by ``unit``, unless the value already ends with it ("≥12 min", "≤0.8%")."""
    text = "" if value is None else str(value).strip()
    if not text:
        return EMPTY
    unit = (unit or "").strip()
    if not unit or text.endswith(unit):
        return text
    return f"{text}{unit}" if unit in ("%", "‰", "°") else f"{text} {unit}"


def joined(*parts, sep: str = " · ") -> str:
    """Non-empty parts joined, so a missing one leaves no doubled separator."""
    return sep.join(str(p).strip() for p in parts if p is not None and str(p).strip())
