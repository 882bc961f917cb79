"""Pure rules of issue 14's access gaps: the reset request's button data, a request's age, the failure
count after a staff reset opened the lock, and the guest and /tiketsaya wording.

Bad inputs tried: a request id so long the data would pass 64 bytes, a request exactly seven days old and
one a second older, a clear before the window (no effect) and one inside it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sinawai.consultation import texts as ct
from sinawai.consultation.tickets import Status
from sinawai.registration import texts as rt
from sinawai.registration.rules import (
    REQUEST_BUTTON_VALIDITY,
    LockoutPolicy,
    request_expired,
    reset_callback_data,
)
from sinawai.router.commands import REGISTRATION
from sinawai.router.routing import callback_group

NOW = datetime(2026, 11, 2, 2, 0)
ZONE = ZoneInfo("Asia/Jakarta")


def test_the_button_data_carries_the_registration_prefix_and_fits_64_bytes() -> None:
    data = reset_callback_data(REGISTRATION, 18_446_744_073_709_551_615)  # the largest audit row id
    assert callback_group(data) == REGISTRATION
    assert len(data.encode()) <= 64
    with pytest.raises(ValueError, match="too long"):
        reset_callback_data("x" * 60, 1)


def test_a_request_may_be_served_by_its_button_for_seven_days() -> None:
    assert not request_expired(NOW - REQUEST_BUTTON_VALIDITY, NOW)
    assert request_expired(NOW - REQUEST_BUTTON_VALIDITY - timedelta(seconds=1), NOW)


def test_failures_before_a_staff_reset_no_longer_count() -> None:
    policy = LockoutPolicy(max_failures=3, window=timedelta(minutes=15), lockout=timedelta(minutes=15))
    locked_at = NOW - timedelta(minutes=5)
    assert policy.locked_until(locked_at, NOW) == locked_at + timedelta(minutes=15)
    # no clear: counted from the window's start (the lock has not ended)
    assert policy.count_since(None, NOW) == NOW - timedelta(minutes=15)
    cleared = NOW - timedelta(minutes=2)
    assert policy.count_since(None, NOW, cleared) == cleared
    # a clear long before the window changes nothing
    assert policy.count_since(None, NOW, NOW - timedelta(days=1)) == NOW - timedelta(minutes=15)


def test_the_lock_message_tells_the_way_out_only_as_the_code_works() -> None:
    text = rt.LOCKED.format(until="Senin, 2 November 2026 pukul 09.20 WIB")
    assert "kunci ini dibuka" in text
    assert "<code>/daftar NIP KODE</code>" in text
    assert rt.RESET_BUTTON in rt.STAFF_RESET_REQUEST
    for alert in (
        rt.RESET_BUTTON_STAFF_ONLY,
        rt.RESET_BUTTON_NOT_FOUND,
        rt.RESET_BUTTON_EXPIRED,
        rt.RESET_BUTTON_ALREADY.format(staff="Rina Wulandari", issued="09.20 WIB"),
        rt.RESET_BUTTON_INACTIVE,
        rt.RESET_BUTTON_SENT,
        rt.RESET_BUTTON_STAFF_GROUP_ONLY,
    ):
        assert len(alert) <= 200, alert  # a callback answer's limit
        assert "<" not in alert  # an alert shows no HTML


def test_the_guest_join_wording_names_the_guest_ticket_and_the_way_to_ask_more() -> None:
    said = ct.guest_added_to_ticket(7, False, None, ZONE)
    assert "tiket tamu <b>#7</b>" in said
    assert "/selesai" in said
    assert "/daftar" in said
    assert "sudah dijawab" in ct.guest_added_to_ticket(7, True, None, ZONE)


def test_tiketsaya_marks_a_guest_ticket() -> None:
    row = ct.my_ticket_row(7, Status.BARU, "1 jam", None, None, ZONE, guest=True)
    assert row.startswith("<b>#7</b> (tiket tamu) · ")
    assert "(tiket tamu)" not in ct.my_ticket_row(8, Status.BARU, "1 jam", None, None, ZONE)
    head = ct.exchange_head(7, Status.DIJAWAB, NOW, "1 jam", ZONE, 0, 1, guest=True)
    assert head.startswith("<b>Tiket #7</b> (tiket tamu)")
