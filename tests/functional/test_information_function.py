"""InformationFunction, BroadcastFunction, DocumentsFunction and the FAQ path with events/*.json, MariaDB,
moto (in-process) and the Telegram emulator.

Bad inputs tried: content not published yet, /umumkan in a private chat, /dokumen from an unregistered
account, a broadcast chunk that fails half-way with a 500 (SQS hands it over again: it resumes, nobody gets
it twice, the summary is sent once), a chunk delivered twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import ModuleType
from typing import Any, Final

import boto3
import pytest
from aws_lambda_powertools import Logger
from moto import mock_aws

from local_stack.telegram import TelegramEmulator
from sinawai.consultation.handlers import register as register_consultation
from sinawai.documents.handlers import register as register_documents
from sinawai.information import broadcast, content_files, content_store
from sinawai.information.handlers import register as register_information
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.db import Database
from sinawai.router.commands import CONSULTATION, DOCUMENTS, INFORMATION
from sinawai.telegram.runtime import GroupFunction
from tests.emf_lines import emf_lines, metric, new_container
from tests.helpers import (
    BOT_TOKEN,
    ROOT,
    STAFF_GROUP_CHAT_ID,
    FakeContext,
    db_env,
    load_event,
    query,
)

BUDI = 5550001
SITI = 5550002
RINA = 5550101
TAMU = 5550003
REGION: Final = "ap-southeast-3"
BUCKET = "sinawai-test-information"


@pytest.fixture
def emulator() -> Iterator[TelegramEmulator]:
    with TelegramEmulator(BOT_TOKEN) as emu:
        emu.add_user(BUDI, "Budi", last_name="Santoso", username="budi_s", started=True)
        emu.add_user(SITI, "Siti", started=True)
        emu.add_user(RINA, "Rina")
        emu.add_user(TAMU, "Tamu", started=True)
        emu.add_group(STAFF_GROUP_CHAT_ID, "Layanan Kepegawaian OSDM", members=[RINA])
        yield emu


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        yield client


@pytest.fixture
def env(db: DatabaseSettings, emulator: TelegramEmulator, s3: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in db_env(db).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", emulator.base_url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("STAFF_GROUP_CHAT_ID", str(STAFF_GROUP_CHAT_ID))
    monkeypatch.setenv("DOCUMENTS_BUCKET", BUCKET)
    monkeypatch.setenv("CONTENT_CACHE_SECONDS", "0")
    monkeypatch.delenv("BROADCAST_QUEUE_URL", raising=False)
    database = Database(db)
    for nip, name, user in (
        ("199001172015031001", "Budi Santoso", BUDI),
        ("199203042016042002", "Siti", SITI),
    ):
        database.execute(
            "INSERT INTO pengguna (nip, nama, id_telegram) VALUES (%s, %s, %s)", (nip, name, user)
        )
    database.close()


def publish(s3: Any) -> None:
    content_store.publish(BUCKET, content_files.build(content_files.load_folder(ROOT / "content")), s3=s3)


def handle(function: GroupFunction | ModuleType, event: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = function.lambda_handler(event, FakeContext())
    return result


def test_an_area_command_before_and_after_publication(env: None, s3: Any, emulator: TelegramEmulator) -> None:
    information = GroupFunction(INFORMATION, register_information)
    handle(information, load_event("information_jahdis"))
    assert "sedang disiapkan" in (emulator.bot_messages(BUDI)[-1].text or "")
    publish(s3)
    event = load_event("information_jahdis")
    event["update"]["update_id"] += 1000
    assert handle(information, event)["status"] == "done"
    menu_message = emulator.bot_messages(BUDI)[-1]
    assert "Kesejahteraan" in (menu_message.text or "")
    assert menu_message.callback_data[0] == "information:jahdis:s:cuti"


def test_terkini_and_umumkan_from_a_private_chat(
    env: None, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    information = GroupFunction(INFORMATION, register_information)
    handle(information, load_event("information_terkini"))
    assert "Belum ada pengumuman" in (emulator.bot_messages(BUDI)[-1].text or "")
    handle(information, load_event("information_umumkan_private"))
    assert "hanya dapat digunakan oleh petugas" in (emulator.bot_messages(BUDI)[-1].text or "")
    assert query(db, "SELECT id FROM announcement") == []
    views = query(db, "SELECT area, topic_id, via FROM content_view")
    assert views == [{"area": "terkini", "topic_id": None, "via": "command"}]


def test_dokumen_from_an_unregistered_account_asks_to_register(env: None, emulator: TelegramEmulator) -> None:
    documents = GroupFunction(DOCUMENTS, register_documents)
    event = load_event("documents_dokumen")
    event["update"]["message"]["from"]["id"] = TAMU
    event["update"]["message"]["chat"]["id"] = TAMU
    handle(documents, event)
    assert "sudah terdaftar" in (emulator.bot_messages(TAMU)[-1].text or "")


def test_the_sample_faq_question_gets_an_offer(
    env: None, s3: Any, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    publish(s3)
    consultation = GroupFunction(CONSULTATION, register_consultation)
    assert consultation.handle(load_event("consultation_faq_question"), FakeContext())["status"] == "done"
    offer = emulator.bot_messages(BUDI)[-1]
    assert "Cuti tahunan" in (offer.text or "")
    rows = query(db, "SELECT outcome, question_message_id FROM faq_offer")
    assert rows == [{"outcome": "menunggu", "question_message_id": 8}]
    assert query(db, "SELECT id FROM ticket") == []


def test_a_broadcast_chunk_that_fails_half_way_resumes_without_sending_twice(
    env: None, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    database = Database(db)
    database.execute(
        "INSERT INTO announcement (id, body, staff_chat_id, posted_at, broadcast_at)"
        " VALUES (1, 'Apel pagi Senin pukul 07.30 WIB.', %s, NOW(6), NOW(6))",
        (STAFF_GROUP_CHAT_ID,),
    )
    for user in (BUDI, SITI):
        database.execute(
            "INSERT INTO announcement_delivery (announcement_id, chat_id) VALUES (1, %s)", (user,)
        )
    database.close()
    sender = GroupFunction(INFORMATION, lambda app: None)
    event = load_event("broadcast_sqs_chunk")
    emulator.fail_next("sendMessage", error_code=500, chat_id=SITI)
    first = broadcast.handle_batch(sender, event)
    assert first == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}
    assert [m.text for m in emulator.bot_messages(STAFF_GROUP_CHAT_ID)] == []  # not finished: no summary
    for _ in range(2):  # SQS hands it over again (and, at least once, maybe twice)
        assert broadcast.handle_batch(sender, event) == {"batchItemFailures": []}
    for user in (BUDI, SITI):
        got = [m for m in emulator.bot_messages(user) if "Apel pagi Senin" in (m.text or "")]
        assert len(got) == 1
    summaries = emulator.bot_messages(STAFF_GROUP_CHAT_ID)
    assert len(summaries) == 1
    assert "Terkirim: 2 · Memblokir bot: 0 · Gagal: 0" in (summaries[0].text or "")
    assert json.loads(json.dumps(query(db, "SELECT status FROM announcement_delivery ORDER BY chat_id"))) == [
        {"status": "sent"},
        {"status": "sent"},
    ]


def test_the_broadcast_function_prints_what_it_sent_as_metrics(
    env: None, emulator: TelegramEmulator, db: DatabaseSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    """CloudWatch gets, per SQS batch, the recipients sent / blocked / failed, the chunks handed back and
    the broadcasts completed, under the function's own service (not the information group's)."""
    database = Database(db)
    database.execute(
        "INSERT INTO announcement (id, body, staff_chat_id, posted_at, broadcast_at)"
        " VALUES (1, 'Apel pagi Senin pukul 07.30 WIB.', %s, NOW(6), NOW(6))",
        (STAFF_GROUP_CHAT_ID,),
    )
    for user in (BUDI, SITI):
        database.execute(
            "INSERT INTO announcement_delivery (announcement_id, chat_id) VALUES (1, %s)", (user,)
        )
    database.close()
    new_container()
    handler = broadcast.entry_point(
        GroupFunction(INFORMATION, lambda app: None, logger=Logger(service="sinawai-broadcast"))
    )
    event = load_event("broadcast_sqs_chunk")

    emulator.fail_next("sendMessage", error_code=500, chat_id=SITI)  # Budi gets it, Siti's send fails
    assert handler(event, FakeContext())["batchItemFailures"]
    first = capsys.readouterr().out
    emulator.block_bot(SITI)  # by SQS's next hand-over, Siti has blocked the bot
    assert handler(event, FakeContext()) == {"batchItemFailures": []}
    second = capsys.readouterr().out

    def counts(output: str) -> dict[str, Any]:
        names = ("Sent", "Blocked", "Failed")
        values = {n: metric(output, f"BroadcastMessages{n}", service="sinawai-broadcast") for n in names}
        values["retried"] = metric(output, "BroadcastChunksRetried", service="sinawai-broadcast")
        values["completed"] = metric(output, "BroadcastsCompleted", service="sinawai-broadcast")
        return values

    assert counts(first) == {
        "Sent": [1.0],
        "Blocked": [0.0],
        "Failed": [0.0],
        "retried": [1.0],
        "completed": [0.0],
    }
    assert counts(second) == {
        "Sent": [0.0],
        "Blocked": [1.0],
        "Failed": [0.0],
        "retried": [0.0],
        "completed": [1.0],
    }
    assert metric(first, "ColdStart", service="sinawai-broadcast") == [1.0]
    assert metric(second, "ColdStart", service="sinawai-broadcast") == []
    (cold,) = [line for line in emf_lines(first) if "ColdStart" in line.metrics]
    assert cold.dimensions == {"function_name": "test-function", "service": "sinawai-broadcast"}
