"""Issue 14, access gap 4 through the local stack: guests and several questions.

* A guest with an open guest ticket who writes again: the message joins that ticket, said so with the
  guest wording (one open ticket per guest; how to ask something else), never the employee's choice.
  Why a simple join (see consultation/guest.py): a guest is unverified and rate limited to a few messages
  an hour, one ticket per guest keeps the staff's unverified work in one place, and /daftar gives the
  full choice.
* A guest who registers while a guest ticket is open: /selesai closes it (with several open, it asks
  which, and /selesai N closes the guest one), the rating still works, and /tiketsaya lists it (marked
  "tiket tamu") beside the NIP's tickets and opens its exchange.

Bad inputs tried: /selesai N with a ticket number of someone else's guest ticket (refused, nothing closed);
opening another account's guest ticket from /tiketsaya with forged button data (refused); a second guest
message (joins, no choice buttons)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local_stack.stack import LocalStack, StackConfig
from local_stack.telegram import ChatMessage, RateLimits
from sinawai.platform.db import Database
from sinawai.registration.passwords import hash_password
from tests.helpers import fresh_database, query

pytestmark = pytest.mark.e2e

TAMU = 5593001  # a guest, then registers as Dedi
LAIN = 5593002  # another guest
RINA = 5593101
STAFF = -1001000000001
NIP_DEDI = "199504042020121004"
PASSWORD = "Awal#2026"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    log_dir: Path = tmp_path_factory.mktemp("guest-gaps-logs")
    with fresh_database("sinawai_e2e_guest_gaps") as database:
        config = StackConfig(
            database=database,
            log_dir=log_dir,
            staff_group_chat_id=STAFF,
            bucket="sinawai-e2e-guest-gaps",
            extra_env={"STAFF_GROUP_MESSAGES_PER_MINUTE": "10000"},
            telegram_rate_limits=RateLimits(group_messages=None, private_burst=None),
        )
        with LocalStack(config) as local:
            local.telegram.add_user(TAMU, "Dedi")
            local.telegram.add_user(LAIN, "Wati")
            local.telegram.add_user(RINA, "Rina")
            local.telegram.add_group(STAFF, "Layanan Kepegawaian OSDM", members=[RINA])
            db = Database(database)
            db.execute(
                "INSERT INTO pengguna (nip, nama, password_hash, status, unit_kerja, jenis_kelamin)"
                " VALUES (%s, %s, %s, 'aktif', %s, 'L')",
                (NIP_DEDI, "Dedi Kurniawan", hash_password(PASSWORD), "Pusdatik"),
            )
            db.close()
            yield local


def ask(stack: LocalStack, user: int, text: str) -> ChatMessage:
    stack.telegram.send_message(user, text)
    stack.wait_idle()
    return stack.telegram.bot_messages(user)[-1]


def press(stack: LocalStack, user: int, msg: ChatMessage, data: str, *, forged: bool = False) -> ChatMessage:
    if forged:
        stack.telegram.press_forged_button(user, user, msg.message_id, data)
    else:
        stack.telegram.press_button(user, user, msg.message_id, data)
    stack.wait_idle()
    return next(m for m in stack.telegram.messages(user) if m.message_id == msg.message_id)


def tickets(stack: LocalStack) -> list[dict[str, Any]]:
    return query(stack.config.database, "SELECT * FROM ticket ORDER BY id")


def to_staff(stack: LocalStack, user: int, text: str) -> int:
    """Ask; when the FAQ offers a topic, press "Tidak, teruskan ke petugas". The ticket's id."""
    offered = ask(stack, user, text)
    no = [d for d in offered.callback_data if d.startswith("consultation:faq:") and d.endswith(":tidak")]
    if no:
        press(stack, user, offered, no[0])
    return int(tickets(stack)[-1]["id"])


def test_a_guests_second_message_joins_their_guest_ticket_and_the_registered_guest_keeps_it(
    stack: LocalStack,
) -> None:
    guest_ticket = to_staff(stack, TAMU, "Halo, akun saya terkunci, mohon bantuannya.")
    assert tickets(stack)[-1]["guest_telegram_id"] == TAMU
    said = ask(stack, TAMU, "Oh ya, satu lagi: kapan kenaikan gaji berkala saya?")
    assert f"ditambahkan ke tiket tamu #{guest_ticket}" in said.content
    assert "ketik /selesai" in said.content
    assert "/daftar" in said.content
    assert said.callback_data == []  # no "add or new question" choice for a guest
    assert len(tickets(stack)) == 1
    other_guest = to_staff(stack, LAIN, "Bagaimana cara mendaftar akun Sinawai?")

    # Dedi registers with the guest ticket still open, then asks as an employee (a second ticket)
    ask(stack, TAMU, f"/daftar {NIP_DEDI} {PASSWORD}")
    employee_ticket = to_staff(stack, TAMU, "Berapa sisa cuti tahunan saya tahun ini?")
    assert employee_ticket not in (guest_ticket, other_guest)
    assert tickets(stack)[-1]["nip"] == NIP_DEDI

    # /tiketsaya lists both, the guest one marked, and opens the guest one's exchange
    listed = ask(stack, TAMU, "/tiketsaya")
    assert f"#{guest_ticket} (tiket tamu)" in listed.content
    assert f"#{employee_ticket} ·" in listed.content
    assert f"#{other_guest}" not in listed.content
    button = f"consultation:tsl:{guest_ticket}:0"
    assert button in listed.callback_data
    opened = press(stack, TAMU, listed, button)
    assert opened.content.startswith(f"Tiket #{guest_ticket} (tiket tamu)")
    assert "akun saya terkunci" in opened.content
    # forged: another guest's ticket through the same button shape
    forged = f"consultation:tsl:{other_guest}:0"
    again = press(stack, TAMU, listed, forged, forged=True)
    assert "akun saya terkunci" in again.content  # unchanged: the other guest's ticket is not shown
    assert "Bagaimana cara mendaftar" not in again.content

    # /selesai: two open (the NIP's and the guest one): asks which; someone else's number is refused
    which = ask(stack, TAMU, "/selesai")
    assert f"#{guest_ticket}" in which.content
    assert f"#{employee_ticket}" in which.content
    ask(stack, TAMU, f"/selesai {other_guest}")
    assert {t["id"]: t["status"] for t in tickets(stack)}[other_guest] != "selesai"
    closed = ask(stack, TAMU, f"/selesai {guest_ticket}")
    assert f"#{guest_ticket} telah ditutup" in closed.content
    assert {t["id"]: t["status"] for t in tickets(stack)}[guest_ticket] == "selesai"
    rated = press(stack, TAMU, closed, f"consultation:nilai:{guest_ticket}:5")
    assert "5" in rated.content
    assert {t["id"]: t["rating"] for t in tickets(stack)}[guest_ticket] == 5
    # the one left is the NIP's: /selesai alone closes it now
    closed = ask(stack, TAMU, "/selesai")
    assert f"#{employee_ticket} telah ditutup" in closed.content
