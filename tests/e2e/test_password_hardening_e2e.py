"""No password ever leaks (issue 10, items 1-6), end to end through the webhook, the router and the functions.

Each test sends a password the way an unlucky employee would and then looks everywhere a copy could stay:
the update inbox (payload and its sealed half), the message log, conversations, the audit log, every
function's log, the staff group, tickets, and Lambda's retry queue and dead letters.

Bad inputs tried: a password after the guided step expired, for a registered and an unregistered
account; a question right after the step ended; a password sent before the previous step was processed;
a password starting with "/" (and a command typed as the password); /daftar and /gantisandi with
passwords in the staff group, as text and as a caption; a password as a photo caption in the step; a
photo captioned "/gantisandi LAMA BARU"; an update with a password whose function fails every attempt.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local_stack.stack import LocalStack, StackConfig
from local_stack.telegram import RateLimits
from sinawai.platform.db import Database
from sinawai.registration.passwords import hash_password, verify_password
from tests.helpers import assert_secret_nowhere, fresh_database, query

pytestmark = pytest.mark.e2e

STAFF = -1001000000001
RINA = 5570101  # OSDM staff
NIP_BUDI = "199001172015031001"
NIP_SITI = "199203252016042002"
PASSWORD = "Awal#2026"
BUDI_PASSWORD = "Budi#Lama2026"

_next_user = iter(range(5_571_000, 5_572_000))


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    log_dir: Path = tmp_path_factory.mktemp("password-logs")
    with fresh_database("sinawai_e2e_passwords") as database:
        config = StackConfig(
            database=database,
            log_dir=log_dir,
            staff_group_chat_id=STAFF,
            bucket="sinawai-e2e-passwords",
            extra_env={"STAFF_GROUP_MESSAGES_PER_MINUTE": "10000"},
            telegram_rate_limits=RateLimits(group_messages=None, private_burst=None),
        )
        with LocalStack(config) as local:
            local.telegram.add_user(RINA, "Rina")
            local.telegram.add_group(STAFF, "Layanan Kepegawaian OSDM", members=[RINA])
            yield local


@pytest.fixture
def budi(stack: LocalStack) -> int:
    """A registered employee, in a fresh Telegram account; Siti exists and is not registered."""
    db = Database(stack.config.database)
    for table in ("ticket_message", "ticket_event", "staff_outbox", "staff_send", "ticket", "pengguna"):
        db.execute(f"DELETE FROM {table}")
    for table in ("conversation", "sensitive_chat", "audit_log"):
        db.execute(f"DELETE FROM {table}")
    user = new_user(stack, "Budi")
    sql = (
        "INSERT INTO pengguna (nip, nama, password_hash, status, unit_kerja, id_telegram, registered_at)"
        " VALUES (%s, %s, %s, 'aktif', 'Biro OSDM', %s, UTC_TIMESTAMP())"
    )
    db.execute(sql, (NIP_BUDI, "Budi Santoso", hash_password(BUDI_PASSWORD), user))
    db.execute(sql, (NIP_SITI, "Siti Rahmawati", hash_password(PASSWORD), None))
    db.close()
    return user


def new_user(stack: LocalStack, first_name: str = "Pegawai") -> int:
    user = next(_next_user)
    stack.telegram.add_user(user, first_name)
    return user


def say(stack: LocalStack, user: int, text: str, chat_id: int | None = None) -> dict[str, Any]:
    update = stack.telegram.send_message(user, text, chat_id=chat_id)
    stack.wait_idle()
    return update


def last_text(stack: LocalStack, chat_id: int) -> str:
    return stack.telegram.bot_messages(chat_id)[-1].text or ""


def deleted(stack: LocalStack, chat_id: int, update: dict[str, Any]) -> bool:
    message_id = update["message"]["message_id"]
    return next(m for m in stack.telegram.messages(chat_id) if m.message_id == message_id).deleted


def expire_the_step(stack: LocalStack, chat_id: int) -> None:
    """Ten minutes and a second later: the guided step's time is over (the grace period runs)."""
    db = stack.config.database
    past = "UTC_TIMESTAMP(6) - INTERVAL 1 SECOND"
    query(db, f"UPDATE conversation SET expires_at = {past} WHERE chat_id = %s", (chat_id,))
    query(db, f"UPDATE sensitive_chat SET step_until = {past} WHERE chat_id = %s", (chat_id,))


def nowhere_in_clear(stack: LocalStack, secret: str) -> None:
    assert_secret_nowhere(stack, secret, staff_group=STAFF)


def tickets(stack: LocalStack) -> int:
    return int(query(stack.config.database, "SELECT COUNT(*) AS n FROM ticket")[0]["n"])


# ---- 1. a password sent after the guided step ended ---------------------------------------------------


