"""Validation of Chinese identifiers.

* Unified social credit code (统一社会信用代码), GB 32100-2015.
* Resident identity card number (居民身份证号码), GB 11643-1999.

The check characters come from python-stdnum (``stdnum.cn.uscc``,
``stdnum.cn.ric``); the format checks stay ours, because we name the
problem in words and accept what stdnum refuses: letters in a credit code's
two registration characters, and ID numbers from area codes not in its table.
Each validator returns ``None`` when the value is valid, otherwise a
lazily translated message naming the problem.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

from grants.core import clock

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z


def normalize_code(value: str | None) -> str:
    return (value or "").strip().upper()


def credit_code_check_char(body: str) -> str:
    """The check character of a 17-character credit-code body."""
    return uscc.calc_check_digit(body)


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
    """The check character of a 17-digit ID-number body."""
    return ric.calc_check_digit(body + "0")  # stdnum expects a place for the check character


def id_number_error(value: str | None):
    code = normalize_code(value)
    if not code:
        return _l("is required")
    if len(code) != 18:
        return _l("must be 18 characters (got %(n)s)", n=len(code))
    if not code[:17].isdigit() or not (code[17].isdigit() or code[17] == "X"):
        return _l("must be 17 digits followed by a digit or X")
    try:
        birth = ric.get_birth_date(code)
    except ValidationError:
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
