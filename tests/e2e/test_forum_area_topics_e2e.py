"""One forum topic per area (issue 15, item 5: CONSULTATION_FORUM_TOPICS=area) end to end, through the local
stack with the strict emulator (a topic that does not exist, or a topic in a group that is no forum, is
refused as Telegram refuses it).

Its own stack (database, bucket) with the shipped content published (the FAQ files a matched question under
its topic's area), a forum staff group. Bad inputs tried: a staff message in an area topic that replies to
nothing (chatter, not an answer: an area topic holds many tickets); /area to the area a ticket has already
(no notice, no topic).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local_stack.stack import LocalStack, StackConfig
from local_stack.telegram import ChatMessage, RateLimits
from sinawai import cli
from sinawai.platform.db import Database
from tests.helpers import ROOT, fresh_database, query

pytestmark = pytest.mark.e2e

STAFF = -1001000000021
BUDI, SITI, RINA = 5621001, 5621002, 5621101
NIP_BUDI, NIP_SITI, NIP_RINA = "199001172015031001", "199203252016042002", "198801012010012001"


def publish(stack: LocalStack) -> int:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AWS_ENDPOINT_URL_S3", stack.moto_url)
        mp.setenv("AWS_ACCESS_KEY_ID", "testing")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        mp.setenv("AWS_DEFAULT_REGION", "ap-southeast-3")
        return cli.main(["content", "publish", str(ROOT / "content"), "--bucket", stack.config.bucket])


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    log_dir: Path = tmp_path_factory.mktemp("area-topic-logs")
    env = {
        "WORKING_HOURS": "mon-sun 00:00-23:59",
        "CONTENT_CACHE_SECONDS": "0",
        "CONSULTATION_FORUM_TOPICS": "area",
        "CONSULTATION_MAX_OPEN_TICKETS": "10",
        "STAFF_GROUP_MESSAGES_PER_MINUTE": "10000",
    }
    with fresh_database("sinawai_e2e_area_topics") as database:
        config = StackConfig(
            database=database,
            log_dir=log_dir,
            staff_group_chat_id=STAFF,
            bucket="sinawai-e2e-area-topics",
            extra_env=env,
            telegram_rate_limits=RateLimits(group_messages=None, private_burst=None),
        )
        with LocalStack(config) as local:
            emu = local.telegram
            emu.add_user(BUDI, "Budi", last_name="Santoso", started=True)
            emu.add_user(SITI, "Siti", started=True)
            emu.add_user(RINA, "Rina", username="rina_osdm", started=True)
            emu.add_group(STAFF, "Layanan Kepegawaian OSDM", members=[RINA], forum=True)
            db = Database(database)
            sql = (
                "INSERT INTO pengguna (nip, nama, status, unit_kerja, id_telegram, hak_pengguna)"
                " VALUES (%s, %s, 'aktif', %s, %s, %s)"
            )
            db.execute(sql, (NIP_BUDI, "Budi Santoso", "Biro Umum", BUDI, "pegawai"))
            db.execute(sql, (NIP_SITI, "Siti Rahmawati", "Pusdatik", SITI, "pegawai"))
            db.execute(sql, (NIP_RINA, "Rina Wulandari", "Biro OSDM", RINA, "staf"))
            db.close()
            assert publish(local) == 0
            yield local


def last(stack: LocalStack, chat_id: int) -> ChatMessage:
    return stack.telegram.bot_messages(chat_id)[-1]


def ticket_row(stack: LocalStack, ticket_id: int) -> dict[str, Any]:
    (row,) = query(
        stack.config.database,
        "SELECT area, message_thread_id, header_message_id FROM ticket WHERE id = %s",
        (ticket_id,),
    )
    return row


def latest_ticket(stack: LocalStack) -> int:
    (row,) = query(stack.config.database, "SELECT MAX(id) AS id FROM ticket")
    return int(row["id"])


def topics_created(stack: LocalStack) -> list[tuple[str, int]]:
    return [
        (str(c.params["name"]), int(c.result["message_thread_id"]))
        for c in stack.telegram.calls_to("createForumTopic")
        if c.ok
    ]


def in_thread(stack: LocalStack, thread: int) -> list[ChatMessage]:
    return [m for m in stack.telegram.bot_messages(STAFF) if m.message_thread_id == thread]


def ask_matched(stack: LocalStack, user: int) -> int:
    """A question about disiplin and tunkin (jahdis topics), sent on to the staff."""
    emu = stack.telegram
    emu.send_message(user, "hukuman disiplin sedang potong tukin brp persen ya")
    stack.wait_idle()
    choice = last(stack, user)
    new_question = [data for data in choice.callback_data if data.endswith(":baru")]
    if new_question:  # a ticket is open: "Pertanyaan baru" first
        emu.press_button(user, user, choice.message_id, new_question[0])
        stack.wait_idle()
        choice = last(stack, user)
    (offer,) = query(stack.config.database, "SELECT MAX(id) AS id FROM faq_offer")
    emu.press_button(user, user, choice.message_id, f"consultation:faq:{offer['id']}:tidak")
    stack.wait_idle()
    return latest_ticket(stack)


def test_tickets_go_into_one_topic_per_area_made_once_and_moved_with_a_notice(stack: LocalStack) -> None:
    emu = stack.telegram
    first = ask_matched(stack, BUDI)
    assert ticket_row(stack, first)["area"] == "jahdis"
    ((name, jahdis),) = topics_created(stack)
    assert name == "Bidang Kesejahteraan & Disiplin"
    row = ticket_row(stack, first)
    assert row["message_thread_id"] == jahdis
    header, question = in_thread(stack, jahdis)[-2:]
    assert header.message_id == row["header_message_id"]
    assert f"Tiket #{first}" in (header.text or "")
    assert question.reply_to_message_id == header.message_id

    # a ticket of another area: its own topic; another of the same area: the same topic, none created
    emu.send_message(SITI, "Mohon dicek berkas usulan saya nomor 4471 sudah sampai mana.")
    stack.wait_idle()
    other = latest_ticket(stack)
    assert ticket_row(stack, other)["area"] == "umum"  # no topic matched it
    assert [n for n, _ in topics_created(stack)] == ["Bidang Kesejahteraan & Disiplin", "Bidang Umum"]
    assert ticket_row(stack, other)["message_thread_id"] == topics_created(stack)[1][1]
    same = ask_matched(stack, SITI)
    assert same != other
    assert ticket_row(stack, same)["message_thread_id"] == jahdis
    assert len(topics_created(stack)) == 2
    rows = query(stack.config.database, "SELECT area, message_thread_id FROM staff_forum_topic ORDER BY area")
    assert {r["area"]: r["message_thread_id"] for r in rows}["jahdis"] == jahdis

    # an area topic holds many tickets: a staff message replying to none of them is chatter
    before = len(emu.bot_messages(BUDI))
    emu.send_message(RINA, "Siapa yang pegang bidang ini hari ini?", chat_id=STAFF, message_thread_id=jahdis)
    stack.wait_idle()
    assert len(emu.bot_messages(BUDI)) == before
    # a reply to the ticket's header answers it
    emu.send_message(
        RINA, "Potongan 25 % selama 3 bulan.", chat_id=STAFF, reply_to_message_id=header.message_id
    )
    stack.wait_idle()
    answer = last(stack, BUDI)
    assert "Potongan 25 % selama 3 bulan." in (answer.text or answer.content)

    # /area moves it: the new area's topic (made once) gets a notice linking to the header
    emu.send_message(RINA, f"/area {first} mutasi", chat_id=STAFF, message_thread_id=jahdis)
    stack.wait_idle()
    (mutasi_name, mutasi) = topics_created(stack)[-1]
    assert mutasi_name == "Bidang Mutasi"
    assert ticket_row(stack, first)["message_thread_id"] == mutasi
    (notice,) = in_thread(stack, mutasi)
    assert f"Tiket #{first} dipindahkan ke bidang Mutasi" in (notice.text or "")
    link = f"https://t.me/c/{str(STAFF)[4:]}/{jahdis}/{header.message_id}"
    assert any(e.get("url") == link for e in notice.entities), notice.entities
    created = len(topics_created(stack))
    emu.send_message(RINA, f"/area {first} mutasi", chat_id=STAFF, message_thread_id=mutasi)
    stack.wait_idle()
    assert "sudah masuk bidang Mutasi" in (last(stack, STAFF).text or "")
    assert len(topics_created(stack)) == created
    assert len(in_thread(stack, mutasi)) == 2  # the notice and the answer to the command

    # Budi writes more on the ticket (a reply to the answer): it goes to the new topic, replying to the notice
    emu.send_message(BUDI, "Apakah bisa diajukan keberatan?", reply_to_message_id=answer.message_id)
    stack.wait_idle()
    copy = [m for m in in_thread(stack, mutasi) if m.reply_to_message_id == notice.message_id]
    assert copy, [m.content for m in in_thread(stack, mutasi)]
    # a reply to the notice answers the ticket
    emu.send_message(RINA, "Bisa, dalam 14 hari.", chat_id=STAFF, reply_to_message_id=notice.message_id)
    stack.wait_idle()
    assert "Bisa, dalam 14 hari." in (last(stack, BUDI).text or last(stack, BUDI).content)
