"""HR import on real MariaDB: counts, idempotence, passwords, all or nothing, XLSX, CLI, ImportFunction.

The ImportFunction runs in-process against moto (a versioned bucket) and the Telegram emulator (the staff
group), exactly as Lambda would call it with an S3 ObjectCreated event.
"""

from __future__ import annotations

import copy
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote_plus

import boto3
import openpyxl
import pymysql
import pytest
from moto import mock_aws

from local_stack.telegram import TelegramEmulator
from sinawai.hr_import import service, store
from sinawai.hr_import.parse import check_key
from sinawai.hr_import.records import KINDS, ImportResult, Kind
from sinawai.hr_import.service import FullMode, import_file, sha256_of
from sinawai.hr_import.uploads import ImportFunction
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.db import Database
from sinawai.platform.errors import TransactionConflictError
from sinawai.registration.passwords import hash_password, verify_password
from tests.emf_lines import metric, new_container
from tests.helpers import (
    BOT_TOKEN,
    EVENTS,
    STAFF_GROUP_CHAT_ID,
    FakeContext,
    db_env,
    load_event,
    query,
)

EXAMPLES = EVENTS / "imports"
NIP1 = "199001172015031001"  # Budi Santoso in the example files
NIP2 = "198807252014022003"  # Siti Nurhaliza
NIP_UNKNOWN = "197001011995031001"
REGION: Final = "ap-southeast-3"
BUCKET = "sinawai-test-documents"
STAFF = 7770001


def example(kind: str) -> bytes:
    return (EXAMPLES / f"{kind}.csv").read_bytes()


def run_import(db: DatabaseSettings, kind: Kind, data: bytes, name: str = "file.csv") -> ImportResult:
    database = Database(db)
    try:
        return import_file(database, kind, data, file_name=name, source=f"test:{name}")
    finally:
        database.close()


def counts(result: ImportResult) -> tuple[int, int, int]:
    return result.inserted, result.updated, result.unchanged


def table_counts(db: DatabaseSettings) -> dict[str, int]:
    return {
        table: int(query(db, f"SELECT COUNT(*) AS n FROM {table}")[0]["n"])
        for table in ("pengguna", "tunkin", "cuti")
    }


def hashes(db: DatabaseSettings) -> dict[str, str]:
    return {r["nip"]: r["password_hash"] for r in query(db, "SELECT nip, password_hash FROM pengguna")}


def employee_csv(rows: list[str], header: str = "nip,nama,password,jabatan,status,peran") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


# ---- valid imports -------------------------------------------------------------------------------------


def test_each_kind_imports_with_counts_and_is_recorded(db: DatabaseSettings) -> None:
    employees = run_import(db, "employees", example("employees"), "employees.csv")
    tunkin = run_import(db, "tunkin", example("tunkin"), "tunkin.csv")
    cuti = run_import(db, "cuti", example("cuti"), "cuti.csv")
    assert (employees.status, counts(employees)) == ("imported", (8, 0, 0))
    assert (tunkin.status, counts(tunkin)) == ("imported", (18, 0, 0))
    assert (cuti.status, counts(cuti)) == ("imported", (12, 0, 0))
    assert table_counts(db) == {"pengguna": 8, "tunkin": 18, "cuti": 12}

    budi = query(db, "SELECT * FROM pengguna WHERE nip = %s", (NIP1,))[0]
    assert budi["nama"] == "Budi Santoso"
    assert budi["tanggal_lahir"] == date(1990, 1, 17)
    assert (budi["kelas_jabatan"], budi["golongan"], budi["jenis_kelamin"]) == (8, "III/a", "L")
    assert (budi["status"], budi["hak_pengguna"]) == ("aktif", "pegawai")
    assert budi["password_hash"].startswith("scrypt$")
    assert verify_password("Awal#2026Bds", budi["password_hash"])
    assert "Awal#2026Bds" not in json.dumps(query(db, "SELECT * FROM pengguna"), default=str)
    roles = {r["nip"]: (r["hak_pengguna"], r["status"]) for r in query(db, "SELECT * FROM pengguna")}
    assert roles[NIP2] == ("staf", "aktif")
    assert roles["198503142010121002"] == ("admin", "aktif")
    assert roles["198011022005011003"] == ("pegawai", "nonaktif")

    row = query(db, "SELECT * FROM tunkin WHERE nip = %s AND periode = '2026-10'", (NIP1,))[0]
    assert (row["kelas_jabatan"], row["tunjangan"], row["potongan"]) == (8, 4595150, 45952)
    assert row["keterangan"] == "Terlambat masuk kerja 2 kali (TL1)"
    row = query(db, "SELECT * FROM cuti WHERE nip = %s AND tahun = 2026 AND jenis = 'tahunan'", (NIP1,))[0]
    assert (row["hak"], row["terpakai"]) == (12, 7)

    runs = query(db, "SELECT * FROM import_run ORDER BY id")
    assert [(r["kind"], r["status"], r["rows_total"], r["inserted"]) for r in runs] == [
        ("employees", "imported", 8, 8),
        ("tunkin", "imported", 18, 18),
        ("cuti", "imported", 12, 12),
    ]
    assert runs[0]["source"] == "test:employees.csv"
    assert runs[0]["file_sha256"] == sha256_of(example("employees"))
    assert runs[0]["errors"] is None
    assert [r["id"] for r in runs] == [employees.run_id, tunkin.run_id, cuti.run_id]
    audits = query(db, "SELECT event, detail FROM audit_log ORDER BY id")
    assert [a["event"] for a in audits] == ["import"] * 3
    assert json.loads(audits[0]["detail"])["import_run_id"] == employees.run_id


