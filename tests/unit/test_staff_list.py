"""The burst's compact list message (staff_list.py, keyboards.list_buttons): what a line shows, that a list
always fits Telegram's limits whatever happens to its tickets later, and when an edit is due.

Bad inputs tried: a question of 900 emoji (two UTF-16 units each), ``<``/``&``/tags, blank first lines, a
photo without caption, a staff name of 200 characters, the longest area name, 25 guests."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from sinawai.common.text_limits import MAX_MESSAGE_UTF16, utf16_len, visible_text
from sinawai.consultation import staff_list
from sinawai.consultation.keyboards import list_buttons
from sinawai.consultation.staff_list import ListEntry
from sinawai.consultation.tickets import Status


def entry(ticket_id: int = 7, text: str | None = "Kapan tunjangan dibayarkan?", **kw: object) -> ListEntry:
    values: dict[str, object] = {
        "ticket_id": ticket_id,
        "area": "umum",
        "status": Status.BARU,
        "taken_by": None,
        "guest": False,
        "text": text,
        "media": None,
    }
    values.update(kw)
    return ListEntry(**values)  # type: ignore[arg-type]


def test_first_line_skips_blank_lines_and_names_media_without_words() -> None:
    assert staff_list.first_line("  \n\n  Baris   kedua\tsaja \nketiga", None) == "Baris kedua saja"
    assert staff_list.first_line(None, "photo") == "(foto tanpa keterangan)"
    assert staff_list.first_line("\n \n", "document") == "(berkas tanpa keterangan)"
    assert staff_list.first_line(None, None) == "(tanpa teks)"


def test_an_open_line_is_escaped_and_a_taken_one_struck_through_with_who() -> None:
    open_line = staff_list.line(entry(text="Gaji < 5 juta & <b>tunjangan</b>?", area="jahdis"))
    assert open_line == (
        "<b>#7 · Kesejahteraan &amp; Disiplin</b> · Gaji &lt; 5 juta &amp; &lt;b&gt;tunjangan&lt;/b&gt;?"
    )
    taken = staff_list.line(entry(status=Status.DIPROSES, taken_by="Rina <Lestari>"))
    assert taken == "✅ <s>#7 · Umum · Kapan tunjangan dibayarkan?</s> · diambil Rina &lt;Lestari&gt;"
    closed = staff_list.line(entry(status=Status.SELESAI, taken_by=None))
    assert closed.endswith("</s> · selesai")
    assert staff_list.line(entry(guest=True)).startswith("<b>#7 · Umum · tamu</b>")


def test_a_long_first_line_is_cut_to_80_units_between_characters() -> None:
    emoji = "😀" * 900
    line = visible_text(staff_list.line(entry(text=emoji)))
    preview = line.split(" · ", 2)[2]
    assert preview.endswith("…")
    assert utf16_len(preview) <= staff_list.PREVIEW_UNITS
    assert set(preview[:-1]) == {"😀"}  # no half emoji
    assert utf16_len(preview) >= staff_list.PREVIEW_UNITS - 1


def test_a_full_list_fits_4096_units_even_after_every_ticket_is_taken_by_a_long_name() -> None:
    worst = [
        entry(100000 + n, text="😀<&>" * 400, area="renbangkompeg", guest=True, media="photo")
        for n in range(40)
    ]
    count = staff_list.fitting(worst)
    assert 1 <= count <= staff_list.MAX_TICKETS
    shown = worst[:count]
    assert utf16_len(visible_text(staff_list.render(shown))) <= MAX_MESSAGE_UTF16
    taken = [dataclasses.replace(e, status=Status.DIPROSES, taken_by="Nama Petugas " * 20) for e in shown]
    assert utf16_len(visible_text(staff_list.render(taken))) <= MAX_MESSAGE_UTF16
    # ordinary questions: a whole list of 25
    assert staff_list.fitting([entry(n) for n in range(40)]) == staff_list.MAX_TICKETS


def test_buttons_only_for_tickets_nobody_took_three_a_row_within_64_bytes() -> None:
    entries = [entry(n, status=Status.DIPROSES if n == 3 else Status.BARU) for n in range(1, 6)]
    ids = staff_list.takeable_ids(entries)
    assert ids == [1, 2, 4, 5]
    markup = list_buttons(ids)
    assert markup is not None
    rows = markup.inline_keyboard
    assert [[b.text for b in row] for row in rows] == [["Ambil #1", "Ambil #2", "Ambil #4"], ["Ambil #5"]]
    assert all(len(str(b.callback_data).encode()) <= 64 for row in rows for b in row)
    assert rows[0][0].callback_data == "consultation:ambil:1"
    assert list_buttons([]) is None


def test_the_digest_changes_only_when_what_the_list_shows_changes() -> None:
    entries = [entry(1), entry(2)]
    text = staff_list.render(entries)
    same = staff_list.digest(text, staff_list.takeable_ids(entries))
    assert same == staff_list.digest(staff_list.render(list(entries)), [1, 2])
    # answered after it was taken: the line still says who took it, nothing to edit
    taken = [dataclasses.replace(entries[0], status=Status.DIPROSES, taken_by="Rina"), entries[1]]
    answered = [dataclasses.replace(entries[0], status=Status.DIJAWAB, taken_by="Rina"), entries[1]]
    d_taken = staff_list.digest(staff_list.render(taken), staff_list.takeable_ids(taken))
    d_answered = staff_list.digest(staff_list.render(answered), staff_list.takeable_ids(answered))
    assert d_taken != same
    assert d_taken == d_answered


def test_lists_while_more_posts_than_the_threshold_wait_and_holds_after_a_list() -> None:
    burst = staff_list.Burst(threshold=10, window=timedelta(seconds=63))
    assert not burst.lists(pending=10)
    assert burst.lists(pending=11)
    # a list went out within the window: the burst mode holds while any post waits
    assert burst.lists(pending=1, listed_recently=True)
    assert not burst.lists(pending=0, listed_recently=True)
    assert not staff_list.Burst(0, timedelta(seconds=60)).lists(pending=500, listed_recently=True)
