"""Unified social credit codes (GB 32100-2015) and resident ID numbers (GB 11643-1999)."""
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grants.auth import services
from grants.core.codes import (
    CREDIT_ALPHABET,
    complete_credit_code,
    complete_id_number,
    credit_code_error,
    id_number_error,
)
from grants.core.errors import ValidationFailed

credit_bodies = st.builds(
    lambda reg, area, org: reg + area + org,
    st.text(CREDIT_ALPHABET, min_size=2, max_size=2),
    st.text("0123456789", min_size=6, max_size=6),
    st.text(CREDIT_ALPHABET, min_size=9, max_size=9),
)

id_bodies = st.builds(
    lambda area, birth, seq: f"{area:06d}{birth:%Y%m%d}{seq:03d}",
    st.integers(110000, 659999),
    st.dates(min_value=__import__("datetime").date(1900, 1, 1),
             max_value=__import__("datetime").date(2020, 12, 31)),
    st.integers(0, 999),
)


def test_known_real_world_credit_code_is_valid():
    # A published code (Tencent's Shenzhen company).
    assert credit_code_error("91440300708461136T") is None


@settings(max_examples=300, deadline=None)
@given(credit_bodies)
def test_generated_credit_codes_are_valid(body):
    assert credit_code_error(complete_credit_code(body)) is None


@settings(max_examples=100, deadline=None)
@given(credit_bodies, st.data())
def test_every_single_character_corruption_of_a_credit_code_is_caught(body, data):
    code = complete_credit_code(body)
    pos = data.draw(st.integers(0, 17))
    replacement = data.draw(st.sampled_from([c for c in CREDIT_ALPHABET + "IOSVZ" if c != code[pos]]))
    corrupted = code[:pos] + replacement + code[pos + 1:]
    assert credit_code_error(corrupted) is not None


def test_each_position_and_each_wrong_character_is_caught_exhaustively():
    code = complete_credit_code("91610100MA6T00001")
    for pos in range(18):
        for ch in CREDIT_ALPHABET + "IOSVZ":
            if ch != code[pos]:
                assert credit_code_error(code[:pos] + ch + code[pos + 1:]) is not None, (pos, ch)


@pytest.mark.parametrize("value, message", [
    ("", "为必填项"),
    ("91610100MA6T0000", "应为 18 位（实际 16 位）"),
    ("91610100MA6T0000I1", "不使用字母 I、O、S、V、Z"),
    ("9161A100MA6T00001X", "6 位行政区划码"),
])
def test_bad_credit_codes_are_refused_with_the_problem(value, message):
    assert message in str(credit_code_error(value))


def test_credit_code_with_letter_registration_chars_is_accepted():
    # Authority codes such as A (other) and N (agricultural) start some codes.
    assert credit_code_error(complete_credit_code("N2610100MJ0000001")) is None
    assert credit_code_error(complete_credit_code("Y1610100MJ0000001")) is None


@settings(max_examples=300, deadline=None)
@given(id_bodies)
def test_generated_id_numbers_are_valid(body):
    assert id_number_error(complete_id_number(body)) is None


@settings(max_examples=100, deadline=None)
@given(id_bodies, st.data())
def test_every_single_character_corruption_of_an_id_number_is_caught(body, data):
    code = complete_id_number(body)
    pos = data.draw(st.integers(0, 17))
    replacement = data.draw(st.sampled_from([c for c in string.digits + "X" if c != code[pos]]))
    corrupted = code[:pos] + replacement + code[pos + 1:]
    assert id_number_error(corrupted) is not None


@pytest.mark.parametrize("value, message", [
    ("11010519491231002", "应为 18 位（实际 17 位）"),
    ("11010519491231002A", "17 位数字加 1 位数字或 X"),
    ("110105194902300020", "出生日期 19490230 不是有效日期"),
    ("110105194912310021", "校验码不正确"),
])
def test_bad_id_numbers_are_refused_with_the_problem(value, message):
    assert message in str(id_number_error(value))


def test_unknown_area_code_is_not_refused():
    assert id_number_error(complete_id_number("99999919800101001")) is None


def test_lowercase_x_is_accepted():
    code = "11010519491231002X"
    assert id_number_error(code) is None
    assert id_number_error(code.lower()) is None


def test_service_names_the_field_in_chinese(app):
    with app.test_request_context():
        with pytest.raises(ValidationFailed) as refused:
            services.check_credit_code("91610100MA6T000010")
    assert str(refused.value).startswith("统一社会信用代码")
    assert "校验码不正确" in str(refused.value)
