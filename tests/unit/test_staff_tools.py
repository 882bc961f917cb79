"""The staff answer tools' pure rules: template names, notes, callback data size, the canned-topic buttons."""

from __future__ import annotations

import pytest

from sinawai.consultation import staff_tools
from sinawai.consultation.keyboards import canned_topic_buttons, pending_buttons, ticket_buttons
from sinawai.information.content import Topic


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("salam-cuti", "salam-cuti"), ("Salam_Cuti", "salam_cuti"), ("a", "a"), ("x" * 32, "x" * 32)],
)
def test_template_names_are_one_ascii_word(raw: str, expected: str) -> None:
    assert staff_tools.template_name(raw) == expected


@pytest.mark.parametrize("raw", ["", "salam cuti", "x" * 33, "salam!", "sálam", "١٢٣"])
def test_bad_template_names_are_refused(raw: str) -> None:
    assert staff_tools.template_name(raw) is None


def test_a_note_starts_with_an_exclamation_mark() -> None:
    assert staff_tools.note_body("! sudah dicek di SIASN") == "sudah dicek di SIASN"
    assert staff_tools.note_body("!") == ""
    assert staff_tools.note_body("Jawaban biasa!") is None
    assert staff_tools.note_body(None) is None


def test_every_staff_button_fits_telegrams_callback_limit() -> None:
    big = 9_999_999_999
    data = [b.callback_data for row in ticket_buttons(big).inline_keyboard for b in row]
    data += [b.callback_data for row in pending_buttons(big, "Ya", "Tidak").inline_keyboard for b in row]
    assert all(len(str(d).encode()) <= 64 for d in data)
    assert "consultation:jsp:9999999999" in data


def test_a_topic_whose_id_would_not_fit_gets_no_button() -> None:
    short = Topic(id="cuti-besar", area="jahdis", title="Cuti Besar", html="", text="")
    long = Topic(id="t" * 50, area="jahdis", title="Panjang", html="", text="")
    markup = canned_topic_buttons(12, [short, long])
    assert markup is not None
    assert [b.callback_data for row in markup.inline_keyboard for b in row] == [
        "consultation:jwp:12:cuti-besar"
    ]
    assert canned_topic_buttons(12, [long]) is None
