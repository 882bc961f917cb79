"""Ticket life cycle: baru → diproses → dijawab → selesai, reopening, rate limit, rating (pure).

Bad inputs tried: taking a ticket that is taken, answered or closed; answering or closing a closed ticket;
a message exactly at and just past the reopen window; a dijawab ticket without an answer time; ratings 0,
6 and -1; callback data for the largest ticket number.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sinawai import consultation_texts as t
from sinawai import tickets
from sinawai.tickets import Decision, Status, TransitionError

NOW = datetime(2026, 11, 30, 9, 0)
WINDOW = timedelta(hours=72)


def test_take_only_a_new_ticket() -> None:
    assert tickets.take(Status.BARU) is Status.DIPROSES
    for status, reason in (
        (Status.DIPROSES, "taken"),
        (Status.DIJAWAB, "answered"),
        (Status.SELESAI, "closed"),
    ):
        with pytest.raises(TransitionError) as e:
            tickets.take(status)
        assert e.value.reason == reason


def test_answer_any_open_ticket_never_a_closed_one() -> None:
    for status in (Status.BARU, Status.DIPROSES, Status.DIJAWAB):
        assert tickets.answer(status) is Status.DIJAWAB
    with pytest.raises(TransitionError):
        tickets.answer(Status.SELESAI)


def test_close_once() -> None:
    for status in (Status.BARU, Status.DIPROSES, Status.DIJAWAB):
        assert tickets.close(status) is Status.SELESAI
    with pytest.raises(TransitionError):
        tickets.close(Status.SELESAI)


def place(
    status: Status | None, *, assigned: bool = False, answered_ago: timedelta | None = None
) -> Decision:
    last = NOW - answered_ago if answered_ago is not None else None
    return tickets.place_message(
        status, assigned=assigned, last_answer_at=last, now=NOW, reopen_window=WINDOW
    )


def test_a_message_joins_an_open_ticket_or_opens_a_new_one() -> None:
    assert place(None) == Decision("new", None)
    assert place(Status.SELESAI) == Decision("new", None)
    assert place(Status.BARU) == Decision("join", Status.BARU)
    assert place(Status.DIPROSES, assigned=True) == Decision("join", Status.DIPROSES)


def test_an_answered_ticket_reopens_within_the_window_only() -> None:
    assert place(Status.DIJAWAB, assigned=True, answered_ago=WINDOW) == Decision("reopen", Status.DIPROSES)
    assert place(Status.DIJAWAB, assigned=False, answered_ago=timedelta(hours=1)) == Decision(
        "reopen", Status.BARU
    )
    assert place(Status.DIJAWAB, assigned=True, answered_ago=WINDOW + timedelta(seconds=1)) == Decision(
        "new", None
    )
    assert place(Status.DIJAWAB, assigned=True, answered_ago=None) == Decision("new", None)


def test_rate_limit_refuses_from_the_limit_on() -> None:
    assert not tickets.rate_limited(9, 10)
    assert tickets.rate_limited(10, 10)
    assert tickets.rate_limited(11, 10)


def test_ratings_are_one_to_five() -> None:
    assert [r for r in range(-1, 8) if tickets.valid_rating(r)] == [1, 2, 3, 4, 5]


def test_callback_data_of_the_largest_ticket_fits_telegram() -> None:
    biggest = 2**64 - 1
    for data in (
        f"consultation:ambil:{biggest}",
        f"consultation:tutup:{biggest}",
        f"consultation:nilai:{biggest}:5",
    ):
        assert len(data.encode()) <= 64, data


def test_acknowledgement_mentions_the_next_working_day_only_outside_hours() -> None:
    wib = ZoneInfo("Asia/Jakarta")
    inside = t.acknowledgement(12, None, wib)
    assert inside == (
        "Pertanyaan Anda telah kami terima sebagai tiket <b>#12</b> dan diteruskan ke petugas Biro OSDM. "
        "Mohon menunggu; jawaban akan dikirim melalui chat ini."
    )
    outside = t.acknowledgement(12, datetime(2026, 11, 30, 7, 30, tzinfo=wib), wib)
    assert outside.startswith(inside)
    assert outside.endswith(
        "akan ditangani pada hari kerja berikutnya, Senin, 30 November 2026 pukul 07.30 WIB."
    )


def test_the_staff_header_masks_the_nip_and_escapes_names() -> None:
    text = t.header(
        7,
        Status.BARU,
        nama="Budi <b>",
        unit=None,
        nip="199001172015031001",
        created_at=datetime(2026, 11, 30, 2, 0),
        zone=ZoneInfo("Asia/Jakarta"),
        assigned=None,
    )
    assert "1990**********1001" in text
    assert "199001172015031001" not in text
    assert "Budi &lt;b&gt;" in text
    assert "Senin, 30 November 2026 pukul 09.00 WIB" in text
