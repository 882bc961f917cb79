"""``sinawai serve`` end to end: the real command as a subprocess, long polling the Telegram emulator's
getUpdates (no webhook), its own MariaDB database, S3 as a local directory (SINAWAI_FILES_DIR).

Paths: general (/start), registration (/daftar to the end), consultation (a question reaches the staff
group, the staff reply goes back), information (/renbangkompeg from content published into the local
directory) and report (the daily digest sent by the in-process schedule, its clock started just before
07:00 with SINAWAI_SERVE_SCHEDULE_CLOCK). Operations: refused while a webhook is set (exit 1, says how to
delete it); a second server on the same database refused; SIGTERM mid-update finishes the update and exits
0; kill -9 mid-update (the reply held in transit by the emulator, dropped with its killed sender) and a
restart give exactly one reply; updates sent while the server is down are processed once after restart.

Bad inputs and faults tried: a webhook set, a second server on the same database, a refused token, a drill
clock that is not a date-time, a database without migration 0024, an unknown option, Telegram failing a
reply with a 500 (tried again at restart, answered once), MySQL cut while polling (nothing confirmed,
answered once when back), SIGTERM while a reply is held, kill -9 while a reply is held.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from local_stack.stack import ROOT
from local_stack.telegram import RateLimits, TelegramEmulator
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.db import Database
from sinawai.registration.passwords import hash_password
from tests.helpers import db_env, fresh_database, query
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.e2e

TOKEN = "424242:serve-e2e-token"
STAFF = -1001000000161
MANAGERS = -1001000000162
BUDI = 5616001  # registers with /daftar, then asks a question
SITI = 5616002
TAMU = 5616003
RINA = 5616101  # staff member
HENDRA = 5616201  # manager
NIP_BUDI = "199001172015031001"
PASSWORD = "Awal#2026"
SINAWAI = Path(sys.executable).with_name("sinawai")
ZONE = ZoneInfo("Asia/Jakarta")


class ServeProcess:
    """``sinawai serve`` as ops run it: a subprocess with the configuration in its environment."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, emu: TelegramEmulator, **extra: str) -> None:
        assert self.proc is None
        started = self.output().count("sinawai serve started") if self.log.exists() else 0
        with self.log.open("ab") as out:
            proc = subprocess.Popen(
                [str(SINAWAI), "serve"], env={**self.env, **extra}, stdout=out, stderr=subprocess.STDOUT
            )
        self.proc = proc

        def ready() -> bool:  # its start is logged (recovery done) and its long poll waits
            return proc.poll() is not None or (
                self.output().count("sinawai serve started") > started and emu.polling()
            )

        wait_for(ready, 60)
        assert proc.poll() is None, self.output()

    def signal(self, signum: int) -> int:
        assert self.proc is not None
        self.proc.send_signal(signum)
        code = self.proc.wait(30)
        self.proc = None
        return code

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def wait_for(condition: Callable[[], Any], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def database() -> Iterator[DatabaseSettings]:
    with fresh_database("sinawai_serve") as settings:
        yield settings


@pytest.fixture(scope="module")
def emu() -> Iterator[TelegramEmulator]:
    with TelegramEmulator(TOKEN, rate_limits=RateLimits.disabled()) as emulator:
        people = ((BUDI, "Budi"), (SITI, "Siti"), (TAMU, "Tamu"), (RINA, "Rina"), (HENDRA, "Hendra"))
        for user, name in people:
            emulator.add_user(user, name)
        emulator.add_group(STAFF, "Layanan Kepegawaian OSDM", members=[RINA])
        emulator.add_group(MANAGERS, "Pimpinan Biro OSDM", members=[HENDRA])
        yield emulator


@pytest.fixture(scope="module")
def files_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sinawai-files")


@pytest.fixture(scope="module")
def mysql_link(database: DatabaseSettings) -> Iterator[TcpProxy]:
    """The server reaches MariaDB through a link a test can cut."""
    with TcpProxy(database.host, database.port) as proxy:
        yield proxy


@pytest.fixture(scope="module")
def server(
    database: DatabaseSettings,
    mysql_link: TcpProxy,
    emu: TelegramEmulator,
    files_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ServeProcess]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "DB_", "TELEGRAM_", "STAFF_", "MANAGERS_", "DOCUMENTS_", "SINAWAI_"))
    }
    env = {
        **base,
        **db_env(database),
        "DB_HOST": "127.0.0.1",
        "DB_PORT": str(mysql_link.port),
        "TELEGRAM_API_BASE_URL": emu.base_url,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "STAFF_GROUP_CHAT_ID": str(STAFF),
        "MANAGERS_CHAT_ID": str(MANAGERS),
        "SERVICE_TIMEZONE": "Asia/Jakarta",
        "SINAWAI_FILES_DIR": str(files_dir),
        "CONTENT_CACHE_SECONDS": "0",
        # a broadcast of 61 takes about 6 s: long enough to see replies go out in the middle of it
        "BROADCAST_MESSAGES_PER_SECOND": "10",
    }
    process = ServeProcess(env, tmp_path_factory.mktemp("serve-logs") / "serve.log")
    yield process
    if process.proc is not None:
        process.signal(signal.SIGTERM)


