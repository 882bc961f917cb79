"""The working calendar is published with the content, and the functions' hours follow it.

moto's S3; the repository's content with its ``_kalender.md`` changed as OSDM would, through ``sinawai
content validate`` and ``sinawai content publish``; the consultation's and the report's working hours are
built the way their functions build them (from the published bundle, read through ``ContentStore``).

Bad input tried: a calendar file with an impossible date: validate and publish refuse it with its line,
and the calendar the functions use stays the one published before.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

import boto3
import pytest
from moto import mock_aws

from sinawai import cli
from sinawai.consultation.config import ConsultationSettings
from sinawai.information.content_store import ContentStore
from sinawai.platform.config import DatabaseSettings, Settings
from sinawai.platform.db import Database
from sinawai.report import config as report_config
from sinawai.report import store as report_store
from sinawai.report.digest import digest
from sinawai.report.period import Period
from tests import report_seed
from tests.helpers import ROOT
from tests.report_seed import DAY

REGION: Final = "ap-southeast-3"
BUCKET: Final = "sinawai-dev-documents-123456789012-ap-southeast-3"
WIB = ZoneInfo("Asia/Jakarta")
CLOSED = date(2026, 12, 2)  # a Wednesday, no national holiday
LATER = datetime(2027, 1, 10)  # the report is built well after the day


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for key in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE", "WORKING_HOURS"):
        monkeypatch.delenv(key, raising=False)
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "DOCUMENTS_BUCKET": BUCKET,
        "SERVICE_TIMEZONE": "Asia/Jakarta",
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        yield client


def content_with(tmp_path: Path, extra: str) -> Path:
    folder = tmp_path / "content"
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(ROOT / "content", folder)
    calendar = folder / "_kalender.md"
    calendar.write_text(
        calendar.read_text(encoding="utf-8").replace("## Libur tambahan\n", f"## Libur tambahan\n{extra}\n"),
        encoding="utf-8",
    )
    return folder


def test_a_published_calendar_reaches_the_consultation_and_the_report(
    s3: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = content_with(tmp_path, f"- {CLOSED.isoformat()} | Libur tambahan uji coba")
    assert cli.main(["content", "validate", str(folder)]) == 0
    assert "Kalender kerja: 17 hari tutup (cuti bersama dan libur tambahan), 1 rentang jam khusus." in (
        capsys.readouterr().out
    )
    store = ContentStore(BUCKET, cache_seconds=0)
    settings = Settings.from_env()
    consultation = ConsultationSettings.from_env(settings, lambda: store.get().calendar)
    report_hours = report_config.hours_source(settings, lambda: store.get().calendar)
    tuesday_evening = datetime(2026, 12, 1, 17, 0, tzinfo=WIB)
    # nothing published yet: Wednesday is a working day
    assert consultation.hours.next_opening(tuesday_evening) == datetime(2026, 12, 2, 7, 30, tzinfo=WIB)

    assert cli.main(["content", "publish", str(folder)]) == 0
    for hours in (consultation.hours, report_hours.current()):
        assert hours.next_opening(tuesday_evening) == datetime(2026, 12, 3, 7, 30, tzinfo=WIB)
        day = datetime(2026, 12, 2, tzinfo=WIB)
        assert hours.working_time_between(day, day + timedelta(days=1)) == timedelta(0)
    # and the shipped cuti bersama: Thursday 24 December 2026
    assert CLOSED in consultation.hours.calendar.closed
    assert date(2026, 12, 24) in consultation.hours.calendar.closed

    # a broken calendar is refused with its line; the published one stays
    broken = content_with(tmp_path, "- 2026-12-32 | Tanggal yang tidak ada")
    capsys.readouterr()
    assert cli.main(["content", "publish", str(broken)]) == 1
    err = capsys.readouterr().err
    assert f"{broken / '_kalender.md'}:" in err
    assert "tanggal '2026-12-32' tidak ada di kalender" in err
    assert "Tidak ada yang diterbitkan." in err
    assert consultation.hours.next_opening(tuesday_evening) == datetime(2026, 12, 3, 7, 30, tzinfo=WIB)


def test_the_report_skips_the_published_cuti_bersama_day_in_response_times(
    s3: Any, db: DatabaseSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    """The report seed's ticket T1 was asked on Thursday 24 December 2026 at 15:00 and answered on Monday
    at 09:00: 2.5 working hours by the national holidays alone, 1.5 once the shipped calendar (24 December
    is cuti bersama) is published."""
    database = Database(db)
    try:
        seeded = report_seed.seed(database)
        store = ContentStore(BUCKET, cache_seconds=0)
        hours = report_config.hours_source(Settings.from_env(), lambda: store.get().calendar)
        before = report_store.build(database, Period(DAY, DAY), hours.current(), 8.0, now=LATER)
        assert before.report.metrics.first_response_hours[seeded["T1"]] == pytest.approx(2.5)
        assert cli.main(["content", "publish", str(ROOT / "content")]) == 0
        after = report_store.build(database, Period(DAY, DAY), hours.current(), 8.0, now=LATER)
        assert after.report.metrics.first_response_hours[seeded["T1"]] == pytest.approx(1.5)
        assert after.report.metrics.first_response_median == pytest.approx(1.5)
        assert "1,5 jam kerja" in digest(after.report)  # the managers read the median
    finally:
        database.close()
