"""Ticket life cycle: baru → diproses → dijawab → selesai, reopening, rate limit, rating (pure).

Bad inputs tried: taking a ticket that is taken, answered or closed; answering or closing a closed ticket;
a message exactly at and just past the reopen window; a dijawab ticket without an answer time; ratings 0,
6 and -1; callback data for the largest ticket number.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sinawai.common.working_hours import Opening, WorkingHours
from sinawai.consultation import texts as t
from sinawai.consultation import tickets
from sinawai.consultation.tickets import Decision, Status, TransitionError

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
        "Mohon menunggu; jawaban akan dikirim melalui percakapan ini."
    )
    friday_evening = Opening(
        datetime(2026, 11, 30, 7, 30, tzinfo=wib), datetime(2026, 11, 27, 17, tzinfo=wib), False
    )
    outside = t.acknowledgement(12, friday_evening, wib)
    assert outside.startswith(inside)
    assert outside.endswith(
        "Saat ini di luar jam kerja Biro OSDM; pertanyaan Anda akan ditangani pada hari kerja berikutnya, "
        "Senin, 30 November pukul 07.30 WIB."
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


# ---- automatic closing (fixed clock values; weekends and holidays do not count) -------------------------

JAKARTA = ZoneInfo("Asia/Jakarta")
HOLIDAY = datetime(2026, 12, 25).date()  # a Friday
HOURS = WorkingHours.from_spec("mon-thu 07:30-16:00; fri 07:30-16:30", is_holiday=lambda day: day == HOLIDAY)


def wib(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=JAKARTA)


def test_an_answered_ticket_closes_when_the_third_working_day_after_the_answer_ends() -> None:
    answered = wib(16, 10)  # Wednesday: Thursday, Friday, Monday count
    assert not tickets.auto_close_due(Status.DIJAWAB, answered, wib(21, 15, 59), HOURS, 3)
    assert tickets.auto_close_due(Status.DIJAWAB, answered, wib(21, 16), HOURS, 3)
    assert tickets.auto_close_due(Status.DIJAWAB, answered, wib(22, 8), HOURS, 3)


def test_weekends_and_holidays_do_not_count() -> None:
    answered = wib(23, 9)  # Wednesday: Thursday 24, (Friday 25 holiday, weekend) Monday 28, Tuesday 29
    assert not tickets.auto_close_due(Status.DIJAWAB, answered, wib(28, 23), HOURS, 3)
    assert tickets.auto_close_due(Status.DIJAWAB, answered, wib(29, 16), HOURS, 3)


def test_an_answer_on_a_saturday_evening_counts_from_monday() -> None:
    answered = datetime(2026, 12, 19, 20, 0, tzinfo=JAKARTA)  # Saturday 20:00 WIB, given in UTC below
    utc = answered.astimezone(ZoneInfo("UTC"))
    assert not tickets.auto_close_due(Status.DIJAWAB, utc, wib(22, 16), HOURS, 3)  # Mon, Tue only
    assert tickets.auto_close_due(Status.DIJAWAB, utc, wib(23, 16), HOURS, 3)


def test_unanswered_and_closed_tickets_never_close_by_themselves() -> None:
    old, now = wib(1, 9), wib(31, 16)
    for status in (Status.BARU, Status.DIPROSES, Status.SELESAI):
        assert not tickets.auto_close_due(status, old, now, HOURS, 3)
    assert not tickets.auto_close_due(Status.DIJAWAB, old, now, HOURS, 0)  # 0 switches it off
    assert tickets.auto_close_due(Status.DIJAWAB, old, now, HOURS, 1)


def test_only_a_ticket_nobody_took_or_answered_offers_ambil() -> None:
    assert tickets.takeable(Status.BARU)
    for status in (Status.DIPROSES, Status.DIJAWAB, Status.SELESAI):
        assert not tickets.takeable(status), status


def test_the_open_list_says_menunggu_only_before_the_first_answer() -> None:
    now = datetime(2026, 3, 2, 10, 0)
    rows = [
        (1, Status.BARU, "Budi", now - timedelta(minutes=95), None, None),
        (2, Status.DIJAWAB, "Siti", now - timedelta(days=2), "Rina", now - timedelta(hours=5, minutes=40)),
        (3, Status.DIPROSES, "Agus", now - timedelta(days=3), "Rina", now - timedelta(minutes=12)),
        (4, Status.DIJAWAB, "Dewi", now - timedelta(days=9), None, now - timedelta(days=2, hours=1)),
    ]
    lines = t.open_list(rows, now).splitlines()
    assert "#1 · Baru · Budi · menunggu 1 jam 35 menit" in lines
    assert "#2 · Dijawab · Siti · dijawab 5 jam lalu · Rina" in lines
    assert "#3 · Diproses · Agus · dijawab 12 menit lalu · Rina" in lines
    assert "#4 · Dijawab · Dewi · dijawab 2 hari lalu" in lines