@pytest.fixture
def running(server: ServeProcess, emu: TelegramEmulator) -> ServeProcess:
    if server.proc is None:
        server.start(emu)
    return server


def texts(emu: TelegramEmulator, chat_id: int) -> list[str]:
    return [m.content for m in emu.bot_messages(chat_id)]


def say(emu: TelegramEmulator, user: int, text: str, *, expect: int = 1, **kw: Any) -> list[str]:
    chat = kw.get("chat_id") or user
    before = len(texts(emu, chat))
    emu.send_message(user, text, **kw)
    wait_for(lambda: len(texts(emu, chat)) >= before + expect)
    return texts(emu, chat)[before:]


def inbox(database: DatabaseSettings, update_id: int) -> dict[str, Any]:
    rows = query(database, "SELECT status, attempts FROM update_inbox WHERE update_id = %s", (update_id,))
    assert rows, f"update {update_id} was never recorded"
    return rows[0]


def stored_offset(database: DatabaseSettings) -> int:
    rows = query(database, "SELECT next_offset FROM poll_offset")
    return int(rows[0]["next_offset"]) if rows else 0


def settle(emu: TelegramEmulator, database: DatabaseSettings) -> None:
    """Every update handed out and finished."""

    def done() -> bool:
        unfinished = query(
            database,
            "SELECT COUNT(*) AS n FROM update_inbox WHERE status IN ('received', 'dispatched', 'processing')",
        )
        return not emu.pending_updates() and unfinished[0]["n"] == 0

    wait_for(done)


# ---- refusals (before the server runs) ------------------------------------------------------------------