def test_a_password_sent_after_gantisandi_expired_is_deleted_and_never_reaches_staff(
    stack: LocalStack, budi: int
) -> None:
    say(stack, budi, "/gantisandi")
    assert "kata sandi lama" in last_text(stack, budi).lower()
    expire_the_step(stack, budi)
    staff_before = len(stack.telegram.messages(STAFF))
    late = say(stack, budi, BUDI_PASSWORD)
    assert deleted(stack, budi, late)
    assert "sudah berakhir" in last_text(stack, budi)
    assert "/gantisandi" in last_text(stack, budi)
    assert tickets(stack) == 0, "the late password became a ticket"
    assert len(stack.telegram.messages(STAFF)) == staff_before
    nowhere_in_clear(stack, BUDI_PASSWORD)


def test_a_password_sent_after_daftar_expired_is_deleted_and_not_stored(stack: LocalStack, budi: int) -> None:
    user = new_user(stack, "Siti")
    say(stack, user, "/daftar")
    say(stack, user, NIP_SITI)
    assert "kata sandi awal" in last_text(stack, user)
    expire_the_step(stack, user)
    late = say(stack, user, PASSWORD)
    assert deleted(stack, user, late)
    assert "Langkah pendaftaran sudah berakhir" in last_text(stack, user)
    assert "/daftar" in last_text(stack, user)
    nowhere_in_clear(stack, PASSWORD)


def test_a_question_in_the_grace_period_is_held_once_then_asked_normally(
    stack: LocalStack, budi: int
) -> None:
    say(stack, budi, "/gantisandi")
    say(stack, budi, "/batal")  # cancelled: the grace period starts
    question = "Bagaimana cara mengajukan cuti besar?"
    held = say(stack, budi, question)
    assert deleted(stack, budi, held)
    assert "kirim ulang" in last_text(stack, budi)
    assert tickets(stack) == 0
    say(stack, budi, question)  # a sentence is no password: the chat is ordinary again
    assert tickets(stack) + len(query(stack.config.database, "SELECT id FROM faq_offer")) == 1


def test_after_registering_a_question_goes_through_and_the_password_sent_again_is_held(
    stack: LocalStack, budi: int
) -> None:
    user = new_user(stack, "Siti")
    say(stack, user, "/daftar")
    say(stack, user, NIP_SITI)
    say(stack, user, PASSWORD)
    assert "Pendaftaran berhasil" in last_text(stack, user)
    again = say(stack, user, PASSWORD)  # sent twice by habit: still a password
    assert deleted(stack, user, again)
    assert "sudah berakhir" in last_text(stack, user)
    question = say(stack, user, "Bagaimana cara mengajukan cuti besar?")
    assert not deleted(stack, user, question)  # a sentence right after registering is a question
    assert "sudah berakhir" not in last_text(stack, user)
    nowhere_in_clear(stack, PASSWORD)


# ---- 2. a password sent before the previous step was processed ----------------------------------------


def test_a_password_sent_before_the_nip_was_processed_is_never_stored_in_clear(
    stack: LocalStack, budi: int
) -> None:
    user = new_user(stack, "Siti")
    # The registration function answers slowly: the NIP and the password both arrive while the router
    # would still have seen the chat "waiting for a NIP" (not a secret).
    stack.telegram.delay_next("sendMessage", 1.5, count=2, chat_id=user)
    stack.telegram.send_message(user, "/daftar")
    stack.telegram.send_message(user, NIP_SITI)
    password = stack.telegram.send_message(user, PASSWORD)
    stack.wait_idle(timeout=30)
    assert deleted(stack, user, password)
    nowhere_in_clear(stack, PASSWORD)


# ---- 3. a password that starts with "/" ----------------------------------------------------------------


def test_a_new_password_starting_with_a_slash_is_the_answer_to_the_step(stack: LocalStack, budi: int) -> None:
    new_password = "/sandiku2026"
    say(stack, budi, "/gantisandi")
    old = say(stack, budi, BUDI_PASSWORD)
    new = say(stack, budi, new_password)
    assert deleted(stack, budi, old)
    assert deleted(stack, budi, new)
    assert "telah diganti" in last_text(stack, budi)
    stored = query(stack.config.database, "SELECT password_hash FROM pengguna WHERE nip = %s", (NIP_BUDI,))
    assert verify_password(new_password, stored[0]["password_hash"])
    nowhere_in_clear(stack, new_password)


def test_a_command_typed_as_the_password_is_the_answer_not_a_command(stack: LocalStack, budi: int) -> None:
    user = new_user(stack, "Siti")
    say(stack, user, "/daftar")
    say(stack, user, NIP_SITI)
    attempt = say(stack, user, "/menu")
    assert deleted(stack, user, attempt)
    assert "tidak sesuai" in last_text(stack, user)  # checked as the password, and wrong