def test_the_same_files_twice_change_nothing(db: DatabaseSettings) -> None:
    for kind in KINDS:
        run_import(db, kind, example(kind))
    before_hashes = hashes(db)
    before_rows = query(db, "SELECT * FROM pengguna ORDER BY nip")
    before_tunkin = query(db, "SELECT * FROM tunkin ORDER BY id")
    again = {kind: run_import(db, kind, example(kind)) for kind in KINDS}
    assert counts(again["employees"]) == (0, 0, 8)
    assert counts(again["tunkin"]) == (0, 0, 18)
    assert counts(again["cuti"]) == (0, 0, 12)
    assert hashes(db) == before_hashes
    assert query(db, "SELECT * FROM pengguna ORDER BY nip") == before_rows  # updated_at untouched too
    assert query(db, "SELECT * FROM tunkin ORDER BY id") == before_tunkin


def test_changes_are_counted_as_updates(db: DatabaseSettings) -> None:
    run_import(db, "employees", example("employees"))
    run_import(db, "tunkin", example("tunkin"))
    changed = (
        example("tunkin")
        .decode()
        .replace(f"{NIP1},2026-11,8,4595150,0,", f"{NIP1},2026-11,8,4595150,91903,TK")
    )
    changed += f"{NIP2},2026-12,9,5079200,0,\n"
    result = run_import(db, "tunkin", changed.encode())
    assert counts(result) == (1, 1, 17)
    row = query(
        db, "SELECT potongan, keterangan FROM tunkin WHERE nip = %s AND periode = '2026-11'", (NIP1,)
    )[0]
    assert (row["potongan"], row["keterangan"]) == (91903, "TK")


def test_a_new_initial_password_replaces_the_hash_of_an_unregistered_employee(db: DatabaseSettings) -> None:
    run_import(db, "employees", employee_csv([f"{NIP1},Budi Santoso,Awal#2026Bds,Analis,aktif,pegawai"]))
    old = hashes(db)[NIP1]
    result = run_import(
        db, "employees", employee_csv([f"{NIP1},Budi Santoso,Baru#2026Bds,Analis,aktif,pegawai"])
    )
    assert counts(result) == (0, 1, 0)
    new = hashes(db)[NIP1]
    assert new != old
    assert verify_password("Baru#2026Bds", new)
    assert not verify_password("Awal#2026Bds", new)


@pytest.mark.parametrize(
    "registration",
    [
        "registered_at = '2026-11-01 03:00:00', id_telegram = 5550001",
        "id_telegram = 5550001",
        "registered_at = '2026-11-01 03:00:00'",  # registered, then /keluar released the account
    ],
)
def test_a_registered_employees_password_is_never_reset(db: DatabaseSettings, registration: str) -> None:
    run_import(db, "employees", example("employees"))
    chosen = hash_password("Pilihan-Sendiri#1")
    Database(db).execute(
        f"UPDATE pengguna SET password_hash = %s, {registration} WHERE nip = %s", (chosen, NIP1)
    )
    rows = (
        example("employees")
        .decode()
        .replace("Awal#2026Bds", "Direset#2026")
        .replace("Budi Santoso", "Budi S.")
    )
    result = run_import(db, "employees", rows.encode())
    assert counts(result) == (0, 1, 7)  # the name changed; the password did not
    budi = query(db, "SELECT nama, password_hash, id_telegram FROM pengguna WHERE nip = %s", (NIP1,))[0]
    assert budi["nama"] == "Budi S."
    assert budi["password_hash"] == chosen
    assert verify_password("Pilihan-Sendiri#1", budi["password_hash"])


def test_columns_absent_from_the_file_are_left_untouched(db: DatabaseSettings) -> None:
    run_import(db, "employees", example("employees"))
    slim = employee_csv([f"{NIP1},Budi Santoso,Awal#2026Bds"], header="nip,nama,password")
    result = run_import(db, "employees", slim)
    assert counts(result) == (0, 0, 1)
    budi = query(db, "SELECT jabatan, status, hak_pengguna, email FROM pengguna WHERE nip = %s", (NIP1,))[0]
    assert budi["jabatan"] == "Analis Sumber Daya Manusia Aparatur Ahli Pertama"
    assert budi["email"] == "budi.santoso@osdm.example.go.id"
    # an empty cell of a present column stores its empty value (NULL) or its default
    result = run_import(db, "employees", employee_csv([f"{NIP2},Siti Nurhaliza,Awal#2026Snh,,,"]))
    assert counts(result) == (0, 1, 0)
    siti = query(db, "SELECT jabatan, status, hak_pengguna FROM pengguna WHERE nip = %s", (NIP2,))[0]
    assert (siti["jabatan"], siti["status"], siti["hak_pengguna"]) == (None, "aktif", "pegawai")


def test_a_semicolon_file_from_indonesian_excel_is_accepted(db: DatabaseSettings) -> None:
    data = (
        example("employees")
        .decode()
        .replace(",", ";")
        .replace('"Dewi Lestari; S.Psi."', '"Dewi Lestari, S.Psi."')
    )
    result = run_import(db, "employees", ("\ufeff" + data.replace("\n", "\r\n")).encode())
    assert (result.status, counts(result)) == ("imported", (8, 0, 0))
    assert (
        query(db, "SELECT nama FROM pengguna WHERE nip = '199205092019032005'")[0]["nama"]
        == "Dewi Lestari, S.Psi."
    )


# ---- all or nothing ------------------------------------------------------------------------------------


