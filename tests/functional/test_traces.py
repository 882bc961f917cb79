"""The functions' X-Ray subsegments, as Lambda's X-Ray daemon receives them.

Each function runs in a fresh interpreter with Lambda's environment and active tracing (tests/xray_daemon.py):
Powertools Tracer as built in AWS, a UDP stand-in for the daemon, real MariaDB, the Bot API emulator and
moto's S3. The trace is the one the router's ``Invoke`` carried in (test_trace_propagation.py): the
handler's subsegment hangs under the function segment Lambda opened for it, and under it MySQL, Telegram
and S3, which show what was done but never a value, a URL with the token, or an object key.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote_plus

import boto3
import pytest

from local_stack.telegram import TelegramEmulator
from sinawai.platform.config import DatabaseSettings
from tests.helpers import (
    BOT_TOKEN,
    EVENTS,
    STAFF_GROUP_CHAT_ID,
    db_env,
    load_event,
    query,
)
from tests.xray_daemon import FUNCTION_SEGMENT, TRACE_ROOT, XRayDaemon, run_traced, xray_daemon

BUDI = 5550001
STAFF = 7770001
BUCKET = "sinawai-trace-documents"
# An uploaded file's name may carry a NIP: the key stays out of the trace.
IMPORT_KEY = "imports/employees/pegawai 199001012020121001 biro osdm.csv"


@pytest.fixture
def daemon() -> Iterator[XRayDaemon]:
    with xray_daemon() as d:
        yield d


@pytest.fixture
def emulator() -> Iterator[TelegramEmulator]:
    with TelegramEmulator(BOT_TOKEN) as emu:
        emu.add_user(BUDI, "Budi", last_name="Santoso")
        emu.send_message(BUDI, "/start")
        emu.add_user(STAFF, "Rina", last_name="Staf OSDM")
        emu.add_group(STAFF_GROUP_CHAT_ID, "OSDM", members=[STAFF])
        yield emu


def function_env(db: DatabaseSettings, emulator: TelegramEmulator) -> dict[str, str]:
    return {**db_env(db), "TELEGRAM_API_BASE_URL": emulator.base_url, "TELEGRAM_BOT_TOKEN": BOT_TOKEN}


def named(documents: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [d for d in documents if d.get("name") == name]


def assert_nothing_secret(daemon: XRayDaemon, *secrets: str) -> None:
    raw = b"".join(daemon.raw).decode()
    for secret in (BOT_TOKEN.partition(":")[2], *secrets):
        assert secret not in raw, f"{secret!r} was sent to X-Ray"
    for document in daemon.documents():
        assert "url" not in (document.get("http") or {}).get("request", {})


def test_an_update_is_one_trace_with_its_mysql_and_telegram_calls(
    db: DatabaseSettings, emulator: TelegramEmulator, daemon: XRayDaemon
) -> None:
    answer, _ = run_traced(
        "general", load_event("general_start"), function_env(db, emulator), daemon, service="sinawai-general"
    )
    assert answer["status"] == "done"
    documents = daemon.documents()
    assert {d["trace_id"] for d in documents} == {TRACE_ROOT}  # the router's trace, continued

    (handler,) = named(documents, "## handle")
    assert handler["parent_id"] == FUNCTION_SEGMENT
    assert handler["annotations"]["update_id"] == "810000001"
    assert handler["annotations"]["command_group"] == "general"

    telegram = named(documents, "Telegram Bot API")
    assert [t["annotations"]["telegram_method"] for t in telegram] == ["getme", "sendmessage"]
    assert all(t["namespace"] == "remote" and t["http"]["response"]["status"] == 200 for t in telegram)

    mysql = named(documents, "MySQL")
    queries = [m["sql"]["sanitized_query"] for m in mysql]
    assert any(q.startswith("INSERT INTO pesan") for q in queries)  # the reply logged
    assert any(q.startswith("UPDATE update_inbox SET status") for q in queries)  # the update finished
    assert "BEGIN … COMMIT" in queries  # the claim's transaction
    # parameterised statements only: the update id, the name and the text are arguments, never in the trace
    for value in ("810000001", "Budi", "/start"):
        assert not any(value in q for q in queries)
    assert_nothing_secret(daemon)


@pytest.fixture
def s3(moto_url: str) -> Any:
    client = boto3.client(
        "s3",
        region_name="ap-southeast-3",
        endpoint_url=moto_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-3"})
    client.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    return client


def test_an_import_traces_s3_mysql_and_the_staff_message_without_the_file_name(
    db: DatabaseSettings, emulator: TelegramEmulator, daemon: XRayDaemon, s3: Any, moto_url: str
) -> None:
    put = s3.put_object(
        Bucket=BUCKET, Key=IMPORT_KEY, Body=(EVENTS / "imports" / "employees.csv").read_bytes()
    )
    event = copy.deepcopy(load_event("import_s3_employees"))
    record = event["Records"][0]
    record["s3"]["bucket"]["name"] = BUCKET
    record["s3"]["object"].update(key=quote_plus(IMPORT_KEY, safe="/"), versionId=put["VersionId"])
    env = {
        **function_env(db, emulator),
        "STAFF_GROUP_CHAT_ID": str(STAFF_GROUP_CHAT_ID),
        "DOCUMENTS_BUCKET": BUCKET,
        "AWS_ENDPOINT_URL_S3": moto_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }

    answer, _ = run_traced("imports", event, env, daemon, service="sinawai-imports")
    assert answer["results"][0]["status"] == "imported"
    assert query(db, "SELECT COUNT(*) AS n FROM pengguna") == [{"n": 8}]
    documents = daemon.documents()
    assert {d["trace_id"] for d in documents} == {TRACE_ROOT}
    (handler,) = named(documents, "## handle")
    assert handler["parent_id"] == FUNCTION_SEGMENT

    s3_calls = named(documents, "s3")
    assert [c["aws"]["operation"] for c in s3_calls] == ["GetObject", "DeleteObject"]
    assert all(c["namespace"] == "aws" and c["aws"].get("bucket_name") == BUCKET for c in s3_calls)
    assert not any("key" in c["aws"] for c in s3_calls)
    queries = [m["sql"]["sanitized_query"] for m in named(documents, "MySQL")]
    assert any(q.startswith("SELECT status FROM import_run WHERE source = %s") for q in queries)
    assert "BEGIN … COMMIT" in queries  # the import, all or nothing
    (notice,) = named(documents, "Telegram Bot API")[-1:]
    assert notice["annotations"]["telegram_method"] == "sendmessage"
    assert_nothing_secret(daemon, "199001012020121001", "biro osdm.csv")


def test_a_boto3_client_created_mid_invocation_is_traced(
    db: DatabaseSettings, emulator: TelegramEmulator, daemon: XRayDaemon, moto_url: str
) -> None:
    """Budi's question becomes a ticket whose staff-group posts go to the SQS FIFO queue: boto3 is first
    imported inside the invocation, and its call is a subsegment too (the queue's name, not the message)."""
    sqs = boto3.client(
        "sqs",
        region_name="ap-southeast-3",
        endpoint_url=moto_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    queue = sqs.create_queue(
        QueueName="sinawai-trace-staff.fifo",
        Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "false"},
    )["QueueUrl"]
    query(
        db,
        "INSERT INTO pengguna (nip, nama, unit_kerja, id_telegram)"
        " VALUES (%s, 'Budi Santoso', 'Biro Umum', %s)",
        ("199001172015031001", BUDI),
    )
    env = {
        **function_env(db, emulator),
        "STAFF_GROUP_CHAT_ID": str(STAFF_GROUP_CHAT_ID),
        "STAFF_DELIVERY_QUEUE_URL": queue,
        "AWS_ENDPOINT_URL_SQS": moto_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    answer, _ = run_traced(
        "consultation", load_event("consultation_question"), env, daemon, service="sinawai-consultation"
    )
    assert answer["status"] == "done"
    (handed_over,) = named(daemon.documents(), "sqs")
    assert handed_over["aws"]["operation"] == "SendMessageBatch"
    assert handed_over["aws"]["queue_url"] == queue
    received = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    assert len(received) == 2  # the ticket's header and the copy of the question
    assert_nothing_secret(daemon, "cuti besar", "199001172015031001")
