"""Telegram's limits counted as Telegram counts them (hardening item 16).

Message text (4096) and captions (1024) are counted in UTF-16 code units: an emoji outside the Basic
Multilingual Plane is two. Callback data (64) is counted in bytes of UTF-8. One module,
``sinawai.common.text_limits``, does the counting for every check; the emulator's own counter agrees with it.
"""

from __future__ import annotations

import pytest

from local_stack import telegram_markup
from sinawai.common import text_limits
from sinawai.common.text_limits import (
    MAX_CALLBACK_DATA_BYTES,
    MAX_CAPTION_UTF16,
    MAX_MESSAGE_UTF16,
    callback_data_fits,
    cut_utf16,
    utf16_len,
)
from sinawai.information import announcements
from sinawai.information.announcements import Announcement


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("", 0),
        ("abc", 3),
        ("é", 1),
        ("😀", 2),
        ("😀" * 2100, 4200),
        ("🇮🇩", 4),
        ("👍🏽", 4),
        ("𝟗", 2),
        ("ب", 1),
    ],
)
def test_utf16_len_counts_what_telegram_counts(text: str, units: int) -> None:
    assert utf16_len(text) == units
    assert telegram_markup.utf16_len(text) == units


def test_the_limits_are_telegrams() -> None:
    assert (MAX_MESSAGE_UTF16, MAX_CAPTION_UTF16, MAX_CALLBACK_DATA_BYTES) == (4096, 1024, 64)


def test_cut_utf16_keeps_what_fits_and_marks_the_cut() -> None:
    assert cut_utf16("pendek", 10) == "pendek"
    cut = cut_utf16("😀" * 2100, 4096)
    assert utf16_len(cut) <= 4096
    assert cut.endswith("…")
    assert cut[:-1] == "😀" * (len(cut) - 1)  # never half an emoji
    assert cut_utf16("a😀", 2) == "a…"  # "a😀" is 3 units
    assert cut_utf16("😀a", 2) == "…"  # never half an emoji
    assert utf16_len(cut_utf16("a" * 5000, 4096)) == 4096


def test_callback_data_is_counted_in_utf8_bytes() -> None:
    assert callback_data_fits("x" * 64)
    assert not callback_data_fits("x" * 65)
    assert not callback_data_fits("é" * 33)  # 66 bytes, 33 characters
    assert not callback_data_fits("")


def test_an_announcement_body_is_refused_over_its_limit_in_utf16_units() -> None:
    assert announcements.body_problem("Apel pagi Senin pukul 07.30 WIB.") is None
    problem = announcements.body_problem("😀" * 2100)
    assert problem is not None
    assert "4.200" in problem
    assert f"{announcements.MAX_BODY_UTF16:,}".replace(",", ".") in problem
    assert announcements.body_problem("😀" * 1500) is None  # 3,000 units: just fits


def test_a_broadcast_of_an_over_long_stored_announcement_still_fits_one_message() -> None:
    from datetime import UTC, datetime

    item = Announcement(1, "😀" * 2100 + " &amp; ok", None, -1, datetime.now(UTC), None)
    text = announcements.broadcast_text(item)
    assert utf16_len(text_limits.visible_text(text)) <= MAX_MESSAGE_UTF16
    assert "&amp" not in text.replace("&amp;", "")  # an entity is never cut in half