def test_serve_refuses_to_start_while_a_webhook_is_set(
    server: ServeProcess, emu: TelegramEmulator, database: DatabaseSettings
) -> None:
    set_hook = httpx.post(
        f"{emu.base_url}/bot{TOKEN}/setWebhook", json={"url": "https://osdm.example/webhook"}
    )
    assert set_hook.json()["ok"]
    update = emu.send_message(SITI, "/start")  # waits at Telegram for the webhook
    done = subprocess.run(
        [str(SINAWAI), "serve"], env=server.env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 1
    assert "a webhook is set (https://osdm.example/webhook)" in done.stderr
    assert "sinawai webhook delete" in done.stderr
    assert not emu.calls_to("getUpdates")  # it never asked for an update
    assert query(database, "SELECT update_id FROM update_inbox") == []

    # the ops step the message names: the pending update is kept for long polling
    deleted = subprocess.run(
        [str(SINAWAI), "webhook", "delete"], env=server.env, capture_output=True, text=True, check=False
    )
    assert deleted.returncode == 0, deleted.stderr
    assert [u["update_id"] for u in emu.pending_updates()] == [update["update_id"]]


def test_serve_refuses_a_refused_token_and_a_bad_drill_clock(server: ServeProcess) -> None:
    wrong = subprocess.run(
        [str(SINAWAI), "serve"],
        env={**server.env, "TELEGRAM_BOT_TOKEN": "424242:not-the-token"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert wrong.returncode == 1
    assert "getMe" in wrong.stderr
    assert "not-the-token" not in wrong.stderr + wrong.stdout  # the token is never printed
    clock = subprocess.run(
        [str(SINAWAI), "serve"],
        env={**server.env, "SINAWAI_SERVE_SCHEDULE_CLOCK": "besok pagi"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert clock.returncode == 1
    assert "SINAWAI_SERVE_SCHEDULE_CLOCK must be a date-time with its offset" in clock.stderr


def test_serve_refuses_a_database_that_was_not_migrated(server: ServeProcess) -> None:
    with fresh_database("sinawai_serve_old") as old:
        db = Database(old)
        db.execute("DROP TABLE serve_schedule_run")  # as before migration 0024
        db.execute("DROP TABLE poll_offset")
        db.close()
        done = subprocess.run(
            [str(SINAWAI), "serve"],
            env={**server.env, **db_env(old)},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 1
    assert "the database schema is not current: run `sinawai migrate`" in done.stderr


def test_serve_help_and_bad_usage() -> None:
    helped = subprocess.run([str(SINAWAI), "serve", "--help"], capture_output=True, text=True, check=False)
    assert helped.returncode == 0
    assert "long polling" in helped.stdout.lower()
    bad = subprocess.run([str(SINAWAI), "serve", "--port", "1"], capture_output=True, text=True, check=False)
    assert bad.returncode == 2


# ---- the paths --------------------------------------------------------------------------------------------


def test_general_start_is_answered_and_the_offset_is_kept_in_mysql(
    running: ServeProcess, emu: TelegramEmulator, database: DatabaseSettings
) -> None:
    # the /start Siti sent while the webhook was set comes first, then Tamu's
    wait_for(lambda: len(texts(emu, SITI)) == 1)
    update = emu.send_message(TAMU, "/start")
    wait_for(lambda: len(texts(emu, TAMU)) == 1)
    assert "Sinawai" in texts(emu, TAMU)[0]
    settle(emu, database)
    assert inbox(database, update["update_id"])["status"] == "done"
    assert stored_offset(database) == update["update_id"] + 1
    calls = emu.calls_to("getUpdates")
    assert calls[-1].params["allowed_updates"] == [
        "message",
        "edited_message",
        "callback_query",
        "my_chat_member",
        "chat_member",
    ]


def test_a_second_server_on_the_same_database_is_refused(running: ServeProcess) -> None:
    done = subprocess.run(
        [str(SINAWAI), "serve"], env=running.env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 1
    assert "another `sinawai serve` is running against this database" in done.stderr
    assert running.proc is not None
    assert running.proc.poll() is None  # the first one goes on


def test_registration_with_daftar_to_the_end(
    running: ServeProcess, emu: TelegramEmulator, database: DatabaseSettings
) -> None:
    db = Database(database)
    db.execute(
        "INSERT INTO pengguna (nip, nama, password_hash, status, jabatan, unit_kerja) VALUES"
        " (%s, 'Budi Santoso', %s, 'aktif', 'Analis SDM Aparatur', 'Biro Umum')",
        (NIP_BUDI, hash_password(PASSWORD)),
    )
    db.close()
    assert "Silakan kirim NIP Anda" in say(emu, BUDI, "/daftar")[0]
    assert "kata sandi awal" in say(emu, BUDI, NIP_BUDI)[0]
    before = len(texts(emu, BUDI))
    password = emu.send_message(BUDI, PASSWORD)
    wait_for(lambda: any("Pendaftaran" in t for t in texts(emu, BUDI)[before:]))
    (registered,) = [t for t in texts(emu, BUDI)[before:] if "Pendaftaran" in t]
    assert "Pendaftaran berhasil" in registered
    assert "Budi Santoso" in registered
    settle(emu, database)
    rows = query(database, "SELECT id_telegram FROM pengguna WHERE nip = %s", (NIP_BUDI,))
    assert rows[0]["id_telegram"] == BUDI
    deleted = [m.message_id for m in emu.messages(BUDI) if m.deleted]
    assert password["message"]["message_id"] in deleted  # the password message was deleted
    stored = query(database, "SELECT update_id FROM update_inbox WHERE payload LIKE %s", (f"%{PASSWORD}%",))
    assert stored == []  # the password was never stored in clear


def test_information_menu_from_content_in_the_local_directory(
    running: ServeProcess, emu: TelegramEmulator, files_dir: Path
) -> None:
    # OSDM publishes the content with the same configuration: `sinawai` writes into SINAWAI_FILES_DIR
    # while the server runs, and the server serves it at the next request
    published = subprocess.run(
        [str(SINAWAI), "content", "publish", str(ROOT / "content")],
        env=running.env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert published.returncode == 0, published.stderr
    assert (files_dir / "sinawai" / "content" / "bundle.json").is_file()
    (menu,) = say(emu, SITI, "/renbangkompeg")
    assert "Perencanaan dan Pengembangan Kompetensi Pegawai" in menu
    labels = [str(b.get("text")) for row in emu.bot_messages(SITI)[-1].buttons for b in row]
    assert "Tugas belajar dan izin belajar" in labels


def test_consultation_question_reaches_staff_and_the_reply_comes_back(
    running: ServeProcess, emu: TelegramEmulator, database: DatabaseSettings
) -> None:
    staff_before = len(texts(emu, STAFF))
    (ack,) = say(emu, BUDI, "Apakah ruang rapat lantai tiga bisa dipinjam untuk sosialisasi Jumat depan?")
    assert "tiket #" in ack
    wait_for(lambda: len(texts(emu, STAFF)) >= staff_before + 2)
    header, question = emu.bot_messages(STAFF)[staff_before : staff_before + 2]
    assert "Budi Santoso" in header.content
    assert question.content == "Apakah ruang rapat lantai tiga bisa dipinjam untuk sosialisasi Jumat depan?"
    budi_before = len(texts(emu, BUDI))
    emu.send_message(RINA, "Cuti besar dapat diajukan setelah 5 tahun bekerja.", chat_id=STAFF,
                     reply_to_message_id=question.message_id)  # fmt: skip
    wait_for(lambda: len(texts(emu, BUDI)) > budi_before)
    assert "Cuti besar dapat diajukan setelah 5 tahun bekerja." in texts(emu, BUDI)[budi_before]
    settle(emu, database)


RECIPIENTS = [5617000 + n for n in range(60)]  # registered employees who started the bot long ago


def test_a_broadcast_goes_out_between_updates_and_nobody_waits_for_it(
    running: ServeProcess, emu: TelegramEmulator, database: DatabaseSettings
) -> None:
    """One process, one thread: the broadcast is sent a chunk at a time between updates, so a /start sent
    while it runs is answered before the last recipient has the announcement (before: the update that
    started the broadcast held the loop until everyone had it)."""
    db = Database(database)
    for n, user in enumerate(RECIPIENTS):
        emu.add_user(user, f"Pegawai {n}", started=True)
        db.execute(
            "INSERT INTO pengguna (nip, nama, id_telegram) VALUES (%s, %s, %s)",
            (f"1991020320150320{n:02d}", f"Pegawai {n}", user),
        )
    db.close()
    (posted,) = say(emu, RINA, "/umumkan Batas unggah SKP triwulan III: 10 Oktober.", chat_id=STAFF)
    assert "Pengumuman #1 disimpan" in posted
    staff_message = emu.bot_messages(STAFF)[-1]
    emu.press_button(RINA, STAFF, staff_message.message_id, "information:siar:1")
    wait_for(lambda: texts(emu, RECIPIENTS[0]))  # the broadcast has begun
    say(emu, SITI, "/start")  # answered now, not after the sixty-one
    pending = query(database, "SELECT COUNT(*) AS n FROM announcement_delivery WHERE status = 'pending'")[0][
        "n"
    ]
    assert pending > 0, "the reply waited for the whole broadcast"
    wait_for(lambda: any("Siaran pengumuman #1 selesai" in t for t in texts(emu, STAFF)))
    summary = next(t for t in texts(emu, STAFF) if "Siaran pengumuman #1 selesai" in t)
    assert f"Terkirim: {len(RECIPIENTS) + 1}" in summary  # the sixty and Budi
    for user in [*RECIPIENTS, BUDI]:
        got = [t for t in texts(emu, user) if "Batas unggah SKP" in t]
        assert len(got) == 1, f"{user} got the announcement {len(got)} times"
    settle(emu, database)


# ---- stopping, crashing, restarting -----------------------------------------------------------------------


def test_sigterm_mid_update_finishes_it_keeps_the_offset_and_exits_0(
    running: ServeProcess, emu: TelegramEmulator, database: DatabaseSettings
) -> None:
    settle(emu, database)
    emu.delay_next("sendMessage", 1.5, chat_id=SITI)  # Telegram is slow to take the reply
    update = emu.send_message(SITI, "/bantuan")
    wait_for(lambda: emu.held_calls() == 1)
    assert running.signal(signal.SIGTERM) == 0
    assert "sinawai serve stopped" in running.output()
    assert inbox(database, update["update_id"])["status"] == "done"
    assert stored_offset(database) == update["update_id"] + 1
    replies = [c for c in emu.calls_to("sendMessage") if c.params.get("chat_id") == SITI]
    # while stopped, a message waits at Telegram; after the restart it is answered, and nothing twice
    waiting = emu.send_message(SITI, "/tentang")
    running.start(emu)
    wait_for(lambda: inbox(database, waiting["update_id"])["status"] == "done")
    after = [c for c in emu.calls_to("sendMessage") if c.params.get("chat_id") == SITI]
    assert len(after) == len(replies) + 1


def test_kill_9_mid_update_and_restart_give_exactly_one_reply(
    running: ServeProcess, emu: TelegramEmulator, database: DatabaseSettings
) -> None:
    settle(emu, database)
    before = len(texts(emu, TAMU))
    # the reply is held in transit; the process is killed meanwhile: the reply never reaches Telegram
    emu.delay_next("sendMessage", 2.0, chat_id=TAMU, drop_if_client_gone=True)
    update = emu.send_message(TAMU, "/menu")
    wait_for(lambda: emu.held_calls() == 1)
    assert inbox(database, update["update_id"])["status"] == "processing"
    assert running.signal(signal.SIGKILL) == -signal.SIGKILL
    wait_for(lambda: emu.held_calls() == 0)
    assert len(texts(emu, TAMU)) == before  # nothing was sent by the killed process
    assert stored_offset(database) == update["update_id"] + 1  # recorded and confirmed before processing
    also = emu.send_message(TAMU, "/tentang")  # sent while the server is down
    running.start(emu)
    wait_for(lambda: len(texts(emu, TAMU)) >= before + 2)
    settle(emu, database)
    time.sleep(1.0)  # a repeat would come now
    after = emu.bot_messages(TAMU)[before:]
    assert len(after) == 2  # exactly one reply to each
    assert inbox(database, update["update_id"]) == {"status": "done", "attempts": 2}
    assert inbox(database, also["update_id"]) == {"status": "done", "attempts": 1}


def test_an_update_that_failed_is_tried_again_at_restart_and_answered_once(
    running: ServeProcess, emu: TelegramEmulator, database: DatabaseSettings
) -> None:
    settle(emu, database)
    before = len(texts(emu, TAMU))
    emu.fail_next("sendMessage", error_code=500, chat_id=TAMU)  # Telegram fails once
    update = emu.send_message(TAMU, "/tentang")
    wait_for(lambda: query(database, "SELECT 1 FROM update_inbox WHERE update_id = %s AND status = 'failed'",
                           (update["update_id"],)))  # fmt: skip
    # its retry was a minute away when the server stopped: the restart tries it again, once
    assert running.signal(signal.SIGTERM) == 0
    running.start(emu)
    wait_for(lambda: inbox(database, update["update_id"])["status"] == "done")
    time.sleep(1.0)
    assert len(texts(emu, TAMU)) == before + 1
    assert inbox(database, update["update_id"]) == {"status": "done", "attempts": 2}


def test_mysql_down_loses_nothing_and_the_update_is_answered_once_when_it_is_back(
    running: ServeProcess, emu: TelegramEmulator, database: DatabaseSettings, mysql_link: TcpProxy
) -> None:
    settle(emu, database)
    before = len(texts(emu, SITI))
    offset = stored_offset(database)
    mysql_link.cut()
    try:
        update = emu.send_message(SITI, "/bantuan")
        wait_for(lambda: any(c.ok and c.result for c in emu.calls_to("getUpdates")[-3:]))  # handed out
        time.sleep(2.0)  # it tried to record it, and could not
        assert len(texts(emu, SITI)) == before
        assert [u["update_id"] for u in emu.pending_updates()] == [update["update_id"]]  # not confirmed
    finally:
        mysql_link.restore()
    assert stored_offset(database) == offset
    wait_for(lambda: len(texts(emu, SITI)) > before, 60)
    settle(emu, database)
    time.sleep(1.0)  # a repeat would come now
    assert len(texts(emu, SITI)) == before + 1
    assert inbox(database, update["update_id"]) == {"status": "done", "attempts": 1}
    assert running.proc is not None
    assert running.proc.poll() is None  # it waited the outage out


def test_the_daily_digest_is_sent_by_the_in_process_schedule(
    running: ServeProcess, emu: TelegramEmulator, database: DatabaseSettings, files_dir: Path
) -> None:
    settle(emu, database)
    assert running.signal(signal.SIGTERM) == 0
    tomorrow = datetime.now(ZONE).date() + timedelta(days=1)
    clock = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 6, 59, 57, tzinfo=ZONE)
    running.start(emu, SINAWAI_SERVE_SCHEDULE_CLOCK=clock.isoformat())
    wait_for(lambda: any(t.startswith("📊 Laporan Harian Sinawai") for t in texts(emu, MANAGERS)), 90)
    today = datetime.now(ZONE).date()
    digest = next(t for t in texts(emu, MANAGERS) if t.startswith("📊 Laporan Harian Sinawai"))
    assert "Pesan masuk:" in digest
    wait_for(lambda: query(database, "SELECT 1 FROM serve_schedule_run WHERE name = 'daily-digest'"), 60)
    runs = query(database, "SELECT last_due FROM serve_schedule_run WHERE name = 'daily-digest'")
    assert runs[0]["last_due"] == clock.replace(second=0).astimezone(ZoneInfo("UTC")).replace(
        tzinfo=None
    ) + timedelta(minutes=1)
    archived = files_dir / "sinawai" / "reports" / f"{today:%Y/%m/%d}"
    wait_for(lambda: archived.is_dir() and any(archived.iterdir()), 60)
    # a restart at 07:00:30 of the same drill clock does not send it twice
    sent = sum(1 for t in texts(emu, MANAGERS) if t.startswith("📊 Laporan Harian Sinawai"))
    assert running.signal(signal.SIGTERM) == 0
    running.start(emu, SINAWAI_SERVE_SCHEDULE_CLOCK=(clock + timedelta(seconds=33)).isoformat())
    time.sleep(3)
    assert sum(1 for t in texts(emu, MANAGERS) if t.startswith("📊 Laporan Harian Sinawai")) == sent


def test_the_log_holds_no_token_no_nip_and_no_password(server: ServeProcess) -> None:
    log = server.output()
    assert "sinawai serve started" in log
    for secret in (TOKEN, TOKEN.split(":")[1], NIP_BUDI, PASSWORD):
        assert secret not in log