def test_one_bad_row_among_good_ones_writes_nothing_and_lists_every_bad_row(db: DatabaseSettings) -> None:
    lines = example("employees").decode().splitlines()
    lines[3] = lines[3].replace("1985-03-14", "1985-02-30")  # line 4
    lines[6] = lines[6].replace("aktif,pegawai", "aktif,direktur")  # line 7
    result = run_import(db, "employees", ("\n".join(lines) + "\n").encode())
    assert result.status == "rejected"
    assert result.bad_lines == [4, 7]
    assert [(p.line, p.column) for p in result.problems] == [(4, "tanggal_lahir"), (7, "peran")]
    assert table_counts(db) == {"pengguna": 0, "tunkin": 0, "cuti": 0}
    run = query(db, "SELECT * FROM import_run")[0]
    assert (run["status"], run["rows_total"], run["inserted"]) == ("rejected", 8, 0)
    assert [(e["line"], e["column"]) for e in json.loads(run["errors"])] == [
        (4, "tanggal_lahir"),
        (7, "peran"),
    ]
    assert "Awal#2026" not in run["errors"]
    detail = json.loads(query(db, "SELECT detail FROM audit_log WHERE event = 'import'")[0]["detail"])
    assert (detail["status"], detail["bad_lines"]) == ("rejected", [4, 7])


def test_a_rejected_file_leaves_earlier_data_as_it_was(db: DatabaseSettings) -> None:
    run_import(db, "employees", example("employees"))
    run_import(db, "tunkin", example("tunkin"))
    before = query(db, "SELECT * FROM tunkin ORDER BY id")
    bad = example("tunkin").decode().replace(f"{NIP1},2026-09,8,4595150,0,", f"{NIP1},2026-09,8,4595150,0,x")
    bad += f"{NIP2},2026-12,9,100,200,\n"  # line 20: potongan > tunjangan
    result = run_import(db, "tunkin", bad.encode())
    assert (result.status, result.bad_lines) == ("rejected", [20])
    assert query(db, "SELECT * FROM tunkin ORDER BY id") == before


def test_tunkin_and_cuti_need_known_nips(db: DatabaseSettings) -> None:
    run_import(db, "employees", example("employees"))
    tunkin = example("tunkin").decode() + f"{NIP_UNKNOWN},2026-11,8,4595150,0,\n"
    result = run_import(db, "tunkin", tunkin.encode())
    assert (result.status, result.bad_lines) == ("rejected", [20])
    assert "tidak terdaftar" in result.problems[0].message
    cuti = f"nip,tahun,jenis,hak,terpakai\n{NIP_UNKNOWN},2026,tahunan,12,0\n{NIP1},2026,tahunan,12,0\n"
    result = run_import(db, "cuti", cuti.encode())
    assert (result.status, result.bad_lines) == ("rejected", [2])
    assert table_counts(db)["tunkin"] == 0
    assert table_counts(db)["cuti"] == 0


BAD_FILES: list[tuple[str, Kind, bytes, list[int], str]] = [
    (
        "missing columns",
        "employees",
        b"nip,nama\n199001172015031001,Budi\n",
        [],
        "Kolom wajib tidak ditemukan: password",
    ),
    (
        "duplicate nips",
        "employees",
        employee_csv(
            [f"{NIP1},Budi,Awal#2026A,,,", f"{NIP2},Siti,Awal#2026B,,,", f"{NIP1},Budi,Awal#2026C,,,"]
        ),
        [4],
        "sudah ada di baris 2",
    ),
    (
        "bad dates",
        "employees",
        b"nip,nama,password,tanggal_lahir\n"
        + f"{NIP1},Budi,Awal#2026A,2026-02-30\n{NIP2},Siti,Awal#2026B,30/01/1990\n".encode(),
        [2, 3],
        "YYYY-MM-DD",
    ),
    ("17-digit nip", "employees", employee_csv(["19900117201503100,Budi,Awal#2026A,,,"]), [2], "17 digit"),
    (
        "nip with letters",
        "employees",
        employee_csv(["19900117201503100X,Budi,Awal#2026A,,,"]),
        [2],
        "tanpa huruf",
    ),
    (
        "nip with spaces",
        "employees",
        employee_csv(['"19900117 201503 1 001",Budi,Awal#2026A,,,']),
        [2],
        "spasi",
    ),
    ("sql-like nip", "employees", employee_csv(["\"1' OR '1'='1\",Budi,Awal#2026A,,,"]), [2], "1' OR '1'='1"),
    ("status", "employees", employee_csv([f"{NIP1},Budi,Awal#2026A,,pensiun,"]), [2], "aktif atau nonaktif"),
    (
        "peran",
        "employees",
        employee_csv([f"{NIP1},Budi,Awal#2026A,,,root"]),
        [2],
        "pegawai, staf, atau admin",
    ),
    (
        "jenis_kelamin",
        "employees",
        f"nip,nama,password,jenis_kelamin\n{NIP1},Budi,Awal#2026A,W\n".encode(),
        [2],
        "L atau P",
    ),
    (
        "latin-1",
        "employees",
        employee_csv([f"{NIP2},Siti Nurhalizé,Awal#2026B,,,"]).decode().encode("latin-1"),
        [],
        "CSV UTF-8",
    ),
    ("empty file", "employees", b"", [], "Berkas kosong"),
    (
        "negative amounts",
        "tunkin",
        f"nip,periode,kelas_jabatan,tunjangan,potongan\n{NIP1},2026-10,8,-1,0\n{NIP1},2026-11,8,5,-5\n".encode(),
        [2, 3],
        "tidak boleh negatif",
    ),
    (
        "potongan > tunjangan",
        "tunkin",
        f"nip,periode,kelas_jabatan,tunjangan,potongan\n{NIP1},2026-10,8,100,150\n".encode(),
        [2],
        "tidak boleh lebih besar",
    ),
    (
        "unknown leave type",
        "cuti",
        f"nip,tahun,jenis,hak,terpakai\n{NIP1},2026,tahunan,12,0\n{NIP1},2026,cuti_bersama,3,3\n".encode(),
        [3],
        "Jenis cuti tidak dikenal",
    ),
    (
        "terpakai > hak",
        "cuti",
        f"nip,tahun,jenis,hak,terpakai\n{NIP1},2026,tahunan,12,14\n".encode(),
        [2],
        "tidak boleh lebih besar daripada hak cuti",
    ),
]


