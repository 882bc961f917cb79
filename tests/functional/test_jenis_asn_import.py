"""The employee type (jenis_asn) through both import paths on real MariaDB: `sinawai import employees` and
the S3-triggered ImportFunction (moto, the Telegram emulator's staff group); and the cuti import refusing a
kind of leave that a PPPK does not have.

Bad inputs tried: jenis_asn "P3K" and "kontrak" (the file is refused with its line numbers, nothing
written); a cuti row of cuti besar and one of cuti karena alasan penting for a PPPK.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote_plus

import boto3
import pytest
from moto import mock_aws

from local_stack.telegram import TelegramEmulator
from sinawai.hr_import.records import ImportResult, Kind
from sinawai.hr_import.service import import_file
from sinawai.hr_import.uploads import ImportFunction
from sinawai.platform.config import DatabaseSettings
from sinawai.platform.db import Database
from tests.helpers import BOT_TOKEN, EVENTS, STAFF_GROUP_CHAT_ID, FakeContext, db_env, load_event, query

REGION: Final = "ap-southeast-3"
BUCKET = "sinawai-test-documents"
STAFF = 7770001
NIP_PNS = "199001172015031001"
NIP_PPPK = "199604212023212007"
NIP_NEW = "199712122024212003"
HEADER = "nip,nama,password,jenis_asn"


def csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def types(db: DatabaseSettings) -> dict[str, str]:
    return {r["nip"]: r["jenis_asn"] for r in query(db, "SELECT nip, jenis_asn FROM pengguna")}


def run_import(db: DatabaseSettings, kind: Kind, data: bytes) -> ImportResult:
    database = Database(db)
    try:
        return import_file(database, kind, data, file_name="berkas.csv", source="test:berkas.csv")
    finally:
        database.close()


def sinawai(db: DatabaseSettings, *args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("sinawai")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "sinawai.cli"]
    env = {**os.environ, **db_env(db)}
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


# ---- sinawai import employees --------------------------------------------------------------------------


def test_cli_import_stores_the_type_and_an_empty_cell_keeps_it(db: DatabaseSettings, tmp_path: Path) -> None:
    first = tmp_path / "pegawai.csv"
    first.write_bytes(
        csv(f"{NIP_PNS},Budi Santoso,Awal#2026Bds,PNS", f"{NIP_PPPK},Putri Maharani,Awal#2026Ptm,pppk")
    )
    out = sinawai(db, "import", "employees", str(first))
    assert out.returncode == 0, out.stderr
    assert types(db) == {NIP_PNS: "PNS", NIP_PPPK: "PPPK"}

    # the next export has the column empty for Putri, and a new employee with it empty: Putri stays PPPK,
    # the newcomer starts PNS
    second = tmp_path / "pegawai-2.csv"
    second.write_bytes(
        csv(
            f"{NIP_PNS},Budi Santoso,Awal#2026Bds,PNS",
            f"{NIP_PPPK},Putri Maharani,Awal#2026Ptm,",
            f"{NIP_NEW},Rani,Awal#2026Rni,",
        )
    )
    out = sinawai(db, "import", "employees", str(second))
    assert out.returncode == 0, out.stderr
    assert "  tidak berubah : 2" in out.stdout
    assert types(db) == {NIP_PNS: "PNS", NIP_PPPK: "PPPK", NIP_NEW: "PNS"}

    # an export without the column changes no type either
    third = tmp_path / "pegawai-3.csv"
    third.write_bytes(csv(f"{NIP_PPPK},Putri Maharani,Awal#2026Ptm", header="nip,nama,password"))
    assert sinawai(db, "import", "employees", str(third)).returncode == 0
    assert types(db)[NIP_PPPK] == "PPPK"

    # HR corrects a type: the change is counted as an update
    fourth = tmp_path / "pegawai-4.csv"
    fourth.write_bytes(csv(f"{NIP_NEW},Rani,Awal#2026Rni,PPPK"))
    out = sinawai(db, "import", "employees", str(fourth))
    assert "  diperbarui    : 1" in out.stdout
    assert types(db)[NIP_NEW] == "PPPK"


def test_cli_refuses_a_file_with_a_bad_type_listing_every_bad_line(
    db: DatabaseSettings, tmp_path: Path
) -> None:
    path = tmp_path / "pegawai.csv"
    path.write_bytes(
        csv(
            f"{NIP_PNS},Budi Santoso,Awal#2026Bds,PNS",
            f"{NIP_PPPK},Putri Maharani,Awal#2026Ptm,P3K",
            f"{NIP_NEW},Rani,Awal#2026Rni,kontrak",
        )
    )
    out = sinawai(db, "import", "employees", str(path))
    assert out.returncode == 1
    report = out.stdout + out.stderr
    assert "baris 3" in report.lower()
    assert "baris 4" in report.lower()
    assert "Jenis ASN ditulis PPPK" in report
    assert "Jenis ASN harus PNS atau PPPK" in report
    assert types(db) == {}  # all or nothing: Budi's good row is not imported either


def test_the_example_file_has_a_pppk_employee(db: DatabaseSettings) -> None:
    result = run_import(db, "employees", (EVENTS / "imports" / "employees.csv").read_bytes())
    assert result.imported
    stored = types(db)
    assert stored[NIP_PPPK] == "PPPK"
    assert sorted(set(stored.values())) == ["PNS", "PPPK"]
    cuti = run_import(db, "cuti", (EVENTS / "imports" / "cuti.csv").read_bytes())
    assert cuti.imported, cuti.problems


# ---- the cuti import and the type ------------------------------------------------------------------------


def test_a_cuti_row_of_a_kind_a_pppk_does_not_have_is_refused(db: DatabaseSettings) -> None:
    assert run_import(
        db, "employees", csv(f"{NIP_PNS},Budi,Awal#2026Bds,PNS", f"{NIP_PPPK},Putri,Awal#2026Ptm,PPPK")
    ).imported
    result = run_import(
        db,
        "cuti",
        csv(
            f"{NIP_PPPK},2026,tahunan,12,3",
            f"{NIP_PPPK},2026,besar,90,0",
            f"{NIP_PNS},2026,besar,90,0",  # a PNS has cuti besar
            f"{NIP_PPPK},2026,alasan_penting,30,2",
            header="nip,tahun,jenis,hak,terpakai",
        ),
    )
    assert result.status == "rejected"
    assert result.bad_lines == [3, 5]
    assert {p.column for p in result.problems} == {"jenis"}
    assert all("tercatat sebagai PPPK" in p.message for p in result.problems)
    assert "PP 49/2018 Pasal 77" in result.problems[0].message
    assert query(db, "SELECT COUNT(*) AS n FROM cuti") == [{"n": 0}]


# ---- the ImportFunction (S3 upload) --------------------------------------------------------------------


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
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }.items():
        monkeypatch.setenv(key, value)
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
    put = s3.put_object(Bucket=BUCKET, Key=key, Body=data)
    event = copy.deepcopy(load_event("import_s3_employees"))
    record = event["Records"][0]
    record["s3"]["bucket"]["name"] = BUCKET
    record["s3"]["object"].update(key=quote_plus(key, safe="/"), size=len(data), versionId=put["VersionId"])
    return dict(event)


def test_an_uploaded_employees_file_sets_the_type(
    imports: ImportFunction, s3: Any, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    event = upload(
        s3,
        "imports/employees/pegawai.csv",
        csv(f"{NIP_PNS},Budi,Awal#2026Bds,", f"{NIP_PPPK},Putri,Awal#2026Ptm,PPPK"),
    )
    (result,) = imports.lambda_handler(event, FakeContext())["results"]
    assert result["status"] == "imported"
    assert types(db) == {NIP_PNS: "PNS", NIP_PPPK: "PPPK"}
    assert (emulator.bot_messages(STAFF_GROUP_CHAT_ID)[-1].text or "").startswith(
        "✅ Impor data pegawai berhasil"
    )


def test_an_uploaded_file_with_a_bad_type_is_refused_and_the_staff_told_the_line(
    imports: ImportFunction, s3: Any, emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    event = upload(s3, "imports/employees/pegawai.csv", csv(f"{NIP_PPPK},Putri,Awal#2026Ptm,P3K"))
    (result,) = imports.lambda_handler(event, FakeContext())["results"]
    assert result["status"] == "rejected"
    text = emulator.bot_messages(STAFF_GROUP_CHAT_ID)[-1].text or ""
    assert "Baris 2" in text
    assert "Jenis ASN ditulis PPPK" in text
    assert types(db) == {}
