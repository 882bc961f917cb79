"""The pure rules of several questions at once and of "my tickets" (issue 14, items 5 and 6): which open
tickets a message may go to, what the prompt offers at and below the limit, which button data is
accepted, the expected first response (median, threshold) and how working time reads; and that the texts
and buttons fit Telegram's limits.

Bad inputs tried: a ticket number that was not offered, letters, Arabic-Indic and full-width digits, an
empty choice, "BARU" in capitals; nine answered tickets (one short of the threshold); a prompt naming 99
tickets; the largest ticket and choice numbers in callback data."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sinawai.common.text_limits import MAX_MESSAGE_UTF16, callback_data_fits, utf16_len, visible_text
from sinawai.consultation import choices, response_time
from sinawai.consultation import texts as t
from sinawai.consultation.choices import OpenTicket
from sinawai.consultation.keyboards import PATTERNS, choice_buttons, exchange_buttons, my_tickets_buttons
from sinawai.consultation.tickets import Status

NOW = datetime(2026, 6, 3, 9, 0)
WINDOW = timedelta(hours=72)
JAKARTA = ZoneInfo("Asia/Jakarta")


def ticket(n: int, status: Status, answered_hours_ago: float | None = None) -> OpenTicket:
    answered = None if answered_hours_ago is None else NOW - timedelta(hours=answered_hours_ago)
    return OpenTicket(n, status, assigned=False, last_answer_at=answered)


# ---- which tickets a message may go to -------------------------------------------------------------------


def test_open_and_recently_answered_tickets_are_offered_latest_first() -> None:
    tickets = [
        ticket(3, Status.BARU),
        ticket(7, Status.DIPROSES),
        ticket(5, Status.DIJAWAB, answered_hours_ago=2),
    ]
    assert [x.id for x in choices.live_tickets(tickets, NOW, WINDOW)] == [7, 5, 3]


def test_an_answered_ticket_past_its_reopen_window_and_a_closed_one_are_not_offered() -> None:
    tickets = [
        ticket(4, Status.DIJAWAB, answered_hours_ago=73),
        ticket(6, Status.SELESAI),
        ticket(8, Status.DIJAWAB, answered_hours_ago=None),  # answered, time unknown: as stale
    ]
    assert choices.live_tickets(tickets, NOW, WINDOW) == []


def test_nothing_open_means_no_prompt_the_message_is_a_new_question() -> None:
    assert choices.prompt_for([], 3) is None


def test_below_the_limit_the_prompt_offers_every_ticket_and_a_new_question() -> None:
    prompt = choices.prompt_for([9, 4], 3)
    assert prompt == choices.Prompt(offered=(9, 4), new_allowed=True, open_ids=(9, 4))


def test_at_the_limit_no_new_question_is_offered() -> None:
    prompt = choices.prompt_for([9, 4, 2], 3)
    assert prompt is not None
    assert not prompt.new_allowed
    assert choices.at_limit(3, 3)
    assert not choices.at_limit(2, 3)


def test_many_open_tickets_offer_only_the_latest_few() -> None:
    prompt = choices.prompt_for([12, 11, 10, 9, 8], 10)
    assert prompt is not None
    assert prompt.offered == (12, 11, 10)
    assert prompt.open_ids == (12, 11, 10, 9, 8)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("baru", choices.NEW),
        ("9", 9),
        ("4", 4),
        ("5", None),  # not offered
        ("BARU", None),
        ("new", None),
        ("", None),
        ("sembilan", None),
        ("٩", None),  # Arabic-Indic nine
        ("９", None),  # full-width nine
        ("-9", None),
    ],
)
def test_only_an_offered_ticket_or_baru_is_a_choice(raw: str, expected: object) -> None:
    assert choices.parse_choice(raw, (9, 4)) == expected


def test_a_choice_expires_at_its_deadline() -> None:
    deadline = NOW + choices.CHOICE_TTL
    assert not choices.expired(deadline, deadline - timedelta(seconds=1))
    assert choices.expired(deadline, deadline)


def test_an_excerpt_is_one_line_within_its_limit() -> None:
    assert choices.excerpt("Berkas  sudah\nditerima.") == "Berkas sudah diterima."
    long = choices.excerpt("📎" * 100, 20)
    assert utf16_len(long) <= 20
    assert long.endswith("…")
    assert choices.excerpt(None) == ""


# ---- the expected first response ---------------------------------------------------------------------------


def test_fewer_than_ten_answered_tickets_promise_nothing() -> None:
    waits = [timedelta(hours=h) for h in range(1, 10)]
    assert response_time.MIN_ANSWERED == 10
    assert response_time.median_first_response(waits) is None
    assert response_time.median_first_response([]) is None


def test_the_median_of_ten_is_the_mean_of_the_middle_two() -> None:
    waits = [timedelta(minutes=m) for m in (30, 60, 90, 120, 150, 210, 180, 200, 240, 900)]
    assert response_time.median_first_response(waits) == timedelta(minutes=165)


def test_an_odd_count_takes_the_middle_one_and_outliers_do_not_pull_it() -> None:
    waits = [timedelta(minutes=m) for m in (10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 100_000)]
    assert response_time.median_first_response(waits) == timedelta(minutes=60)


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0, "kurang dari 5 menit"),
        (4, "kurang dari 5 menit"),
        (23, "25 menit"),
        (22, "20 menit"),
        (57, "55 menit"),
        (58, "1 jam"),
        (75, "1 jam 30 menit"),
        (165, "3 jam"),
        (170, "3 jam"),
        (600, "10 jam"),
    ],
)
def test_working_time_reads_rounded(minutes: int, text: str) -> None:
    assert response_time.working_duration_text(timedelta(minutes=minutes)) == text


def test_the_acknowledgement_line_says_what_the_figure_is() -> None:
    line = t.expected_first_response("3 jam")
    assert "sekitar 3 jam pada jam kerja" in line
    assert "nilai tengah 30 hari terakhir" in line


# ---- texts and buttons within Telegram's limits ----------------------------------------------------------


def test_a_prompt_naming_many_tickets_fits_a_message() -> None:
    ids = list(range(9_999_999_999, 9_999_999_999 - 99, -1))
    text = t.choice_prompt(
        ids, dict.fromkeys(ids, Status.DIPROSES), new_allowed=False, max_open=99, ttl_hours=24
    )
    assert utf16_len(visible_text(text)) <= MAX_MESSAGE_UTF16
    assert "/selesai" in text
    assert "/tiketsaya" in text


def test_the_limit_refusal_names_the_open_tickets_and_how_to_close_or_see_them() -> None:
    text = t.open_limit_reached([12, 9, 7], 3)
    for n in (12, 9, 7):
        assert f"#{n}" in text
    assert "/selesai 7" in text
    assert "/tiketsaya" in text


def test_callback_data_fits_and_carries_the_consultation_prefix() -> None:
    big = 2**63 - 1
    datas = [
        *choice_buttons(big, [big, big - 1, big - 2], new_allowed=True).to_dict()["inline_keyboard"],
        *my_tickets_buttons([big, 1, 2, 3]).to_dict()["inline_keyboard"],
        *exchange_buttons(big, 998, 1000).to_dict()["inline_keyboard"],
    ]
    for row in datas:
        for button in row:
            data = button["callback_data"]
            assert callback_data_fits(data), data
            if not data.startswith("general:"):
                assert data.startswith("consultation:")


def test_each_button_is_matched_by_its_own_pattern() -> None:
    assert re.match(PATTERNS["pilih"], "consultation:pilih:12:baru")
    assert re.match(PATTERNS["pilih"], "consultation:pilih:12:7")
    assert re.match(PATTERNS["tiketsaya"], "consultation:tiketsaya")
    assert re.match(PATTERNS["tsl"], "consultation:tsl:7:0")
    assert not re.match(PATTERNS["pilih"], "consultation:pilih:12")


def test_a_closed_ticket_row_says_when_it_closed_an_open_one_its_age() -> None:
    closed = datetime(2026, 6, 1, 2, 0)
    row = t.my_ticket_row(4, Status.SELESAI, "2 jam", closed, None, JAKARTA)
    assert "#4</b> · selesai · ditutup Senin, 1 Juni 2026 pukul 09.00 WIB" in row
    assert "Belum ada jawaban." in row
    row = t.my_ticket_row(5, Status.DIPROSES, "2 jam", None, "Sudah kami cek.", JAKARTA)
    assert "sedang ditangani · usia 2 jam kerja" in row
    assert "Jawaban terakhir: <i>Sudah kami cek.</i>" in row
