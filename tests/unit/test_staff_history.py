"""Issue 15 item 6's pure rules: what /cari_tiket searches for, how /riwayat is cut into pages within
Telegram's limit, a note's text, what the employee read of an answer sent as one message; and when a held
"Kirim ke tiket" send is stale."""

from __future__ import annotations

import pytest

from sinawai.common.text_limits import MAX_MESSAGE_UTF16, utf16_len, visible_text
from sinawai.consultation import history, staff_tools
from sinawai.consultation import texts as t
from sinawai.consultation.history import Search, SearchError


def test_digits_search_a_ticket_number_or_a_nip_and_words_search_the_question() -> None:
    assert history.parse_search("#12") == Search("12", ())
    assert history.parse_search(" 199001172015031001 ") == Search("199001172015031001", ())
    assert history.parse_search("Cuti, BESAR cuti?") == Search(None, ("cuti", "besar"))
    assert history.parse_search("a cuti").words == ("cuti",)  # a one-letter word is ignored


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("", t.SEARCH_USAGE),
        ("   ", t.SEARCH_USAGE),
        ("a", t.SEARCH_TOO_SHORT),
        ("?!", t.SEARCH_TOO_SHORT),
        ("1" * 19, t.SEARCH_TOO_LONG),
        ("kenaikan pangkat reguler periode april tahun ini", t.SEARCH_TOO_LONG),
    ],
)
def test_a_search_that_cannot_run_says_why(raw: str, why: str) -> None:
    with pytest.raises(SearchError) as refused:
        history.parse_search(raw)
    assert refused.value.text == why


def test_a_search_fits_its_page_buttons_callback_data() -> None:
    longest = history.parse_search("x" * history.SEARCH_MAX_BYTES)
    assert staff_tools.fits_callback(f"consultation:cari:{history.MAX_PAGE}:{longest.key}")


def test_like_patterns_escape_the_wildcards() -> None:
    assert history.like_pattern("50%_a") == "%50\\%\\_a%"
    assert history.like_pattern("1001", suffix=True) == "%1001"


def test_pages_keep_the_order_and_stay_within_the_limit() -> None:
    entries = [f"<b>Petugas</b> · {i}\n" + "é" * 1400 for i in range(7)]
    pages = history.pack_pages(entries)
    assert [e for page in pages for e in page] == entries
    assert [len(p) for p in pages] == [2, 2, 2, 1]
    for page in pages:
        shown = "🗂 Riwayat tiket #12 · dijawab · halaman 1 dari 4\nBudi\n\n" + "\n\n".join(page)
        assert utf16_len(visible_text(shown)) <= MAX_MESSAGE_UTF16
    assert history.pack_pages([]) == [[]]
    assert history.page_count(0) == 1
    assert history.page_count(history.RESULTS_PER_PAGE + 1) == 2


def test_a_notes_text_is_kept_without_its_marker() -> None:
    assert history.note_text("! sudah dicek") == "sudah dicek"
    assert history.note_text("/catatan Andi menelepon") == "Andi menelepon"
    assert history.note_text("/catatan@SinawaiBot cek lagi") == "cek lagi"
    assert history.note_text(None) is None


def test_an_answer_sent_as_one_message_loses_its_header_and_instruction() -> None:
    sent = visible_text(t.answer_with_header(7, "Cuti besar diberikan <b>3 bulan</b>.", True))
    assert history.sent_answer_body(sent, 7) == "Cuti besar diberikan 3 bulan."
    later = visible_text(t.answer_with_header(7, "Sudah kami perbaiki.", False))
    assert history.sent_answer_body(later, 7) == "Sudah kami perbaiki."


def test_a_held_send_is_stale_once_the_ticket_was_closed_handed_over_or_answered() -> None:
    assert staff_tools.stale_reason(False, []) is None
    assert staff_tools.stale_reason(False, ["taken"]) is None
    assert staff_tools.stale_reason(True, []) == "closed"
    assert staff_tools.stale_reason(False, ["answered", "handed_over"]) == "handed_over"
    assert staff_tools.stale_reason(False, ["answered"]) == "answered"
    assert set(t.PENDING_STALE) == {"closed", "handed_over", "answered"}
