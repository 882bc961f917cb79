"""Hand-over, areas and service-target reminders end to end (issue 15, items 5 and 9), through the local
stack with the strict emulator, as staff in the staff group would use them.

Its own stack (database, bucket) with the shipped content published (the FAQ files a matched question under
its topic's area) and WORKING_HOURS open every day 00:00-23:59, so "now" is a working moment (national
holidays stay closed: on one, the test expects no reminder and no list, which is the rule too).

Bad inputs tried: /alihkan to a group member who is no registered staff, to an unknown @name, without a
number; /area with an unknown area and without one; /tiket with an unknown filter; the sweep and the
morning list run twice (a reminder is never raised twice, the list is sent once a day).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from local_stack.stack import LocalStack, StackConfig
from local_stack.telegram import ChatMessage, RateLimits
from sinawai import cli
from sinawai.common.working_hours import WorkingHours, indonesian_holidays
from sinawai.consultation import sla
from sinawai.platform.db import Database
from tests.helpers import ROOT, fresh_database, query

pytestmark = pytest.mark.e2e

STAFF = -1001000000015
BUDI, SITI = 5590001, 5590002
RINA, ANDI, TONO = 5590101, 5590102, 5590103
NIP_BUDI, NIP_SITI = "199001172015031001", "199203252016042002"
NIP_RINA, NIP_ANDI = "198801012010012001", "198902022011011002"
HOURS_SPEC = "mon-sun 00:00-23:59"
SWEEP = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}
MORNING = {"source": "sinawai.scheduler", "task": "sla-morning-list"}


def publish(stack: LocalStack) -> int:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AWS_ENDPOINT_URL_S3", stack.moto_url)
        mp.setenv("AWS_ACCESS_KEY_ID", "testing")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        mp.setenv("AWS_DEFAULT_REGION", "ap-southeast-3")
        return cli.main(["content", "publish", str(ROOT / "content"), "--bucket", stack.config.bucket])


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    log_dir: Path = tmp_path_factory.mktemp("handover-logs")
    env = {
        "WORKING_HOURS": HOURS_SPEC,
        "CONTENT_CACHE_SECONDS": "0",
        "CONSULTATION_SLA_REMINDER_HOURS": "8",
        "CONSULTATION_MAX_OPEN_TICKETS": "10",
        "STAFF_GROUP_MESSAGES_PER_MINUTE": "10000",
    }
    with fresh_database("sinawai_e2e_handover") as database:
        config = StackConfig(
            database=database,
            log_dir=log_dir,
            staff_group_chat_id=STAFF,
            bucket="sinawai-e2e-handover",
            extra_env=env,
            telegram_rate_limits=RateLimits(group_messages=None, private_burst=None),
        )
        with LocalStack(config) as local:
            emu = local.telegram
            emu.add_user(BUDI, "Budi", last_name="Santoso", started=True)
            emu.add_user(SITI, "Siti", started=True)
            emu.add_user(RINA, "Rina", username="rina_osdm", started=True)
            emu.add_user(ANDI, "Andi", username="andi_osdm", started=True)
            emu.add_user(TONO, "Tono", username="tono_unit")
            emu.add_group(STAFF, "Layanan Kepegawaian OSDM", members=[RINA, ANDI, TONO])
            db = Database(database)
            sql = (
                "INSERT INTO pengguna (nip, nama, status, unit_kerja, id_telegram, hak_pengguna)"
                " VALUES (%s, %s, 'aktif', %s, %s, %s)"
            )
            db.execute(sql, (NIP_BUDI, "Budi Santoso", "Biro Umum", BUDI, "pegawai"))
            db.execute(sql, (NIP_SITI, "Siti Rahmawati", "Pusdatik", SITI, "pegawai"))
            db.execute(sql, (NIP_RINA, "Rina Wulandari", "Biro OSDM", RINA, "staf"))
            db.execute(sql, (NIP_ANDI, "Andi Pratama", "Biro OSDM", ANDI, "staf"))
            db.close()
            assert publish(local) == 0
            yield local


# ---- helpers ------------------------------------------------------------------------------------------


def staff_says(stack: LocalStack, user: int, text: str, reply_to: int | None = None) -> ChatMessage:
    stack.telegram.send_message(user, text, chat_id=STAFF, reply_to_message_id=reply_to)
    stack.wait_idle()
    return stack.telegram.bot_messages(STAFF)[-1]


def last(stack: LocalStack, chat_id: int) -> ChatMessage:
    return stack.telegram.bot_messages(chat_id)[-1]


def ticket_row(stack: LocalStack, ticket_id: int) -> dict[str, Any]:
    (row,) = query(
        stack.config.database,
        "SELECT area, assigned_staff_id, assigned_staff_name, status, header_message_id FROM ticket"
        " WHERE id = %s",
        (ticket_id,),
    )
    return row


def events(stack: LocalStack, ticket_id: int, event: str) -> list[dict[str, Any]]:
    rows = query(
        stack.config.database,
        "SELECT detail FROM ticket_event WHERE ticket_id = %s AND event = %s ORDER BY id",
        (ticket_id, event),
    )
    return [json.loads(r["detail"]) for r in rows]


def header(stack: LocalStack, ticket_id: int) -> ChatMessage:
    message_id = ticket_row(stack, ticket_id)["header_message_id"]
    (found,) = [m for m in stack.telegram.bot_messages(STAFF) if m.message_id == message_id]
    return found


def latest_ticket(stack: LocalStack) -> int:
    (row,) = query(stack.config.database, "SELECT MAX(id) AS id FROM ticket")
    return int(row["id"])


def invoke(stack: LocalStack, event: dict[str, Any]) -> dict[str, Any]:
    assert stack.runtime is not None
    result = stack.runtime.invoke("ConsultationFunction", json.dumps(event).encode())
    assert result.function_error is None, result.payload
    stack.wait_idle()
    answer: dict[str, Any] = json.loads(result.payload)
    return answer


def ask_matched(stack: LocalStack) -> int:
    """Budi asks about disiplin and tunkin (a choice of two jahdis topics) and sends it to the staff."""
    emu = stack.telegram
    emu.send_message(BUDI, "hukuman disiplin sedang potong tukin brp persen ya")
    stack.wait_idle()
    choice = last(stack, BUDI)
    new_question = [data for data in choice.callback_data if data.endswith(":baru")]
    if new_question:  # a ticket is open: "Pertanyaan baru" first
        emu.press_button(BUDI, BUDI, choice.message_id, new_question[0])
        stack.wait_idle()
        choice = last(stack, BUDI)
    (offer,) = query(stack.config.database, "SELECT MAX(id) AS id FROM faq_offer")
    emu.press_button(BUDI, BUDI, choice.message_id, f"consultation:faq:{offer['id']}:tidak")
    stack.wait_idle()
    return latest_ticket(stack)


# ---- item 5: areas and hand-over ----------------------------------------------------------------------


def test_a_matched_question_is_filed_under_its_topic_area_and_staff_change_it(stack: LocalStack) -> None:
    ticket_id = ask_matched(stack)
    assert ticket_row(stack, ticket_id)["area"] == "jahdis"
    assert events(stack, ticket_id, "area_set") == [{"area": "jahdis", "by": "faq"}]
    assert "Bidang: Kesejahteraan & Disiplin" in (header(stack, ticket_id).text or "")

    # bad inputs: an unknown area, no area, no number: nothing changes
    for bad, says in (
        (f"/area {ticket_id} kepegawaian", "tidak dikenal"),
        (f"/area {ticket_id}", "Format: /area N BIDANG"),
        ("/area", "Format: /area N BIDANG"),
        ("/area abc jahdis", "tidak ditemukan"),
    ):
        assert says in (staff_says(stack, RINA, bad).text or ""), bad
    assert ticket_row(stack, ticket_id)["area"] == "jahdis"

    answer = staff_says(stack, RINA, f"/area {ticket_id} MUTASI").text or ""
    assert f"Tiket #{ticket_id} kini masuk bidang Mutasi (diubah oleh Rina Wulandari)" in answer
    assert "Bidang: Mutasi" in (header(stack, ticket_id).text or "")
    assert events(stack, ticket_id, "area_set")[-1] == {"area": "mutasi", "by": "staf"}
    assert "sudah masuk bidang Mutasi" in (staff_says(stack, RINA, f"/area {ticket_id} mutasi").text or "")
    assert len(events(stack, ticket_id, "area_set")) == 2

    listing = staff_says(stack, RINA, "/tiket mutasi").text or ""
    assert f"#{ticket_id} · Baru · Mutasi · Budi Santoso" in listing
    assert "Tidak ada tiket terbuka bidang Kesejahteraan & Disiplin" in (
        staff_says(stack, RINA, "/tiket jahdis").text or ""
    )
    assert f"#{ticket_id} · Baru · Mutasi" in (staff_says(stack, RINA, "/tiket").text or "")
    for bad in ("/tiket semua", "/tiket mutasi jahdis"):
        assert "tidak dikenal" in (staff_says(stack, RINA, bad).text or ""), bad


def test_a_ticket_is_handed_to_a_registered_colleague_and_only_to_one(stack: LocalStack) -> None:
    ticket_id = ask_matched(stack)
    # bad inputs: a group member who is no registered staff, an unknown name, no number
    for bad in (f"/alihkan {ticket_id} @tono_unit", f"/alihkan {ticket_id} @tidak_ada"):
        assert "bukan anggota staf terdaftar" in (staff_says(stack, RINA, bad).text or ""), bad
    assert "Format: /alihkan N @nama_pengguna" in (staff_says(stack, RINA, "/alihkan").text or "")
    assert ticket_row(stack, ticket_id)["assigned_staff_id"] is None
    assert events(stack, ticket_id, "handed_over") == []

    budi_before = len(stack.telegram.bot_messages(BUDI))
    answer = staff_says(stack, RINA, f"/alihkan {ticket_id} @Andi_OSDM")
    assert f"Tiket #{ticket_id} dialihkan kepada Andi Pratama oleh Rina Wulandari" in (answer.text or "")
    # the colleague is mentioned (a link to the user that Telegram notifies)
    assert any(
        e.get("type") == "text_mention" or "tg://user?id=" in str(e.get("url", "")) for e in answer.entities
    )
    row = ticket_row(stack, ticket_id)
    assert (row["assigned_staff_id"], row["assigned_staff_name"], row["status"]) == (
        ANDI,
        "Andi Pratama",
        "diproses",
    )
    assert "Petugas: Andi Pratama" in (header(stack, ticket_id).text or "")
    assert events(stack, ticket_id, "handed_over") == [{"from": None, "to": ANDI, "to_name": "Andi Pratama"}]
    # item 5: nobody handled it yet: Budi reads it as taken, once, without a staff name
    (told,) = stack.telegram.bot_messages(BUDI)[budi_before:]
    assert f"Tiket #{ticket_id} sedang ditangani oleh petugas Biro OSDM" in (told.text or "")
    assert f"#{ticket_id} " in (staff_says(stack, ANDI, "/tiket saya").text or "")
    assert f"#{ticket_id} " not in (staff_says(stack, RINA, "/tiket saya").text or "")
    assert "sudah ditangani oleh Andi Pratama" in (
        staff_says(stack, RINA, f"/alihkan {ticket_id} @andi_osdm").text or ""
    )
    assert len(stack.telegram.bot_messages(BUDI)) == budi_before + 1  # no hand-over: Budi hears nothing

    # without a name: the registered staff in the group as buttons (Tono is not one)
    choose = staff_says(stack, ANDI, f"/alihkan {ticket_id}")
    assert f"Alihkan tiket #{ticket_id} kepada siapa?" in (choose.text or "")
    assert choose.callback_data == [
        f"consultation:alih:{ticket_id}:{ANDI}",
        f"consultation:alih:{ticket_id}:{RINA}",
    ]
    assert all(len(data.encode()) <= 64 for data in choose.callback_data)
    stack.telegram.press_button(ANDI, STAFF, choose.message_id, f"consultation:alih:{ticket_id}:{RINA}")
    stack.wait_idle()
    edited = next(m for m in stack.telegram.bot_messages(STAFF) if m.message_id == choose.message_id)
    assert "dialihkan kepada Rina Wulandari oleh Andi Pratama" in (edited.text or "")
    assert "Petugas: Rina Wulandari" in (header(stack, ticket_id).text or "")
    # item 5: handed from one staff member to another: Budi is told once, politely, with no name
    (told,) = stack.telegram.bot_messages(BUDI)[budi_before + 1 :]
    assert (told.text or "").startswith(f"Tiket #{ticket_id} kini ditangani petugas lain di Biro OSDM.")
    assert "Andi" not in (told.text or "")
    assert "Rina" not in (told.text or "")
    # a reply to the notice joins the ticket (no choice asked)
    stack.telegram.send_message(BUDI, "Baik, terima kasih.", reply_to_message_id=told.message_id)
    stack.wait_idle()
    assert f"#{ticket_id}" in (last(stack, BUDI).text or "")
    assert events(stack, ticket_id, "handed_over")[-1] == {
        "from": ANDI,
        "to": RINA,
        "to_name": "Rina Wulandari",
    }
    # a forged button naming a non-staff account changes nothing
    stack.telegram.press_forged_button(
        ANDI, STAFF, choose.message_id, f"consultation:alih:{ticket_id}:{TONO}"
    )
    stack.wait_idle()
    assert ticket_row(stack, ticket_id)["assigned_staff_id"] == RINA
    assert "kini ditangani petugas lain" not in (last(stack, BUDI).text or "")

    staff_says(stack, RINA, f"/tutup {ticket_id}")
    assert "sudah selesai" in (staff_says(stack, RINA, f"/alihkan {ticket_id} @andi_osdm").text or "")
    assert ticket_row(stack, ticket_id)["assigned_staff_id"] == RINA


# ---- item 9: service-target reminders ------------------------------------------------------------------


def test_a_ticket_waiting_past_the_target_is_raised_once_and_listed_in_the_morning(stack: LocalStack) -> None:
    stack.telegram.send_message(SITI, "Mohon dicek berkas usulan saya nomor 4471 sudah sampai mana.")
    stack.wait_idle()
    ticket_id = latest_ticket(stack)
    # another ticket, answered long ago, is never raised
    answered = ask_matched(stack)
    staff_says(stack, RINA, "Sudah kami proses, Bapak.", reply_to=header(stack, answered).message_id)
    db = Database(stack.config.database)
    db.execute(
        "UPDATE ticket SET created_at = created_at - INTERVAL 10 HOUR WHERE id IN (%s, %s)",
        (ticket_id, answered),
    )
    db.close()
    hours = WorkingHours.from_spec(HOURS_SPEC, is_holiday=indonesian_holidays())
    now = datetime.now(UTC)
    working_now = hours.is_open(now)

    before = len(stack.telegram.bot_messages(STAFF))
    result = invoke(stack, SWEEP)
    staff_posts = stack.telegram.bot_messages(STAFF)[before:]
    if not working_now:  # a national holiday: nothing is raised
        assert result["reminded"] == []
        assert staff_posts == []
        return
    assert result["reminded"] == [ticket_id]
    (reminder,) = staff_posts
    created = now - timedelta(hours=10)
    expected = {
        sla.waited_text(sla.waited_working_hours(created, now + timedelta(minutes=d), hours))
        for d in (-1, 0, 2)
    }
    assert any(f"Tiket #{ticket_id} menunggu {w}" in (reminder.text or "") for w in expected), reminder.text
    assert "target layanan 8 jam kerja" in (reminder.text or "")
    assert reminder.reply_to_message_id == header(stack, ticket_id).message_id
    (detail,) = events(stack, ticket_id, "sla_reminded")
    assert detail["area"] == "umum"
    assert detail["waited_working_hours"] >= 8

    # the sweep again (or EventBridge delivering it twice): never a second reminder
    assert invoke(stack, SWEEP)["reminded"] == []
    assert len(stack.telegram.bot_messages(STAFF)) == before + 1
    assert len(events(stack, ticket_id, "sla_reminded")) == 1
    assert events(stack, answered, "sla_reminded") == []

    # the morning list: once a day, with what is overdue
    listed = invoke(stack, MORNING)
    assert listed["overdue"] == [ticket_id]
    morning = last(stack, STAFF).text or ""
    assert "Tiket yang melewati target layanan (8 jam kerja)" in morning
    assert f"#{ticket_id} · menunggu" in morning
    assert "Umum · belum diambil" in morning
    assert invoke(stack, MORNING) == {"status": "skipped", "reason": "sent already"}
    assert len(stack.telegram.bot_messages(STAFF)) == before + 2


# ---- staff names: the registered name wherever the handling staff member is shown --------------------


def test_ambil_names_the_staff_member_by_their_registered_name_as_a_hand_over_does(
    stack: LocalStack,
) -> None:
    """Rina's Telegram name is "Rina"; she is registered as "Rina Wulandari": Ambil, the header, /tiket
    and the ticket's record all say the registered name (Tono, not registered, keeps his Telegram name)."""
    dewi, nip_dewi = 5590003, "199405052019032003"
    stack.telegram.add_user(dewi, "Dewi", started=True)
    db = Database(stack.config.database)
    db.execute(
        "INSERT INTO pengguna (nip, nama, status, unit_kerja, id_telegram, hak_pengguna)"
        " VALUES (%s, 'Dewi Lestari', 'aktif', 'Pusdatik', %s, 'pegawai')",
        (nip_dewi, dewi),
    )
    db.close()
    stack.telegram.send_message(dewi, "Mohon dicek berkas saya nomor 5521 sudah sampai mana.")
    stack.wait_idle()
    ticket_id = latest_ticket(stack)
    assert f"#{ticket_id}" in (last(stack, dewi).text or "")
    top = header(stack, ticket_id)
    stack.telegram.press_button(RINA, STAFF, top.message_id, f"consultation:ambil:{ticket_id}")
    stack.wait_idle()
    answered = [str(call.params.get("text") or "") for call in stack.telegram.calls_to("answerCallbackQuery")]
    assert f"Tiket #{ticket_id} diambil oleh Rina Wulandari" in answered[-1]
    assert ticket_row(stack, ticket_id)["assigned_staff_name"] == "Rina Wulandari"
    assert "Petugas: Rina Wulandari" in (header(stack, ticket_id).text or "")
    listing = staff_says(stack, ANDI, "/tiket").text or ""
    (line,) = [x for x in listing.splitlines() if x.startswith(f"#{ticket_id} ")]
    assert "Dewi Lestari" in line
    assert line.endswith(" · Rina Wulandari"), line
    (named,) = query(
        stack.config.database,
        "SELECT actor_name FROM ticket_event WHERE ticket_id = %s AND event = 'taken'",
        (ticket_id,),
    )
    assert named["actor_name"] == "Rina Wulandari"
