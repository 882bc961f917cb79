"""The working calendar end to end: OSDM publishes ``_kalender.md`` with ``sinawai content publish`` and the
acknowledgement an employee gets through the bot says when the question will really be handled.

Its own stack (CONTENT_CACHE_SECONDS=0, so each publication is read at once) with WORKING_HOURS open every
day 07:30-16:00; the calendar shapes the days around the real "today" (the functions read the real clock):

1. today has special hours with a break, ``00:00-00:01,23:58-23:59``: asked now, the employee is told it is
   the break and the question is handled "hari ini pukul 23.58 WIB" (the reported 05.08 case was a
   "hari kerja berikutnya" for a question asked before opening on a working day);
2. today is a libur tambahan and tomorrow a cuti bersama: the question asked on the eve of the cuti bersama
   is handled on the next working day after it, named with its date;
3. that day gets Ramadan-like special hours (09:00-15:00): the promise says 09.00.

National holidays (the ``holidays`` package) are skipped when the expected day is worked out, so the test
holds on any date; it cannot hold in the four minutes 23:58-00:01 WIB, when the office of step 1 is open.
Bad input tried: a calendar with an impossible date is refused by publish and the one before stays in use.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from local_stack.stack import LocalStack, StackConfig
from local_stack.telegram import RateLimits
from sinawai import cli
from sinawai.common.format_id import MONTHS
from sinawai.common.working_hours import DAY_NAMES, indonesian_holidays
from sinawai.platform.db import Database
from tests.helpers import ROOT, fresh_database

pytestmark = pytest.mark.e2e

WIB = ZoneInfo("Asia/Jakarta")
STAFF = -1001000000014
RINA = 5570101
EMPLOYEES = {5570001: "199001172015031001", 5570002: "199203252016042002", 5570003: "198805052012012003"}
QUESTION = "Mohon dicek berkas usulan saya nomor 4471 sudah sampai mana, terima kasih."
CALENDAR_HEAD = "---\ntitle: Kalender kerja uji\nstatus: perlu konfirmasi OSDM\n---\n"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    log_dir: Path = tmp_path_factory.mktemp("calendar-logs")
    env = {"CONTENT_CACHE_SECONDS": "0", "WORKING_HOURS": "mon-sun 07:30-16:00"}
    with fresh_database("sinawai_e2e_calendar") as database:
        config = StackConfig(
            database=database,
            log_dir=log_dir,
            staff_group_chat_id=STAFF,
            bucket="sinawai-e2e-calendar",
            extra_env=env,
            telegram_rate_limits=RateLimits(group_messages=None, private_burst=None),
        )
        with LocalStack(config) as local:
            emu = local.telegram
            db = Database(database)
            for n, (user, nip) in enumerate(EMPLOYEES.items()):
                emu.add_user(user, f"Pegawai {n}", started=True)
                db.execute(
                    "INSERT INTO pengguna (nip, nama, status, unit_kerja, id_telegram)"
                    " VALUES (%s, %s, %s, %s, %s)",
                    (nip, f"Pegawai {n}", "aktif", "Biro Umum", user),
                )
            db.close()
            emu.add_user(RINA, "Rina")
            emu.add_group(STAFF, "Layanan Kepegawaian OSDM", members=[RINA])
            yield local


def publish(stack: LocalStack, folder: Path, calendar: str) -> int:
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(ROOT / "content", folder)
    (folder / "_kalender.md").write_text(CALENDAR_HEAD + calendar, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AWS_ENDPOINT_URL_S3", stack.moto_url)
        mp.setenv("AWS_ACCESS_KEY_ID", "testing")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        mp.setenv("AWS_DEFAULT_REGION", "ap-southeast-3")
        return cli.main(["content", "publish", str(folder), "--bucket", stack.config.bucket])


def acknowledgement(stack: LocalStack, user: int) -> str:
    stack.telegram.send_message(user, QUESTION)
    stack.wait_idle()
    return stack.telegram.bot_messages(user)[-1].text or ""


def worked(day: date) -> date:
    """``day`` or the first day after it that is no national holiday."""
    national = indonesian_holidays()
    while national(day):
        day += timedelta(days=1)
    return day


def promise(today: date, day: date, clock: str) -> str:
    """What the acknowledgement says, written out here from the rule in the issue."""
    year = f" {day.year}" if day.year != today.year else ""
    if day == today:
        return f"hari ini pukul {clock} WIB."
    if day == today + timedelta(days=1):
        return f"besok, {DAY_NAMES[day.weekday()]} {day.day} {MONTHS[day.month - 1]}{year} pukul {clock} WIB."
    name = f"{DAY_NAMES[day.weekday()]}, {day.day} {MONTHS[day.month - 1]}{year}"
    return f"pada hari kerja berikutnya, {name} pukul {clock} WIB."


def test_the_acknowledgement_follows_the_published_calendar(stack: LocalStack, tmp_path: Path) -> None:
    first, second, third = EMPLOYEES
    today = datetime.now(WIB).date()
    folder = tmp_path / "content"

    # 1. a break today (special hours with a lunch-like gap): handled later today
    day = today.isoformat()
    assert (
        publish(stack, folder, f"## Jam khusus\n- {day} | 00:00-00:01,23:58-23:59 | Uji jam istirahat\n") == 0
    )
    ack = acknowledgement(stack, first)
    assert "tiket #" in ack
    if worked(today) == today:
        assert ack.endswith(
            "Saat ini jam istirahat Biro OSDM; pertanyaan Anda akan ditangani "
            + promise(today, today, "23.58")
        )
    else:  # today is a national holiday: the special hours do not open it
        assert ack.endswith(promise(today, worked(today), "07.30"))

    # 2. the eve of a cuti bersama: today closed (libur tambahan), tomorrow cuti bersama
    tomorrow = today + timedelta(days=1)
    eve = f"## Cuti bersama\n- {tomorrow.isoformat()} | Cuti bersama uji\n"
    eve += f"## Libur tambahan\n- {day} | Libur uji\n"
    assert publish(stack, folder, eve) == 0
    after = worked(tomorrow + timedelta(days=1))
    ack = acknowledgement(stack, second)
    assert ack.endswith(
        "Saat ini di luar jam kerja Biro OSDM; pertanyaan Anda akan ditangani "
        + promise(today, after, "07.30")
    )
    assert "pada hari kerja berikutnya, " in ack

    # a broken calendar is refused; the one published before stays in use
    assert publish(stack, folder, eve + "- 2026-02-30 | Tanggal yang tidak ada\n") == 1

    # 3. the day after the cuti bersama has special hours (a Ramadan-like short day)
    short = eve + f"## Jam khusus\n- {after.isoformat()} | 09:00-15:00 | Ramadan uji\n"
    assert publish(stack, folder, short) == 0
    ack = acknowledgement(stack, third)
    assert ack.endswith(promise(today, after, "09.00"))