# ---- 4. registration commands in the staff group -------------------------------------------------------


@pytest.mark.parametrize(
    "text", [f"/daftar {NIP_BUDI} {BUDI_PASSWORD}", f"/gantisandi {BUDI_PASSWORD} Baru#2027x"]
)
def test_registration_commands_in_the_staff_group_are_deleted_and_answered(
    stack: LocalStack, budi: int, text: str
) -> None:
    posted = say(stack, RINA, text, chat_id=STAFF)
    assert deleted(stack, STAFF, posted)
    assert "percakapan pribadi" in last_text(stack, STAFF)
    assert tickets(stack) == 0
    nowhere_in_clear(stack, BUDI_PASSWORD)


def test_a_registration_caption_in_the_staff_group_is_deleted(stack: LocalStack, budi: int) -> None:
    posted = stack.telegram.send_photo(RINA, chat_id=STAFF, caption=f"/daftar {NIP_BUDI} {BUDI_PASSWORD}")
    stack.wait_idle()
    assert deleted(stack, STAFF, posted)
    nowhere_in_clear(stack, BUDI_PASSWORD)


# ---- 5. captions ---------------------------------------------------------------------------------------


def test_a_password_as_a_photo_caption_in_the_step_is_deleted_and_not_stored(
    stack: LocalStack, budi: int
) -> None:
    user = new_user(stack, "Siti")
    say(stack, user, "/daftar")
    say(stack, user, NIP_SITI)
    photo = stack.telegram.send_photo(user, caption=PASSWORD)
    stack.wait_idle()
    assert deleted(stack, user, photo)
    assert "teks" in last_text(stack, user)
    nowhere_in_clear(stack, PASSWORD)


def test_a_photo_captioned_gantisandi_is_that_command_and_never_a_consultation(
    stack: LocalStack, budi: int
) -> None:
    new_password = "Baru#2027x"
    photo = stack.telegram.send_photo(budi, caption=f"/gantisandi {BUDI_PASSWORD} {new_password}")
    stack.wait_idle()
    assert deleted(stack, budi, photo)
    assert "telah diganti" in last_text(stack, budi)
    assert tickets(stack) == 0
    stored = query(stack.config.database, "SELECT password_hash FROM pengguna WHERE nip = %s", (NIP_BUDI,))
    assert verify_password(new_password, stored[0]["password_hash"])
    nowhere_in_clear(stack, BUDI_PASSWORD)
    nowhere_in_clear(stack, new_password)


# ---- 6. a failing update with a password ---------------------------------------------------------------


def test_a_password_update_retried_by_lambda_registers_without_a_clear_copy_in_the_queue(
    stack: LocalStack, budi: int
) -> None:
    user = new_user(stack, "Siti")
    # the first attempt fails after reading the password (its reply is refused); Lambda's retry finishes
    stack.telegram.fail_next("sendMessage", count=1, error_code=500, chat_id=user)
    say(stack, user, f"/daftar {NIP_SITI} {PASSWORD}")
    assert "Pendaftaran berhasil" in last_text(stack, user)
    row = query(stack.config.database, "SELECT attempts, sealed FROM update_inbox ORDER BY received_at DESC")[
        0
    ]
    assert row["attempts"] == 2
    assert row["sealed"] is None  # finished: the secret half is wiped
    nowhere_in_clear(stack, PASSWORD)


def test_a_password_update_that_fails_every_attempt_leaves_only_a_useless_dead_letter(
    stack: LocalStack, budi: int
) -> None:
    assert stack.runtime is not None
    user = new_user(stack, "Siti")
    letters_before = len(stack.runtime.dead_letters)
    stack.telegram.fail_next("sendMessage", count=3, error_code=500, chat_id=user)
    say(stack, user, f"/daftar {NIP_SITI} {PASSWORD}")
    letters = stack.runtime.dead_letters[letters_before:]
    assert len(letters) == 1
    nowhere_in_clear(stack, PASSWORD)
    assert "pad" in json.loads(letters[0].payload)
    # The sealed half is wiped after its time; an operator's re-drive then cannot recover the password and
    # asks the employee to repeat the step instead.
    query(stack.config.database, "UPDATE update_inbox SET received_at = received_at - INTERVAL 11 MINUTE")
    replay = {**json.loads(letters[0].payload), "replay": True}
    stack.runtime.invoke(letters[0].function, json.dumps(replay).encode())
    assert "ulangi langkahnya" in last_text(stack, user)
    assert query(
        stack.config.database, "SELECT COUNT(*) AS n FROM update_inbox WHERE sealed IS NOT NULL"
    ) == [{"n": 0}]
