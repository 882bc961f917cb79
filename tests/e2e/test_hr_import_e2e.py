"""HR import end to end (issue 10, item 13): an employee left out of a full HR export loses the bot.

Through the whole local stack: the employee registers with /daftar, the operator imports the next full
export with `sinawai import employees FILE --full --yes`, and the employee's next /datapribadi finds the
account released.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from local_stack.stack import LocalStack
from sinawai import cli
from sinawai.platform import config
from sinawai.platform.db import Database
from sinawai.registration.passwords import hash_password
from tests.helpers import db_env, query

pytestmark = pytest.mark.e2e

PASSWORD = "Awal#2026"
LEAVER = 6_300_001
STAYER = 6_300_002


def nip_of(i: int) -> str:
    return f"19900117{i:010d}"


@pytest.fixture(autouse=True)
def _workforce(stack: LocalStack) -> None:
    db = Database(stack.config.database)
    for table in ("tunkin", "cuti", "conversation", "audit_log", "pengguna"):
        db.execute(f"DELETE FROM {table}")
    hashed = hash_password(PASSWORD)
    for i in range(20):
        db.execute(
            "INSERT INTO pengguna (nip, nama, password_hash, status) VALUES (%s, %s, %s, 'aktif')",
            (nip_of(i), f"Pegawai {i}", hashed),
        )
    db.close()


def say(stack: LocalStack, user: int, text: str) -> str:
    stack.telegram.send_message(user, text)
    stack.wait_idle()
    return stack.telegram.bot_messages(user)[-1].text or ""


def test_an_employee_left_out_of_a_full_export_is_deactivated_and_loses_the_bot(
    stack: LocalStack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack.telegram.add_user(LEAVER, "Pegawai")
    stack.telegram.add_user(STAYER, "Pegawai")
    say(stack, LEAVER, f"/daftar {nip_of(3)} {PASSWORD}")
    say(stack, STAYER, f"/daftar {nip_of(4)} {PASSWORD}")
    assert "Pegawai 3" in say(stack, LEAVER, "/datapribadi")

    export = tmp_path / "pegawai-lengkap.csv"
    rows = [f"{nip_of(i)},Pegawai {i},{PASSWORD}" for i in range(20) if i != 3]
    export.write_text("\n".join(["nip,nama,password", *rows]) + "\n")
    for key, value in db_env(stack.config.database).items():
        monkeypatch.setenv(key, value)
    config.clear_caches()
    assert cli.main(["import", "employees", str(export), "--full", "--yes"]) == 0

    assert "belum terdaftar" in say(stack, LEAVER, "/datapribadi")
    assert "Pegawai 4" in say(stack, STAYER, "/datapribadi")
    leaver = query(
        stack.config.database, "SELECT status, id_telegram FROM pengguna WHERE nip = %s", (nip_of(3),)
    )
    assert leaver == [{"status": "nonaktif", "id_telegram": None}]
    # coming back with the old password does not work either: the employee is no longer active
    assert "Pegawai 3" not in say(stack, LEAVER, f"/daftar {nip_of(3)} {PASSWORD}")
