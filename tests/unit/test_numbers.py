"""Numbers typed by users or carried in button data: ASCII digits only, bounded (hardening item 15).

``str.isdigit()`` is true for "²", "٣" and "１２"; ``int("²")`` raises, ``int("٣")`` is 3. One helper,
``sinawai.common.numbers.parse_int``, reads every number that comes from outside; these are its rules.
"""

from __future__ import annotations

from datetime import date

import pytest

from sinawai.common.numbers import MAX_INT64, parse_int
from sinawai.common.working_hours import WorkingHours, WorkingHoursError
from sinawai.report.period import PeriodError, parse_period


@pytest.mark.parametrize(("text", "value"), [("0", 0), ("7", 7), ("0012", 12), (str(MAX_INT64), MAX_INT64)])
def test_parse_int_reads_ascii_digits(text: str, value: int) -> None:
    assert parse_int(text) == value


@pytest.mark.parametrize(
    "text",
    [
        "",
        "²",  # superscript two: isdigit() is true, int() raises
        "٣",  # Arabic-Indic three: int() reads 3
        "１２",  # fullwidth
        "𝟗",  # mathematical bold nine
        "1²",
        "-1",
        "+1",
        " 1",
        "1 ",
        "1\n",
        "1_000",
        "1.0",
        "0x10",
        str(MAX_INT64 + 1),  # past a signed 64-bit column
        "9" * 4000,  # never handed to int(): no ValueError for too many digits either
        None,
    ],
)
def test_parse_int_refuses_anything_else(text: str | None) -> None:
    assert parse_int(text) is None


def test_parse_int_bounds_the_value() -> None:
    assert parse_int("5", maximum=5) == 5
    assert parse_int("6", maximum=5) is None
    assert parse_int("0", minimum=1) is None


def test_laporan_with_unicode_digits_asks_for_the_format() -> None:
    for typed in ("²⁰²⁶-¹¹-⁰¹", "٢٠٢٦-١١-٠١"):
        with pytest.raises(PeriodError, match="Gunakan format TTTT-BB-HH"):
            parse_period([typed], date(2026, 11, 28))


def test_working_hours_with_unicode_digits_are_refused_as_not_hh_mm() -> None:
    with pytest.raises(WorkingHoursError, match="is not HH:MM"):
        WorkingHours.from_spec("mon ²7:30-16:00")
