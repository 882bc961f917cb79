"""`make demo`: a scripted conversation through the whole local stack, printed as a transcript.

A fresh database, the functions of template.yaml in their own processes, moto, and the Telegram emulator;
an employee (Budi) talks to the bot exactly as Telegram would deliver it, through the webhook.
"""

from __future__ import annotations

import os
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

from local_stack.dbtools import recreate_database
from local_stack.stack import LocalStack, StackConfig
from local_stack.telegram import TelegramEmulator
from sinawai.config import DatabaseSettings
from sinawai.db import Database
from sinawai.passwords import hash_password

BUDI = 5550001
SITI = 5550002
STAFF_MEMBER = 5550101


NIP_BUDI = "199001172015031001"
DEMO_PASSWORD = "Awal#2026"  # noqa: S105 - the demo employee's initial password, as HR would hand it out


def seed_demo_data(database: DatabaseSettings) -> None:
    """The employees, allowances and leave balances the HR system would have exported."""
    db = Database(database)
    try:
        hashed = hash_password(DEMO_PASSWORD)
        db.execute(
            "INSERT INTO pengguna (nip, nama, password_hash, jabatan, unit_kerja, pangkat, golongan,"
            " kelas_jabatan, jenis_kelamin, tanggal_lahir, email) VALUES (%s, 'Budi Santoso', %s,"
            " 'Analis SDM Aparatur Ahli Pertama', 'Biro Organisasi dan Sumber Daya Manusia', 'Penata Muda',"
            " 'III/a', 9, 'L', '1990-01-17', 'budi.santoso@example.go.id')",
            (NIP_BUDI, hashed),
        )
        for periode, potongan, note in (
            ("2026-10", 0, None),
            ("2026-09", 134045, "Terlambat 2 kali"),
            ("2026-08", 0, None),
        ):
            db.execute(
                "INSERT INTO tunkin (nip, periode, kelas_jabatan, tunjangan, potongan, keterangan,"
                " imported_at) VALUES (%s, %s, 9, 5361800, %s, %s, UTC_TIMESTAMP())",
                (NIP_BUDI, periode, potongan, note),
            )
        for jenis, hak, used in (("tahunan", 12, 3), ("alasan_penting", 30, 0)):
            db.execute(
                "INSERT INTO cuti (nip, tahun, jenis, hak, terpakai, imported_at)"
                " VALUES (%s, YEAR(UTC_TIMESTAMP() + INTERVAL 7 HOUR), %s, %s, %s, UTC_TIMESTAMP())",
                (NIP_BUDI, jenis, hak, used),
            )
    finally:
        db.close()


def setup_people(stack: LocalStack) -> None:
    emu = stack.telegram
    emu.add_user(BUDI, "Budi", last_name="Santoso", username="budi_s")
    emu.add_user(SITI, "Siti", last_name="Rahmawati")
    emu.add_user(STAFF_MEMBER, "Rina", last_name="(OSDM)")
    emu.add_group(stack.config.staff_group_chat_id, "Layanan Kepegawaian OSDM", members=[STAFF_MEMBER])


def _latest_bot_message_id(emu: TelegramEmulator, chat_id: int) -> int:
    messages = emu.bot_messages(chat_id)
    return messages[-1].message_id if messages else 0


def _step(stack: LocalStack, action: Callable[[], object]) -> None:
    action()
    stack.wait_idle()


def play(stack: LocalStack) -> None:
    emu = stack.telegram
    setup_people(stack)

    # the general menu (seed, Tabel 2 and 4)
    _step(stack, lambda: emu.send_message(BUDI, "/start"))
    menu_id = _latest_bot_message_id(emu, BUDI)
    _step(stack, lambda: emu.press_button(BUDI, BUDI, menu_id, "general:tentang"))
    _step(stack, lambda: emu.press_button(BUDI, BUDI, menu_id, "general:menu"))
    _step(stack, lambda: emu.send_message(BUDI, "/bantuan"))
    _step(stack, lambda: emu.send_message(BUDI, "/cutibersama"))

    # registration (seed, Tabel 3), guided, with a typo in the NIP first
    _step(stack, lambda: emu.send_message(BUDI, "/daftar"))
    _step(stack, lambda: emu.send_message(BUDI, "19900117 201503 1 00"))
    _step(stack, lambda: emu.send_message(BUDI, "19900117 201503 1 001"))
    _step(stack, lambda: emu.send_message(BUDI, DEMO_PASSWORD))
    # personal data (seed, Tabel 1 and 5)
    _step(stack, lambda: emu.send_message(BUDI, "/datapribadi"))
    _step(stack, lambda: emu.send_message(BUDI, "/tunkin"))
    _step(stack, lambda: emu.send_message(BUDI, "/cuti"))

    # someone else, not registered
    _step(stack, lambda: emu.send_message(SITI, "/datapribadi"))
    _step(stack, lambda: emu.send_message(SITI, "Selamat pagi, bagaimana cara mengajukan cuti?"))


def print_transcript(stack: LocalStack, out: Callable[[str], object] = print) -> None:
    out("=" * 78)
    out("Transkrip percakapan (Telegram emulator)")
    out("=" * 78)
    for entry in stack.telegram.transcript():
        out(f"[{entry.chat_name}] {entry.who} ({entry.kind})")
        for line in (entry.text or "").splitlines() or [""]:
            out(textwrap.indent(textwrap.fill(line, 74) if line else "", "    "))
        for row in entry.buttons:
            out("    " + "  ".join(f"[{label}]" for label in row))
    out("=" * 78)


def main() -> int:
    os.environ.setdefault("DB_HOST", "127.0.0.1")
    os.environ.setdefault("DB_USER", "root")
    base = DatabaseSettings.from_env()
    database = recreate_database(base, "sinawai_demo")
    log_dir = Path(".demo-logs")
    log_dir.mkdir(exist_ok=True)
    started = time.perf_counter()
    seed_demo_data(database)
    with LocalStack(StackConfig(database=database, log_dir=log_dir)) as stack:
        play(stack)
        print_transcript(stack)
        counts = stack.message_log_counts()
    print(f"Message log (pesan): {counts.get('in', 0)} in, {counts.get('out', 0)} out")
    print(f"Demo finished in {time.perf_counter() - started:.1f} s; function logs in {log_dir}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
