"""Validation of Chinese identifiers.

* Unified social credit code (统一社会信用代码), GB 32100-2015.
* Resident identity card number (居民身份证号码), GB 11643-1999.

Each validator returns ``None`` when the value is valid, otherwise a
lazily translated message naming the problem.
"""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from grants.core import clock

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def normalize_code(value: str | None) -> str:
    return (value or "").strip().upper()


def credit_code_check_char(body: str) -> str:
    total = sum(CREDIT_ALPHABET.index(ch) * w for ch, w in zip(body, CREDIT_WEIGHTS))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def credit_code_error(value: str | None):
    code = normalize_code(value)
    if not code:
        return _l("is required")
    if len(code) != 18:
        return _l("must be 18 characters (got %(n)s)", n=len(code))
    bad = sorted({ch for ch in code if ch not in CREDIT_ALPHABET})
    if bad:
        return _l(
            "contains characters not allowed in a credit code: %(chars)s "
            "(letters I, O, S, V, Z are never used)",
            chars=" ".join(bad),
        )
    if not code[2:8].isdigit():
        return _l("characters 3 to 8 must be the 6-digit area code")
    if credit_code_check_char(code[:17]) != code[17]:
        return _l("check character is wrong (the code has a typo)")
    return None


def id_number_check_char(body: str) -> str:
    return ID_CHECK[sum(int(ch) * w for ch, w in zip(body, ID_WEIGHTS)) % 11]


def id_number_error(value: str | None):
    code = normalize_code(value)
    if not code:
        return _l("is required")
    if len(code) != 18:
        return _l("must be 18 characters (got %(n)s)", n=len(code))
    if not code[:17].isdigit() or not (code[17].isdigit() or code[17] == "X"):
        return _l("must be 17 digits followed by a digit or X")
    try:
        birth = date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        return _l("birth date %(d)s is not a real date", d=code[6:14])
    if birth.year < 1900 or birth > clock.today():
        return _l("birth date %(d)s is out of range", d=code[6:14])
    if id_number_check_char(code[:17]) != code[17]:
        return _l("check character is wrong (the number has a typo)")
    return None


def mask_id_number(value: str) -> str:
    """Show area and check char only: 610102********123X style."""
    if len(value) != 18:
        return "*" * len(value)
    return value[:6] + "*" * 8 + value[14:]


def complete_credit_code(body: str) -> str:
    """Append the check character to a 17-character credit-code body."""
    return body + credit_code_check_char(body)


def complete_id_number(body: str) -> str:
    """Append the check character to a 17-digit ID-number body."""
    return body + id_number_check_char(body)
