"""ReportFunction's handler on MariaDB, moto's S3 and the Telegram emulator.

Bad inputs tried: the same scheduled date twice, two containers running it at once, a managers' chat id
Telegram refuses (recorded, retried, the staff group told once), S3 without the bucket (the digest still
goes out; the archive is retried), /laporan from an employee, in the staff group and with dates that do
not exist, run backwards or span more than a year.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, Final

import boto3
import pytest
from moto import mock_aws

from local_stack.telegram import TelegramEmulator
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.db import Database
from sinawai.report import service
from sinawai.report.handlers import register
from sinawai.report.service import ArchiveError, ReportDeliveryError, ReportInProgressError
from sinawai.router.commands import REPORT
from sinawai.router.routing import classify
from sinawai.telegram.runtime import GroupFunction
from tests import report_seed
from tests.emf_lines import metric, new_container
from tests.helpers import (
    BOT_TOKEN,
    MANAGERS_CHAT_ID,
    STAFF_GROUP_CHAT_ID,
    FakeContext,
    db_env,
    load_event,
    query,
)
from tests.report_seed import ANDI, BUDI, DEWI, RINA

BUCKET = "sinawai-test-documents"
REGION: Final = "ap-southeast-3"
PREFIX = "reports/2026/12/28/"

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def report_function() -> Handler:
    """The ReportFunction's handler as a cold start builds it (from the environment), with a fixed clock
    after the seeded days for /laporan."""
    function = GroupFunction(REPORT, register)
    service.reporting_of(function).now = lambda: datetime(2027, 1, 10, 3, 0)
    return service.lambda_handler_of(function)


@pytest.fixture
def emulator() -> Iterator[TelegramEmulator]:
    with TelegramEmulator(BOT_TOKEN) as emu:
        for user, name in ((BUDI, "Budi"), (ANDI, "Andi"), (DEWI, "Dewi"), (RINA, "Rina")):
            emu.add_user(user, name)
        emu.add_group(STAFF_GROUP_CHAT_ID, "Layanan Kepegawaian OSDM", members=[RINA])
        yield emu


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name in ("AWS_ENDPOINT_URL_S3", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in (
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_DEFAULT_REGION", REGION),
        ("AWS_REGION", REGION),
    ):
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield boto3.client("s3", region_name=REGION)


def create_bucket(s3: Any) -> None:
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})


@pytest.fixture
def environment(
    db: DatabaseSettings, emulator: TelegramEmulator, aws: Any, monkeypatch: pytest.MonkeyPatch
) -> dict[str, int]:
    for key, value in db_env(db).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", emulator.base_url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("STAFF_GROUP_CHAT_ID", str(STAFF_GROUP_CHAT_ID))
    monkeypatch.setenv("MANAGERS_CHAT_ID", str(MANAGERS_CHAT_ID))
    monkeypatch.setenv("DOCUMENTS_BUCKET", BUCKET)
    database = Database(db)
    try:
        return report_seed.seed(database)
    finally:
        database.close()


@pytest.fixture
def reporting(environment: dict[str, int]) -> Handler:
    return report_function()


def managers_group(emulator: TelegramEmulator) -> None:
    emulator.add_group(MANAGERS_CHAT_ID, "Pimpinan Biro OSDM", members=[DEWI, BUDI])


def digests(emulator: TelegramEmulator) -> list[str]:
    return [m.text or "" for m in emulator.bot_messages(MANAGERS_CHAT_ID) if m.text]


def archived(s3: Any) -> list[str]:
    return sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_the_schedule_sends_the_digest_chart_and_workbook_once_and_archives_them(
    reporting: Handler, emulator: TelegramEmulator, aws: Any, db: DatabaseSettings
) -> None:
    managers_group(emulator)
    create_bucket(aws)
    event = load_event("report_daily_schedule")
    assert reporting(event, FakeContext())["status"] == "sent"
    assert reporting(event, FakeContext())["status"] == "duplicate"

    sent = emulator.bot_messages(MANAGERS_CHAT_ID)
    assert len(sent) == 3
    assert (sent[0].text or "").startswith("📊 Laporan Harian Sinawai\nSenin, 28 Desember 2026")
    assert sent[1].photo
    assert "Tren 30 hari" in (sent[1].caption or "")
    assert sent[2].document
    assert sent[2].document["file_name"] == "laporan-harian-2026-12-28.xlsx"
    assert archived(aws) == [
        f"{PREFIX}laporan-harian-2026-12-28.png",
        f"{PREFIX}laporan-harian-2026-12-28.txt",
        f"{PREFIX}laporan-harian-2026-12-28.xlsx",
    ]
    text = aws.get_object(Bucket=BUCKET, Key=f"{PREFIX}laporan-harian-2026-12-28.txt")["Body"].read().decode()
    assert "Pesan masuk: 7 (hari sebelumnya 1, rata-rata 2)" in text
    assert query(db, "SELECT status, archive_status, attempts FROM report_run") == [
        {"status": "sent", "archive_status": "archived", "attempts": 1}
    ]


def test_two_containers_running_the_same_schedule_at_once_send_one_digest(
    environment: dict[str, int], emulator: TelegramEmulator, aws: Any
) -> None:
    managers_group(emulator)
    create_bucket(aws)
    containers = [report_function() for _ in range(3)]
    event = load_event("report_daily_schedule")
    results: dict[int, str] = {}
    start = threading.Barrier(len(containers))

    def run(n: int, handler: Handler) -> None:
        start.wait()
        try:
            results[n] = handler(event, FakeContext())["status"]
        except ReportInProgressError:
            results[n] = "in progress"  # failed: Lambda retries it later

    threads = [threading.Thread(target=run, args=(n, m)) for n, m in enumerate(containers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(results.values()).count("sent") == 1
    assert set(results.values()) <= {"sent", "duplicate", "in progress"}
    for n, status in results.items():  # Lambda's retries of the runs that found the claim held
        if status == "in progress":
            assert containers[n](event, FakeContext())["status"] == "duplicate"
    assert len(digests(emulator)) == 1
    assert len(emulator.bot_messages(MANAGERS_CHAT_ID)) == 3


def test_a_claim_left_by_a_crashed_run_is_taken_over_once_its_lease_lapsed(
    reporting: Handler, emulator: TelegramEmulator, aws: Any, db: DatabaseSettings
) -> None:
    managers_group(emulator)
    create_bucket(aws)
    event = load_event("report_daily_schedule")
    query(
        db,
        "INSERT INTO report_run (report_date, status, claimed_at)"
        " VALUES ('2026-12-28', 'claimed', UTC_TIMESTAMP(6))",
    )
    with pytest.raises(ReportInProgressError):
        reporting(event, FakeContext())
    assert digests(emulator) == []
    query(db, "UPDATE report_run SET claimed_at = UTC_TIMESTAMP(6) - INTERVAL 3 MINUTE")
    assert reporting(event, FakeContext())["status"] == "sent"
    assert len(digests(emulator)) == 1
    assert query(db, "SELECT attempts FROM report_run") == [{"attempts": 2}]


def test_a_managers_chat_telegram_refuses_is_recorded_retried_and_the_staff_told_once(
    reporting: Handler, emulator: TelegramEmulator, aws: Any, db: DatabaseSettings
) -> None:
    create_bucket(aws)
    event = load_event("report_daily_schedule")
    for _ in range(2):  # Lambda's retries
        with pytest.raises(ReportDeliveryError, match=r"(?i)chat not found"):
            reporting(event, FakeContext())
    run = query(db, "SELECT status, attempts, last_error FROM report_run")[0]
    assert (run["status"], run["attempts"]) == ("failed", 2)
    assert "chat not found" in run["last_error"].lower()
    notices = [m.text or "" for m in emulator.bot_messages(STAFF_GROUP_CHAT_ID)]
    assert len(notices) == 1
    assert notices[0].startswith(
        "⚠️ Laporan harian Sinawai untuk Senin, 28 Desember 2026 belum dapat dikirim ke grup pimpinan "
        "(Telegram menolak pengirimannya)."
    )
    assert "MANAGERS_CHAT_ID" not in notices[0]
    assert "Chat not found" not in notices[0]
    assert archived(aws) == []

    managers_group(emulator)  # the bot is added to the right chat; the next retry delivers
    assert reporting(event, FakeContext())["status"] == "sent"
    assert len(digests(emulator)) == 1
    assert len(archived(aws)) == 3


def test_s3_down_does_not_hold_the_digest_back_and_the_archive_is_retried(
    reporting: Handler, emulator: TelegramEmulator, aws: Any, db: DatabaseSettings
) -> None:
    managers_group(emulator)
    event = load_event("report_daily_schedule")
    with pytest.raises(ArchiveError, match="archive pending for 2026-12-28"):
        reporting(event, FakeContext())
    assert len(digests(emulator)) == 1
    assert query(db, "SELECT status, archive_status FROM report_run") == [
        {"status": "sent", "archive_status": "pending"}
    ]
    create_bucket(aws)  # S3 is back when Lambda retries
    assert reporting(event, FakeContext())["status"] == "duplicate"
    assert len(digests(emulator)) == 1
    assert len(archived(aws)) == 3
    assert query(db, "SELECT archive_status FROM report_run") == [{"archive_status": "archived"}]


def test_a_retry_after_a_failed_chart_sends_only_what_is_missing(
    reporting: Handler, emulator: TelegramEmulator, aws: Any
) -> None:
    managers_group(emulator)
    create_bucket(aws)
    event = load_event("report_daily_schedule")
    emulator.fail_next("sendPhoto", count=1, error_code=500, description="Internal Server Error")
    with pytest.raises(ReportDeliveryError):
        reporting(event, FakeContext())
    assert reporting(event, FakeContext())["status"] == "sent"
    sent = emulator.bot_messages(MANAGERS_CHAT_ID)
    assert [bool(m.text) for m in sent] == [True, False, False]
    assert len(sent) == 3


def laporan(handler: Handler, update: dict[str, Any]) -> None:
    route = classify(update, staff_group_chat_id=STAFF_GROUP_CHAT_ID)
    assert route.group == "report"
    handler({"update": update, "group": "report", "secret_text": False}, FakeContext())


def test_laporan_in_the_managers_chat_and_from_an_admin(
    reporting: Handler, emulator: TelegramEmulator
) -> None:
    managers_group(emulator)
    laporan(reporting, emulator.send_message(BUDI, "/laporan 2026-12-28", chat_id=MANAGERS_CHAT_ID))
    assert digests(emulator)[0].startswith("📊 Laporan Harian Sinawai\nSenin, 28 Desember 2026")
    assert len(emulator.bot_messages(MANAGERS_CHAT_ID)) == 3
    laporan(reporting, emulator.send_message(DEWI, "/laporan 2026-12-22 2026-12-28"))
    sent = emulator.bot_messages(DEWI)
    assert (sent[0].text or "").startswith("📊 Laporan Sinawai\n22 Desember 2026 – 28 Desember 2026 (7 hari)")
    assert sent[2].document
    assert sent[2].document["file_name"] == "laporan-2026-12-22_2026-12-28.xlsx"


def test_laporan_is_refused_politely_to_employees_and_in_the_staff_group(
    reporting: Handler, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    laporan(reporting, emulator.send_message(BUDI, "/laporan"))
    laporan(reporting, emulator.send_message(RINA, "/laporan", chat_id=STAFF_GROUP_CHAT_ID))
    for chat in (BUDI, STAFF_GROUP_CHAT_ID):
        answers = [m.text or "" for m in emulator.bot_messages(chat)]
        assert len(answers) == 1
        assert answers[0].startswith("Mohon maaf, laporan evaluasi layanan hanya dapat diminta")
    assert not [m for m in emulator.bot_messages(BUDI) if m.document or m.photo]


@pytest.mark.parametrize(
    ("args", "answer"),
    [
        ("2026-02-30", "Tanggal 2026-02-30 tidak ada di kalender."),
        ("2026-11-30 2026-11-01", "Tanggal awal (30 November 2026) jatuh setelah tanggal akhir"),
        ("2025-01-01 2026-06-30", "Rentang 546 hari terlalu panjang"),
        ("2027-02-01", "Tanggal 1 Februari 2027 belum terjadi"),
    ],
)
def test_laporan_with_impossible_dates_answers_why_and_sends_nothing(
    reporting: Handler, emulator: TelegramEmulator, db: DatabaseSettings, args: str, answer: str
) -> None:
    laporan(reporting, emulator.send_message(DEWI, f"/laporan {args}"))
    sent = emulator.bot_messages(DEWI)
    assert len(sent) == 1
    assert answer in (sent[0].text or "")
    assert query(db, "SELECT COUNT(*) AS n FROM report_run") == [{"n": 0}]


def test_the_sample_laporan_event_as_the_router_hands_it_over(
    reporting: Handler, emulator: TelegramEmulator
) -> None:
    managers_group(emulator)
    event = load_event("report_laporan")
    assert classify(event["update"], staff_group_chat_id=STAFF_GROUP_CHAT_ID).group == "report"
    assert reporting(event, FakeContext())["status"] == "done"
    assert digests(emulator)[0].startswith("📊 Laporan Harian Sinawai\nSenin, 28 Desember 2026")


def test_a_day_without_activity_gets_a_digest_that_says_so_and_no_empty_chart_or_workbook(
    reporting: Handler, emulator: TelegramEmulator, aws: Any
) -> None:
    managers_group(emulator)
    create_bucket(aws)
    event = {"source": "sinawai.scheduler", "report": "daily", "report_date": "2026-06-01"}
    assert reporting(event, FakeContext())["status"] == "sent"
    (text,) = digests(emulator)
    assert text.startswith("📊 Laporan Harian Sinawai\nSenin, 1 Juni 2026\n\nTidak ada aktivitas layanan")
    # the text alone: an empty chart and an empty workbook say nothing (the archive keeps all three files)
    assert len(emulator.bot_messages(MANAGERS_CHAT_ID)) == 1
    assert len(archived(aws)) == 3


def test_each_daily_run_prints_whether_the_digest_went_out_and_was_archived(
    reporting: Handler, emulator: TelegramEmulator, aws: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """The metrics the 'digest not sent by 07:30' alarm and the dashboard read (service sinawai-report)."""
    new_container()
    event = load_event("report_daily_schedule")

    def run() -> dict[str, list[float]]:
        capsys.readouterr()
        with contextlib.suppress(ReportDeliveryError, ArchiveError):  # Lambda retries these
            reporting(event, FakeContext())
        output = capsys.readouterr().out
        names = ("DigestSent", "DigestFailed", "ReportsArchived", "ReportArchivesFailed")
        return {name: metric(output, name, service="sinawai-report") for name in names}

    # the bot is not in the managers' chat yet: refused, retried
    assert run() == {
        "DigestSent": [],
        "DigestFailed": [1.0],
        "ReportsArchived": [],
        "ReportArchivesFailed": [],
    }
    managers_group(emulator)  # sent now, but S3 has no bucket: the archive waits
    assert run() == {
        "DigestSent": [1.0],
        "DigestFailed": [],
        "ReportsArchived": [0.0],
        "ReportArchivesFailed": [1.0],
    }
    create_bucket(aws)  # the retry finds the digest sent and archives it
    assert run() == {
        "DigestSent": [],
        "DigestFailed": [],
        "ReportsArchived": [1.0],
        "ReportArchivesFailed": [0.0],
    }
    assert len(digests(emulator)) == 1


def test_without_a_managers_chat_the_skipped_digest_is_counted(
    environment: dict[str, int], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    new_container()
    monkeypatch.setenv("MANAGERS_CHAT_ID", "")
    handler = report_function()
    capsys.readouterr()
    assert handler(load_event("report_daily_schedule"), FakeContext())["status"] == "skipped"
    assert metric(capsys.readouterr().out, "DigestSkipped", service="sinawai-report") == [1.0]