@pytest.mark.parametrize(
    ("name", "kind", "data", "lines", "expected"), BAD_FILES, ids=[b[0] for b in BAD_FILES]
)
def test_bad_files_import_nothing(
    db: DatabaseSettings, name: str, kind: Kind, data: bytes, lines: list[int], expected: str
) -> None:
    if kind != "employees":
        run_import(db, "employees", example("employees"))
    before = table_counts(db)
    result = run_import(db, kind, data)
    assert result.status == "rejected"
    assert result.bad_lines == lines
    assert any(expected in p.message for p in result.problems), result.problems
    assert table_counts(db) == before
    assert query(db, "SELECT status FROM import_run ORDER BY id DESC LIMIT 1")[0]["status"] == "rejected"


def test_a_failure_inside_the_transaction_rolls_every_row_back(
    db: DatabaseSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_import(db, "employees", example("employees"))
    real = store.apply_tunkin

    def half_then_fail(cur: Any, records: Any, now: Any) -> Any:
        real(cur, records, now)  # every row written inside the transaction ...
        raise RuntimeError("connection lost after the last row")  # ... then the transaction fails

    monkeypatch.setattr(store, "apply_tunkin", half_then_fail)
    with pytest.raises(RuntimeError):
        run_import(db, "tunkin", example("tunkin"))
    assert table_counts(db)["tunkin"] == 0
    run = query(db, "SELECT kind, status FROM import_run ORDER BY id DESC LIMIT 1")[0]
    assert (run["kind"], run["status"]) == ("tunkin", "failed")


def test_a_deadlock_victim_is_run_again(db: DatabaseSettings, monkeypatch: pytest.MonkeyPatch) -> None:
    real = service._write
    calls: list[int] = []

    def conflict_once(*args: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise TransactionConflictError("Deadlock found when trying to get lock")
        return real(*args)

    monkeypatch.setattr(service, "_write", conflict_once)
    result = run_import(db, "employees", example("employees"))
    assert (result.status, counts(result), len(calls)) == ("imported", (8, 0, 0), 2)
    assert [r["status"] for r in query(db, "SELECT status FROM import_run")] == ["imported"]


# ---- XLSX ----------------------------------------------------------------------------------------------


def xlsx(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_import(db: DatabaseSettings) -> None:
    rows = [line.split(",") for line in example("employees").decode().replace(", S.Psi.", "").splitlines()]
    result = run_import(db, "employees", xlsx(rows), "pegawai.xlsx")
    assert (result.status, counts(result)) == ("imported", (8, 0, 0))
    again = run_import(db, "employees", xlsx(rows), "pegawai.xlsx")
    assert counts(again) == (0, 0, 8)
    cuti: list[list[Any]] = [
        ["NIP", "Tahun", "Jenis", "Hak", "Terpakai"],
        [NIP1, 2026, "tahunan", 12, 3],
        [NIP2, 2026, "sakit", 14, 0],
    ]
    result = run_import(db, "cuti", xlsx(cuti), "cuti.xlsx")
    assert (result.status, counts(result)) == ("imported", (2, 0, 0))


def test_xlsx_with_a_nip_stored_as_a_number_is_rejected_with_the_text_format_advice(
    db: DatabaseSettings,
) -> None:
    rows: list[list[Any]] = [
        ["nip", "nama", "password"],
        [NIP1, "Budi", "Awal#2026A"],
        [1.98807252014022e17, "Siti", "Awal#2026B"],
    ]
    result = run_import(db, "employees", xlsx(rows), "pegawai.xlsx")
    assert (result.status, result.bad_lines) == ("rejected", [3])
    assert "format kolom nip sebagai Teks" in result.problems[0].message
    assert table_counts(db)["pengguna"] == 0


# ---- the command line ----------------------------------------------------------------------------------


def sinawai(db: DatabaseSettings, *args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("sinawai")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "sinawai.cli"]
    env = {**os.environ, **db_env(db)}
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def test_cli_imports_and_prints_the_counts(db: DatabaseSettings) -> None:
    out = sinawai(db, "import", "employees", str(EXAMPLES / "employees.csv"))
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "Impor data pegawai berhasil: employees.csv",
        "  baris data    : 8",
        "  baru          : 8",
        "  diperbarui    : 0",
        "  tidak berubah : 0",
    ]
    assert "Awal#2026" not in out.stdout + out.stderr
    again = sinawai(db, "import", "employees", str(EXAMPLES / "employees.csv"))
    assert again.returncode == 0
    assert "  tidak berubah : 8" in again.stdout
    assert query(db, "SELECT source FROM import_run ORDER BY id")[0]["source"].startswith("cli:/")


def test_cli_lists_every_bad_row_and_exits_1(db: DatabaseSettings, tmp_path: Path) -> None:
    bad = tmp_path / "pegawai.csv"
    bad.write_bytes(
        employee_csv(
            [
                f"{NIP1},Budi,Rahasia#Budi1,,aktif,pegawai",
                "19900117201503100,Siti,Rahasia#Siti1,,aktif,pegawai",
                f"{NIP2},Agus,Rahasia#Agus1,,cuti,pegawai",
            ]
        )
    )
    out = sinawai(db, "import", "employees", str(bad))
    assert out.returncode == 1
    assert out.stdout.splitlines()[:4] == [
        "Impor data pegawai DITOLAK: tidak ada data yang disimpan (pegawai.csv).",
        "2 kesalahan pada 2 baris:",
        "  baris 3: kolom nip: NIP harus 18 digit angka, tetapi yang tertulis 17 digit"
        " (tertulis «19900117201503100»).",
        "  baris 4: kolom status: Status harus salah satu dari: aktif atau nonaktif (tertulis «cuti»).",
    ]
    assert "Rahasia#" not in out.stdout + out.stderr
    assert table_counts(db)["pengguna"] == 0


def test_cli_usage_and_io_errors_exit_2(db: DatabaseSettings, tmp_path: Path) -> None:
    missing = sinawai(db, "import", "tunkin", str(tmp_path / "tidak-ada.csv"))
    assert missing.returncode == 2
    assert "tidak dapat dibaca" in missing.stderr
    wrong_kind = sinawai(db, "import", "gaji", str(EXAMPLES / "tunkin.csv"))
    assert wrong_kind.returncode == 2
    assert "invalid choice" in wrong_kind.stderr
    assert sinawai(db, "import", "tunkin").returncode == 2
    no_db = subprocess.run(
        [str(Path(sys.executable).with_name("sinawai")), "import", "cuti", str(EXAMPLES / "cuti.csv")],
        capture_output=True,
        text=True,
        env={**os.environ, **db_env(db), "DB_PORT": "1"},
        timeout=60,
        check=False,
    )
    assert no_db.returncode == 2
    assert "basis data" in no_db.stderr


# ---- the ImportFunction (S3 event → MySQL → staff group) -----------------------------------------------


@pytest.fixture
def emulator() -> Iterator[TelegramEmulator]:
    with TelegramEmulator(BOT_TOKEN) as emu:
        emu.add_user(STAFF, "Rina", last_name="Staf OSDM")
        emu.add_group(STAFF_GROUP_CHAT_ID, "OSDM", members=[STAFF])
        yield emu


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        client.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        yield client


@pytest.fixture
def imports(
    db: DatabaseSettings, emulator: TelegramEmulator, s3: Any, monkeypatch: pytest.MonkeyPatch
) -> ImportFunction:
    for key, value in db_env(db).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", emulator.base_url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("STAFF_GROUP_CHAT_ID", str(STAFF_GROUP_CHAT_ID))
    monkeypatch.setenv("DOCUMENTS_BUCKET", BUCKET)
    return ImportFunction()


def upload(s3: Any, key: str, data: bytes) -> dict[str, Any]:
    """Put the object and return the S3 event Lambda would get for it (from the sample event)."""
    put = s3.put_object(Bucket=BUCKET, Key=key, Body=data)
    event = copy.deepcopy(load_event("import_s3_employees"))
    record = event["Records"][0]
    record["s3"]["bucket"]["name"] = BUCKET
    record["s3"]["object"].update(key=quote_plus(key, safe="/"), size=len(data), versionId=put["VersionId"])
    return dict(event)


def invoke(function: ImportFunction, event: dict[str, Any]) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = function.lambda_handler(event, FakeContext())["results"]
    return results


def versions(s3: Any, key: str) -> list[str]:
    listing = s3.list_object_versions(Bucket=BUCKET, Prefix=key)
    return [v["VersionId"] for v in listing.get("Versions", []) + listing.get("DeleteMarkers", [])]


def staff_texts(emulator: TelegramEmulator) -> list[str]:
    return [m.text or "" for m in emulator.bot_messages(STAFF_GROUP_CHAT_ID)]


def test_sample_event_names_a_versioned_employees_file() -> None:
    record = load_event("import_s3_employees")["Records"][0]
    assert record["eventName"].startswith("ObjectCreated:")
    assert check_key(record["s3"]["object"]["key"].replace("+", " ")).kind == "employees"
    assert record["s3"]["object"]["versionId"]


def test_an_uploaded_file_is_imported_reported_and_its_version_deleted(
    imports: ImportFunction, s3: Any, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    key = "imports/employees/pegawai biro osdm 2026-11.csv"
    event = upload(s3, key, example("employees"))
    (result,) = invoke(imports, event)
    assert result["status"] == "imported"
    assert table_counts(db)["pengguna"] == 8
    (text,) = staff_texts(emulator)
    assert text.splitlines()[:6] == [
        "✅ Impor data pegawai berhasil",
        "Berkas: pegawai biro osdm 2026-11.csv",
        "Baris data: 8",
        "• baru: 8",
        "• diperbarui: 0",
        "• tidak berubah: 0",
    ]
    assert "dihapus" in text
    assert versions(s3, key) == []  # that version is gone for good: no delete marker, no noncurrent copy
    run = query(db, "SELECT source, status FROM import_run")[0]
    assert (
        run["source"] == f"s3://{BUCKET}/{key}?versionId={event['Records'][0]['s3']['object']['versionId']}"
    )
    logged = query(db, "SELECT chat_id, direction, isi_pesan FROM pesan")
    assert [(r["chat_id"], r["direction"]) for r in logged] == [(STAFF_GROUP_CHAT_ID, "out")]
    assert "Awal#2026" not in json.dumps(logged)

    # S3 delivers the same event again: nothing imported twice, no second message
    (again,) = invoke(imports, event)
    assert again["status"] in ("duplicate", "gone")
    assert len(staff_texts(emulator)) == 1
    assert len(query(db, "SELECT id FROM import_run")) == 1


def test_an_event_for_an_object_already_gone_is_calm(
    imports: ImportFunction, s3: Any, emulator: TelegramEmulator
) -> None:
    key = "imports/cuti/cuti.csv"
    event = upload(s3, key, example("cuti"))
    s3.delete_object(Bucket=BUCKET, Key=key, VersionId=event["Records"][0]["s3"]["object"]["versionId"])
    (result,) = invoke(imports, event)
    assert result["status"] == "gone"
    assert staff_texts(emulator) == []


def test_a_rejected_file_is_reported_with_line_numbers_and_kept(
    imports: ImportFunction, s3: Any, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    invoke(imports, upload(s3, "imports/employees/employees.csv", example("employees")))
    key = "imports/tunkin/tunkin-2026-11.csv"
    bad = example("tunkin").decode() + f"{NIP_UNKNOWN},2026-11,8,4595150,0,\n{NIP1},2026-12,8,100,200,\n"
    event = upload(s3, key, bad.encode())
    (result,) = invoke(imports, event)
    assert result["status"] == "rejected"
    text = staff_texts(emulator)[-1]
    assert "❌ Impor data tunjangan kinerja (tunkin) ditolak: tidak ada data yang disimpan." in text
    assert "2 kesalahan pada 2 baris (dari 20 baris data)" in text
    assert "Baris 20 — kolom nip: NIP tidak terdaftar" in text
    assert (
        "Baris 21 — kolom potongan: Potongan (200) tidak boleh lebih besar daripada tunjangan (100)." in text
    )
    assert "terhapus otomatis" in text
    assert table_counts(db)["tunkin"] == 0
    assert versions(s3, key) == [event["Records"][0]["s3"]["object"]["versionId"]]  # kept for the staff
    # the same event again: no second rejection message
    (again,) = invoke(imports, event)
    assert again["status"] == "duplicate"
    assert len(staff_texts(emulator)) == 2


def test_an_unknown_kind_is_reported_and_nothing_imported(
    imports: ImportFunction, s3: Any, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    (result,) = invoke(imports, upload(s3, "imports/gaji/gaji-2026-11.csv", example("employees")))
    assert result["status"] == "unknown_kind"
    (text,) = staff_texts(emulator)
    assert "Berkas tidak diimpor: imports/gaji/gaji-2026-11.csv" in text
    assert "Jenis data «gaji» tidak dikenal" in text
    assert "imports/employees/, imports/tunkin/, imports/cuti/" in text
    assert table_counts(db)["pengguna"] == 0
    assert query(db, "SELECT id FROM import_run") == []


def test_a_folder_placeholder_is_ignored(
    imports: ImportFunction, s3: Any, emulator: TelegramEmulator
) -> None:
    (result,) = invoke(imports, upload(s3, "imports/tunkin/", b""))
    assert result["status"] == "ignored"
    assert staff_texts(emulator) == []


def test_an_xlsx_upload_with_a_numeric_nip(
    imports: ImportFunction, s3: Any, emulator: TelegramEmulator
) -> None:
    rows: list[list[Any]] = [["nip", "nama", "password"], [1.99001172015031e17, "Budi", "Awal#2026A"]]
    key = "imports/employees/pegawai.xlsx"
    event = upload(s3, key, xlsx(rows))
    (result,) = invoke(imports, event)
    assert result["status"] == "rejected"
    assert "Baris 2 — kolom nip: NIP tersimpan sebagai angka" in staff_texts(emulator)[-1]
    assert "Teks" in staff_texts(emulator)[-1]
    assert len(versions(s3, key)) == 1


# ---- item 13: an empty status cell, and full exports (--full, imports/employees-full/) ------------------

YOHANES = "198011022005011003"  # nonaktif in the example file
WORKFORCE_HEADER = "nip,nama,password,jabatan,status,peran"


def nip_of(i: int) -> str:
    return f"19900117{i:010d}"


def workforce(indexes: range | list[int], status: str = "aktif") -> bytes:
    """A file of employees numbered ``indexes`` (NIP 19900117000000000i)."""
    return employee_csv(
        [f"{nip_of(i)},Pegawai {i},Awal#2026P{i:04d},Analis,{status},pegawai" for i in indexes]
    )


def bind(db: DatabaseSettings, nip: str, telegram_id: int) -> None:
    Database(db).execute(
        "UPDATE pengguna SET id_telegram = %s, registered_at = '2026-11-01 03:00:00' WHERE nip = %s",
        (telegram_id, nip),
    )


def people(db: DatabaseSettings) -> dict[str, tuple[str, int | None]]:
    return {r["nip"]: (r["status"], r["id_telegram"]) for r in query(db, "SELECT * FROM pengguna")}


def full_import(
    db: DatabaseSettings, data: bytes, *, max_percent: float = 10.0, force: bool = False
) -> ImportResult:
    database = Database(db)
    try:
        return import_file(
            database,
            "employees",
            data,
            file_name="pegawai-lengkap.csv",
            source="test:pegawai-lengkap.csv",
            full=FullMode(max_deactivate_percent=max_percent, force=force),
        )
    finally:
        database.close()


def test_an_empty_status_cell_never_changes_an_existing_status(db: DatabaseSettings) -> None:
    run_import(db, "employees", example("employees"))
    assert people(db)[YOHANES][0] == "nonaktif"
    emptied = example("employees").decode().replace(",nonaktif,", ",,").replace(",aktif,", ",,")
    result = run_import(db, "employees", emptied.encode())
    assert counts(result) == (0, 0, 8)
    assert people(db)[YOHANES][0] == "nonaktif"  # an empty cell is not a re-activation
    assert [s for s, _ in people(db).values()].count("aktif") == 7
    # a new employee whose status cell is empty starts aktif
    run_import(db, "employees", employee_csv(["199912312022031001,Pegawai Baru,Awal#2026Pbr,,,"]))
    assert people(db)["199912312022031001"][0] == "aktif"


def test_a_full_export_deactivates_the_absent_and_releases_their_telegram_binding(
    db: DatabaseSettings,
) -> None:
    run_import(db, "employees", workforce(range(20)))
    bind(db, nip_of(3), 5550003)
    bind(db, nip_of(4), 5550004)
    # a later full export: 3 left (bound), 19 is new; 4 stays
    later = [i for i in range(21) if i != 3]
    result = full_import(db, workforce(later))
    assert result.imported
    assert counts(result) == (1, 0, 19)
    assert (result.deactivated, result.released) == (1, 1)
    after = people(db)
    assert after[nip_of(3)] == ("nonaktif", None)
    assert after[nip_of(4)] == ("aktif", 5550004)
    assert after[nip_of(20)] == ("aktif", None)
    audits = query(
        db,
        "SELECT nip, telegram_user_id, detail FROM audit_log WHERE event = 'import_deactivate' ORDER BY id",
    )
    assert [(a["nip"], a["telegram_user_id"]) for a in audits] == [(nip_of(3), 5550003)]
    assert json.loads(audits[0]["detail"])["import_run_id"] == result.run_id
    run_detail = json.loads(query(db, "SELECT detail FROM audit_log WHERE event = 'import'")[-1]["detail"])
    assert (run_detail["mode"], run_detail["deactivated"], run_detail["released"]) == ("full", 1, 1)
    # the same full export again changes nothing more
    again = full_import(db, workforce(later))
    assert (counts(again), again.deactivated, again.released) == ((0, 0, 20), 0, 0)
    # and a partial (not full) file deactivates nobody
    assert run_import(db, "employees", workforce([0])).imported
    assert people(db)[nip_of(5)] == ("aktif", None)


def test_a_full_export_that_fails_midway_changes_nothing(
    db: DatabaseSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_import(db, "employees", workforce(range(20)))
    bind(db, nip_of(3), 5550003)
    before = query(db, "SELECT * FROM pengguna ORDER BY nip")
    # the deactivation's audit row fails after the rows were written in the same transaction
    monkeypatch.setattr(store, "_INSERT_DEACTIVATION_AUDIT", "INSERT INTO no_such_table VALUES (%s)")
    later = [i for i in range(21) if i != 3]
    with pytest.raises(pymysql.err.ProgrammingError):
        full_import(db, workforce(later))
    assert query(db, "SELECT * FROM pengguna ORDER BY nip") == before
    assert query(db, "SELECT status FROM import_run ORDER BY id")[-1]["status"] == "failed"


def test_a_truncated_full_export_is_refused_and_changes_nothing(db: DatabaseSettings) -> None:
    run_import(db, "employees", workforce(range(20)))
    before = query(db, "SELECT * FROM pengguna ORDER BY nip")
    truncated = workforce(range(15))  # 5 of 20 active (25 %) would go: more than the default 10 %
    result = full_import(db, truncated)
    assert result.status == "rejected"
    (problem,) = result.problems
    assert "5 dari 20 pegawai aktif (25%)" in problem.message
    assert "melebihi batas 10%" in problem.message
    assert query(db, "SELECT * FROM pengguna ORDER BY nip") == before
    assert query(db, "SELECT status FROM import_run ORDER BY id")[-1]["status"] == "rejected"
    # a higher limit, or force, lets it through
    assert full_import(db, truncated, max_percent=25).imported
    run_import(db, "employees", workforce(range(20)))  # an explicit aktif cell re-activates the five
    assert full_import(db, workforce(range(10)), force=True).deactivated == 10


def sinawai_cli(db: DatabaseSettings, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("sinawai")
    env = {**os.environ, **db_env(db)}
    return subprocess.run(
        [str(script), *args], capture_output=True, text=True, env=env, input=stdin, timeout=120, check=False
    )


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_cli_full_import_prints_a_dry_run_summary_with_masked_nips_and_dry_run_changes_nothing(
    db: DatabaseSettings, tmp_path: Path
) -> None:
    run_import(db, "employees", workforce(range(40)))
    bind(db, nip_of(7), 5550007)
    before = query(db, "SELECT * FROM pengguna ORDER BY nip")
    runs = len(query(db, "SELECT id FROM import_run"))
    changed = workforce([i for i in range(41) if i not in (7, 8)]).decode().replace("Pegawai 1,", "P. Satu,")
    path = tmp_path / "pegawai-lengkap.csv"
    path.write_text(changed)
    out = sinawai_cli(db, "import", "employees", str(path), "--full", "--dry-run")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert "  baru          : 1" in lines
    assert "  diperbarui    : 1" in lines
    assert "  tidak berubah : 37" in lines
    assert "  dinonaktifkan : 2 (1990**********0007, 1990**********0008)" in lines
    assert "  akun dilepas  : 1" in lines
    assert nip_of(7) not in out.stdout + out.stderr
    assert "Awal#2026" not in out.stdout + out.stderr
    assert query(db, "SELECT * FROM pengguna ORDER BY nip") == before
    assert len(query(db, "SELECT id FROM import_run")) == runs


def test_cli_full_import_on_a_non_interactive_stdin_without_yes_refuses_with_exit_2(
    db: DatabaseSettings, tmp_path: Path
) -> None:
    run_import(db, "employees", workforce(range(40)))
    before = query(db, "SELECT * FROM pengguna ORDER BY nip")
    path = tmp_path / "pegawai-lengkap.csv"
    path.write_bytes(workforce(range(39)))
    out = sinawai_cli(db, "import", "employees", str(path), "--full", stdin="y\n")
    assert out.returncode == 2
    assert "  dinonaktifkan : 1 (1990**********0039)" in out.stdout  # the summary came first
    assert "--yes" in out.stderr
    assert query(db, "SELECT * FROM pengguna ORDER BY nip") == before
    done = sinawai_cli(db, "import", "employees", str(path), "--full", "--yes")
    assert done.returncode == 0, done.stderr
    assert "  dinonaktifkan : 1 (1990**********0039)" in done.stdout
    assert people(db)[nip_of(39)] == ("nonaktif", None)


def test_cli_full_import_asks_for_confirmation_on_a_terminal(
    db: DatabaseSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from sinawai import cli

    for key, value in db_env(db).items():
        monkeypatch.setenv(key, value)
    run_import(db, "employees", workforce(range(40)))
    path = tmp_path / "pegawai-lengkap.csv"
    path.write_bytes(workforce(range(39)))
    monkeypatch.setattr(sys, "stdin", _Terminal("tidak\n"))
    assert cli.main(["import", "employees", str(path), "--full"]) == 1
    assert "Lanjutkan" in capsys.readouterr().out
    assert people(db)[nip_of(39)] == ("aktif", None)
    monkeypatch.setattr(sys, "stdin", _Terminal("ya\n"))
    assert cli.main(["import", "employees", str(path), "--full"]) == 0
    assert people(db)[nip_of(39)] == ("nonaktif", None)


def test_cli_full_import_refuses_a_truncated_file_unless_forced(db: DatabaseSettings, tmp_path: Path) -> None:
    run_import(db, "employees", workforce(range(20)))
    before = query(db, "SELECT * FROM pengguna ORDER BY nip")
    path = tmp_path / "pegawai-terpotong.csv"
    path.write_bytes(workforce(range(15)))
    out = sinawai_cli(db, "import", "employees", str(path), "--full", "--yes")
    assert out.returncode == 1
    assert "melebihi batas 10%" in out.stdout
    assert "--force" in out.stdout
    assert query(db, "SELECT * FROM pengguna ORDER BY nip") == before
    limit = sinawai_cli(
        db, "import", "employees", str(path), "--full", "--yes", "--max-deactivate-percent", "5"
    )
    assert limit.returncode == 1
    assert "melebihi batas 5%" in limit.stdout
    forced = sinawai_cli(db, "import", "employees", str(path), "--full", "--yes", "--force")
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert [s for s, _ in people(db).values()].count("nonaktif") == 5


def test_cli_full_mode_is_for_the_employees_file_only(db: DatabaseSettings) -> None:
    out = sinawai_cli(db, "import", "tunkin", str(EXAMPLES / "tunkin.csv"), "--full", "--yes")
    assert out.returncode == 2
    assert "--full" in out.stderr


def test_a_full_export_uploaded_to_s3_deactivates_the_absent_and_tells_the_staff(
    imports: ImportFunction, s3: Any, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    run_import(db, "employees", workforce(range(20)))
    bind(db, nip_of(3), 5550003)
    key = "imports/employees-full/pegawai lengkap 2026-12.csv"
    (result,) = invoke(imports, upload(s3, key, workforce([i for i in range(20) if i != 3])))
    assert result["status"] == "imported"
    assert people(db)[nip_of(3)] == ("nonaktif", None)
    (text,) = staff_texts(emulator)
    assert "✅ Impor data pegawai berhasil" in text
    assert "• dinonaktifkan: 1 (1990**********0003)" in text
    assert "• akun Telegram dilepas: 1" in text
    assert nip_of(3) not in text
    assert versions(s3, key) == []
    assert query(db, "SELECT COUNT(*) AS n FROM audit_log WHERE event = 'import_deactivate'")[0]["n"] == 1


def test_a_truncated_full_export_uploaded_to_s3_is_refused_and_the_staff_told(
    imports: ImportFunction, s3: Any, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    run_import(db, "employees", workforce(range(20)))
    before = query(db, "SELECT * FROM pengguna ORDER BY nip")
    key = "imports/employees-full/pegawai-terpotong.csv"
    event = upload(s3, key, workforce(range(12)))
    (result,) = invoke(imports, event)
    assert result["status"] == "rejected"
    (text,) = staff_texts(emulator)
    assert "❌ Impor data pegawai ditolak" in text
    assert "8 dari 20 pegawai aktif (40%)" in text
    assert query(db, "SELECT * FROM pengguna ORDER BY nip") == before
    (again,) = invoke(imports, event)  # S3 delivers it again: no second message
    assert again["status"] == "duplicate"
    assert len(staff_texts(emulator)) == 1


def test_the_import_function_prints_files_and_rows_imported_or_refused(
    imports: ImportFunction, s3: Any, emulator: TelegramEmulator, capsys: pytest.CaptureFixture[str]
) -> None:
    new_container()

    def counts(event: dict[str, Any]) -> dict[str, list[float]]:
        capsys.readouterr()
        invoke(imports, event)
        output = capsys.readouterr().out
        names = (
            "ImportFilesImported",
            "ImportRowsImported",
            "EmployeesDeactivated",
            "ImportFilesRejected",
            "ImportRowsRefused",
            "ImportNoticesFailed",
        )
        found = {name: metric(output, name, service="sinawai-imports") for name in names}
        return {name: values for name, values in found.items() if values}

    employees = upload(s3, "imports/employees/employees.csv", example("employees"))
    assert counts(employees) == {
        "ImportFilesImported": [1.0],
        "ImportRowsImported": [8.0],
        "EmployeesDeactivated": [0.0],
    }
    bad = example("tunkin").decode() + f"{NIP_UNKNOWN},2026-11,8,4595150,0,\n{NIP1},2026-12,8,100,200,\n"
    assert counts(upload(s3, "imports/tunkin/tunkin.csv", bad.encode())) == {
        "ImportFilesRejected": [1.0],
        "ImportRowsRefused": [2.0],
    }
    assert counts(employees) == {}  # S3 delivered the event again: nothing imported, nothing counted
    emulator.fail_next("sendMessage", error_code=500)  # the staff group cannot be told this time
    assert counts(upload(s3, "imports/cuti/cuti.csv", example("cuti"))) == {
        "ImportFilesImported": [1.0],
        "ImportRowsImported": [float(len(example("cuti").decode().strip().splitlines()) - 1)],
        "EmployeesDeactivated": [0.0],
        "ImportNoticesFailed": [1.0],
    }
