"""/blokir N [jam] and /bukablokir N: what the admin may type (issue 15, item 8); and /umumkan ubah N TEKS."""

from __future__ import annotations

import pytest

from sinawai.consultation.blocks import DEFAULT_HOURS, MAX_HOURS, BlockRequest, parse_block, parse_unblock
from sinawai.information.announcements import EditRequest, is_edit, parse_edit


def test_blokir_without_hours_lasts_a_day() -> None:
    assert parse_block(["12"]) == BlockRequest("12", DEFAULT_HOURS)
    assert DEFAULT_HOURS == 24


def test_blokir_takes_the_hours_and_a_leading_hash() -> None:
    assert parse_block(["#12", "48"]) == BlockRequest("12", 48)
    assert parse_block(["12", str(MAX_HOURS)]) == BlockRequest("12", 720)


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["12", "0"],
        ["12", "721"],
        ["12", "dua"],
        ["12", "-5"],
        ["12", "²"],
        ["12", "١٢"],
        ["12", "5", "jam"],
    ],
)
def test_bad_blokir_arguments_are_refused(args: list[str]) -> None:
    assert parse_block(args) is None


def test_bukablokir_takes_exactly_one_ticket() -> None:
    assert parse_unblock(["#7"]) == "7"
    assert parse_unblock([]) is None
    assert parse_unblock(["7", "8"]) is None


def test_umumkan_ubah_reads_the_number_and_the_new_text() -> None:
    assert parse_edit("ubah 3 Apel diundur ke pukul 08.00.") == EditRequest(3, "Apel diundur ke pukul 08.00.")
    assert parse_edit("UBAH #3  Teks\nbaris dua") == EditRequest(3, "Teks\nbaris dua")
    assert is_edit("Ubah 3 teks")
    assert not is_edit("Ubahan jadwal apel pagi")  # an announcement that only begins like the word
    assert not is_edit("")


@pytest.mark.parametrize(
    "given", ["ubah", "ubah 3", "ubah abc teks", "ubah 0 teks", "ubah ٣ teks", "ubah -3 teks"]
)
def test_a_bad_umumkan_ubah_is_refused(given: str) -> None:
    assert parse_edit(given) is None
