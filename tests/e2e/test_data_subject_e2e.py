"""/datasaya end to end: Telegram emulator → API Gateway → router → RegistrationFunction → sendDocument;
then the operator's `sinawai pegawai hapus` on the same database, and the bot after it.

The module runs its own stack (its own database: the erasure must not meet other modules' employees).
Budi registers with /daftar, asks a question that becomes a ticket, gets a staff answer, then asks for his
data. Bad inputs tried: a second request within the day, the command in a group (with and without being a
member of the staff), from an account that never registered, and after the employee was anonymised.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from local_stack.stack import LocalStack, StackConfig
from local_stack.telegram import ChatMessage, RateLimits
from sinawai.common.text_limits import MAX_CAPTION_UTF16, utf16_len
from sinawai.platform.db import Database
from sinawai.privacy.texts import moment
from sinawai.registration.passwords import hash_password
from tests.helpers import assert_secret_nowhere, db_env, fresh_database, query

pytestmark = pytest.mark.e2e

BUDI = 5590001
STRANGER = 5590003
RINA = 5590101
STAFF = -1001000000001
OTHER_GROUP = -1002000000088
NIP = "199001172015031001"
PASSWORD = "Awal#2026"
QUESTION = "Bagaimana cara mengajukan cuti besar?"
ANSWER = "Cuti besar dapat diajukan setelah 5 tahun bekerja."


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    log_dir: Path = tmp_path_factory.mktemp("data-subject-logs")
    with fresh_database("sinawai_e2e_pdp") as database:
        config = StackConfig(
            database=database,
            log_dir=log_dir,
            staff_group_chat_id=STAFF,
            bucket="sinawai-e2e-pdp",
            extra_env={"STAFF_GROUP_MESSAGES_PER_MINUTE": "10000"},
            telegram_rate_limits=RateLimits(group_messages=None, private_burst=None),
        )
        with LocalStack(config) as local:
            emu = local.telegram
            emu.add_user(BUDI, "Budi", last_name="Santoso")
            emu.add_user(STRANGER, "Tamu")
            emu.add_user(RINA, "Rina")
            emu.add_group(STAFF, "Layanan Kepegawaian OSDM", members=[RINA])
            emu.add_group(OTHER_GROUP, "Grup Unit Kerja", members=[RINA, BUDI])
            db = Database(database)
            db.execute(
                "INSERT INTO pengguna (nip, nama, password_hash, unit_kerja, jabatan) VALUES"
                " (%s, 'Budi Santoso', %s, 'Biro Umum', 'Analis SDM Aparatur')",
                (NIP, hash_password(PASSWORD)),
            )
            db.execute(
                "INSERT INTO tunkin (nip, periode, kelas_jabatan, tunjangan, potongan, imported_at)"
                " VALUES (%s, '2026-10', 9, 5361800, 0, UTC_TIMESTAMP())",
                (NIP,),
            )
            db.close()
            yield local


def say(stack: LocalStack, user: int, text: str, **kwargs: Any) -> dict[str, Any]:
    update = stack.telegram.send_message(user, text, **kwargs)
    stack.wait_idle(30)
    return update


def new_bot_messages(stack: LocalStack, chat_id: int, before: int) -> list[ChatMessage]:
    return stack.telegram.bot_messages(chat_id)[before:]


def sinawai_cli(stack: LocalStack, *args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("sinawai")
    env = {**os.environ, **db_env(stack.config.database), "USER": "petugas-osdm"}
    return subprocess.run(
        [str(script), *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def test_datasaya_sends_the_export_once_a_day_only_in_the_private_chat(stack: LocalStack) -> None:
    emu = stack.telegram
    # what there is to export: a registration, a ticket and its answer
    say(stack, BUDI, f"/daftar {NIP} {PASSWORD}")
    assert "Pendaftaran berhasil" in (emu.bot_messages(BUDI)[-1].text or "")
    say(stack, BUDI, QUESTION)
    question_copy = next(m for m in emu.bot_messages(STAFF) if m.content == QUESTION)
    say(stack, RINA, ANSWER, chat_id=STAFF, reply_to_message_id=question_copy.message_id)
    assert f"\n\n{ANSWER}" in emu.bot_messages(BUDI)[-1].content  # one message, under its header

    before = len(emu.bot_messages(BUDI))
    say(stack, BUDI, "/datasaya")
    json_file, summary_file = new_bot_messages(stack, BUDI, before)
    assert json_file.document is not None
    assert summary_file.document is not None
    assert json_file.document["file_name"].endswith(".json")
    assert summary_file.document["file_name"].endswith(".txt")
    caption = json_file.caption or ""
    assert caption.startswith("📦 Salinan data Anda di Sinawai\nBudi Santoso · NIP 19900117 201503 1 001")
    assert "• Tiket konsultasi: 1" in caption
    assert utf16_len(caption) <= MAX_CAPTION_UTF16
    uploads = [c for c in emu.calls_to("sendDocument") if c.params.get("chat_id") == BUDI]
    assert len(uploads) == 2

    content = emu.file_content(json_file.document["file_id"])
    assert content is not None
    raw = content.decode("utf-8")
    data = json.loads(raw)
    assert data["pegawai"]["nip"] == NIP
    assert data["akun_telegram"][0]["id_telegram"] == BUDI
    (ticket,) = data["tiket"]
    assert [(m["dari"], m["isi"]) for m in ticket["pesan"]] == [
        ("anda", QUESTION),
        ("petugas", ANSWER),
    ]
    assert [a["event"] for a in data["jejak_audit"]] == ["register_success", "export_datasaya"]
    assert "password_hash" not in raw
    assert PASSWORD not in raw
    assert "Rina" not in raw.replace(ANSWER, "")
    summary = emu.file_content(summary_file.document["file_id"])
    assert summary is not None
    assert "Tunjangan kinerja (tunkin): 1 bulan" in summary.decode("utf-8")

    # the message log keeps a marker of the files, not the caption with the employee's data
    logged = query(
        stack.config.database,
        "SELECT isi_pesan, data FROM pesan WHERE chat_id = %s AND kind = 'senddocument' ORDER BY id",
        (BUDI,),
    )
    assert [r["isi_pesan"] for r in logged] == [None, None]
    assert [json.loads(r["data"])["personal"] for r in logged] == ["datasaya", "datasaya"]
    assert_secret_nowhere(stack, PASSWORD)

    # a second request the same day: refused, with the moment it becomes possible again
    (audit,) = query(stack.config.database, "SELECT waktu FROM audit_log WHERE event = 'export_datasaya'")
    before = len(emu.bot_messages(BUDI))
    say(stack, BUDI, "/datasaya")
    (refusal,) = new_bot_messages(stack, BUDI, before)
    assert refusal.document is None
    text = refusal.text or ""
    assert "Anda sudah meminta salinan data pada" in text
    assert f"mulai {moment(audit['waktu'] + timedelta(hours=24), 'Asia/Jakarta')}" in text
    assert len([c for c in emu.calls_to("sendDocument") if c.params.get("chat_id") == BUDI]) == 2
    assert len(query(stack.config.database, "SELECT id FROM audit_log WHERE event = 'export_datasaya'")) == 1

    # in a group: told to use the private chat; nothing of his data goes there, nor to his chat
    group_before = len(emu.bot_messages(OTHER_GROUP))
    before = len(emu.bot_messages(BUDI))
    say(stack, BUDI, "/datasaya", chat_id=OTHER_GROUP)
    (answer,) = new_bot_messages(stack, OTHER_GROUP, group_before)
    assert "hanya dilayani melalui <b>chat pribadi</b>" not in answer.content  # HTML was parsed
    assert "hanya dilayani melalui percakapan pribadi" in answer.content
    assert answer.document is None
    assert not any(m.document for m in emu.bot_messages(OTHER_GROUP))
    assert new_bot_messages(stack, BUDI, before) == []


def test_an_account_that_never_registered_gets_the_usual_refusal(stack: LocalStack) -> None:
    before = len(stack.telegram.bot_messages(STRANGER))
    say(stack, STRANGER, "/datasaya")
    (refusal,) = new_bot_messages(stack, STRANGER, before)
    assert "belum terdaftar" in refusal.content
    assert "/daftar" in refusal.content
    assert refusal.document is None


def test_after_the_operator_anonymises_him_the_bot_knows_him_no_more(stack: LocalStack) -> None:
    emu = stack.telegram
    if not query(stack.config.database, "SELECT id FROM pengguna WHERE id_telegram = %s", (BUDI,)):
        say(stack, BUDI, f"/daftar {NIP} {PASSWORD}")
    exported = sinawai_cli(
        stack, "pegawai", "ekspor", NIP, "--out", str(Path(stack.config.log_dir or ".") / "x")
    )
    assert exported.returncode == 0, exported.stderr
    erased = sinawai_cli(stack, "pegawai", "hapus", NIP, "--yes")
    assert erased.returncode == 0, erased.stderr
    for text in ("Budi", NIP, QUESTION, ANSWER):
        for table, column in (("pesan", "isi_pesan"), ("update_inbox", "payload"), ("pengguna", "nama")):
            rows = query(
                stack.config.database,
                f"SELECT COUNT(*) AS n FROM {table} WHERE {column} LIKE %s",
                (f"%{text}%",),
            )
            assert rows == [{"n": 0}], f"{text!r} left in {table}.{column}"
    before = len(emu.bot_messages(BUDI))
    say(stack, BUDI, "/datasaya")
    (refusal,) = new_bot_messages(stack, BUDI, before)
    assert "belum terdaftar" in refusal.content
    again = sinawai_cli(stack, "pegawai", "hapus", NIP, "--yes")
    assert again.returncode == 1
    assert "tidak ada yang tersisa" in again.stderr
