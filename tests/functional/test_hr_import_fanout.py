"""A large HR file imported in chunks (issue 16, item 1), on real MariaDB, moto (S3 and SQS) and the emulator.

The ImportFunction runs in-process as Lambda would call it: the S3 event first, then every message of the
import queue as the SQS event source mapping delivers it (``drain``: receive, invoke, delete unless the
function reports the message failed). A small ``IMPORT_CHUNK_ROWS`` makes several chunks of a small file.
"""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Iterator
from typing import Any, Final
from urllib.parse import quote_plus

import boto3
import pymysql
import pytest
from moto import mock_aws

from local_stack.telegram import TelegramEmulator
from sinawai.hr_import import fanout, uploads
from sinawai.hr_import.uploads import FAIL_CHUNK_ENV, ImportFunction
from sinawai.platform.config import DatabaseSettings
from sinawai.registration.passwords import (
    INITIAL_SCRYPT_N,
    hash_password,
    needs_rehash,
    verify_password,
)
from tests.helpers import BOT_TOKEN, STAFF_GROUP_CHAT_ID, FakeContext, db_env, load_event, query

REGION: Final = "ap-southeast-3"
BUCKET = "sinawai-test-documents"
STAFF = 7770001
CHUNK_ROWS = 4
ATTEMPTS = 2


def nip_of(i: int) -> str:
    return f"19900117{i:010d}"


def password_of(i: int) -> str:
    return f"Awal#{i:04d}x"


def employees_csv(n: int, *, password: str | None = None, jabatan: str = "Analis") -> bytes:
    rows = [
        f"{nip_of(i)},Pegawai {i},{password or password_of(i)},{jabatan},1990-01-{i % 28 + 1:02d}"
        for i in range(n)
    ]
    return ("\n".join(["nip,nama,password,jabatan,tanggal_lahir", *rows]) + "\n").encode()


@pytest.fixture
def emulator() -> Iterator[TelegramEmulator]:
    with TelegramEmulator(BOT_TOKEN) as emu:
        emu.add_user(STAFF, "Rina", last_name="Staf OSDM")
        emu.add_group(STAFF_GROUP_CHAT_ID, "OSDM", members=[STAFF])
        yield emu


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Any, str]]:
    for name in ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_SQS", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    with mock_aws():
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
        sqs = boto3.client("sqs", region_name=REGION)
        # visibility 0: a message the function reports failed is received again at once (in AWS: after
        # the queue's visibility timeout)
        url = sqs.create_queue(QueueName="imports", Attributes={"VisibilityTimeout": "0"})["QueueUrl"]
        yield s3, sqs, url


@pytest.fixture
def imports(
    db: DatabaseSettings,
    emulator: TelegramEmulator,
    aws: tuple[Any, Any, str],
    monkeypatch: pytest.MonkeyPatch,
) -> ImportFunction:
    for key, value in db_env(db).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", emulator.base_url)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("STAFF_GROUP_CHAT_ID", str(STAFF_GROUP_CHAT_ID))
    monkeypatch.setenv("DOCUMENTS_BUCKET", BUCKET)
    monkeypatch.setenv("IMPORT_QUEUE_URL", aws[2])
    monkeypatch.setenv("IMPORT_CHUNK_ROWS", str(CHUNK_ROWS))
    monkeypatch.setenv("IMPORT_CHUNK_ATTEMPTS", str(ATTEMPTS))
    return ImportFunction()


def upload(s3: Any, key: str, data: bytes) -> dict[str, Any]:
    put = s3.put_object(Bucket=BUCKET, Key=key, Body=data)
    event = copy.deepcopy(load_event("import_s3_employees"))
    record = event["Records"][0]
    record["s3"]["bucket"]["name"] = BUCKET
    record["s3"]["object"].update(key=quote_plus(key, safe="/"), size=len(data), versionId=put["VersionId"])
    return dict(event)


def invoke(function: ImportFunction, event: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = function.lambda_handler(event, FakeContext())
    return answer


def receive(aws: tuple[Any, Any, str]) -> list[dict[str, Any]]:
    _, sqs, url = aws
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, MessageSystemAttributeNames=["All"])
    return [
        {
            "messageId": m["MessageId"],
            "receiptHandle": m["ReceiptHandle"],
            "body": m["Body"],
            "attributes": m.get("Attributes") or {},
            "messageAttributes": {},
            "eventSource": "aws:sqs",
            "eventSourceARN": f"arn:aws:sqs:{REGION}:123456789012:imports",
            "awsRegion": REGION,
        }
        for m in got.get("Messages") or []
    ]


def drain(function: ImportFunction, aws: tuple[Any, Any, str], *, twice: bool = False) -> int:
    """Deliver every queued chunk as the event source mapping does (batch size 1); ``twice``: each message
    is delivered a second time after it succeeded (SQS is at least once). The number of invocations."""
    _, sqs, url = aws
    calls = 0
    for _ in range(200):
        records = receive(aws)
        if not records:
            return calls
        answer = invoke(function, {"Records": records})
        calls += 1
        if not answer["batchItemFailures"]:
            if twice:
                invoke(function, {"Records": records})
                calls += 1
            sqs.delete_message(QueueUrl=url, ReceiptHandle=records[0]["receiptHandle"])
    raise AssertionError("the queue never emptied")


def staff_texts(emulator: TelegramEmulator) -> list[str]:
    return [m.text or "" for m in emulator.bot_messages(STAFF_GROUP_CHAT_ID)]


def count(db: DatabaseSettings, table: str) -> int:
    return int(query(db, f"SELECT COUNT(*) AS n FROM {table}")[0]["n"])


def hashes(db: DatabaseSettings) -> dict[str, str]:
    return {r["nip"]: r["password_hash"] for r in query(db, "SELECT nip, password_hash FROM pengguna")}


def import_employees(
    imports: ImportFunction, aws: tuple[Any, Any, str], data: bytes, name: str = "pegawai.csv"
) -> dict[str, Any]:
    (result,) = invoke(imports, upload(aws[0], f"imports/employees/{name}", data))["results"]
    drain(imports, aws)
    return dict(result)


# ---- the happy path -----------------------------------------------------------------------------------


def test_a_large_employees_file_is_staged_in_chunks_and_committed_once(
    imports: ImportFunction, aws: tuple[Any, Any, str], emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    key = "imports/employees/pegawai.csv"
    (result,) = invoke(imports, upload(aws[0], key, employees_csv(10)))["results"]
    assert result["status"] == "staging"
    # validated and planned, nothing written yet: 10 rows in 3 chunks, the staff told it started
    assert count(db, "pengguna") == 0
    run = query(db, "SELECT status, rows_total, chunks_total FROM import_fanout")
    assert run == [{"status": "staging", "rows_total": 10, "chunks_total": 3}]
    (started,) = staff_texts(emulator)
    assert "dimulai" in started
    assert "Baris data: 10, diproses dalam 3 bagian" in started

    assert drain(imports, aws) == 3
    assert count(db, "pengguna") == 10
    assert count(db, "import_staging") == 0  # cleared after the commit
    assert query(db, "SELECT status FROM import_fanout") == [{"status": "imported"}]
    runs = query(db, "SELECT status, rows_total, inserted, updated, unchanged FROM import_run")
    assert runs == [{"status": "imported", "rows_total": 10, "inserted": 10, "updated": 0, "unchanged": 0}]
    texts = staff_texts(emulator)
    assert len(texts) == 2  # the start message (edited since) and the outcome
    assert texts[1].splitlines()[:6] == [
        "✅ Impor data pegawai berhasil",
        "Berkas: pegawai.csv",
        "Baris data: 10",
        "• baru: 10",
        "• diperbarui: 0",
        "• tidak berubah: 0",
    ]
    assert aws[0].list_object_versions(Bucket=BUCKET, Prefix=key).get("Versions") is None  # deleted
    stored = query(
        db, "SELECT nama, jabatan, tanggal_lahir, status FROM pengguna WHERE nip = %s", (nip_of(3),)
    )
    assert stored[0]["nama"] == "Pegawai 3"
    assert str(stored[0]["tanggal_lahir"]) == "1990-01-04"
    assert stored[0]["status"] == "aktif"
    # the initial password verifies, with the cheap initial hash; no clear password anywhere
    stored_hash = hashes(db)[nip_of(3)]
    assert stored_hash.startswith(f"scrypt${INITIAL_SCRYPT_N}$")
    assert verify_password(password_of(3), stored_hash)
    assert not verify_password(password_of(4), stored_hash)
    assert password_of(3) not in json.dumps(query(db, "SELECT * FROM audit_log"), default=str)


def test_progress_is_one_start_message_edited_at_each_quarter_and_one_outcome(
    imports: ImportFunction, aws: tuple[Any, Any, str], emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    import_employees(imports, aws, employees_csv(32))  # 8 chunks
    sends = emulator.calls_to("sendMessage")
    edits = emulator.calls_to("editMessageText")
    assert len(sends) == 2  # not one per row, not one per chunk
    assert len(edits) == 3  # 25 %, 50 %, 75 %
    assert all(e.ok for e in edits)  # never "message is not modified"
    assert [next(f"{p}%" for p in (25, 50, 75) if f"{p}%" in str(e.params["text"])) for e in edits] == [
        "25%",
        "50%",
        "75%",
    ]
    first = staff_texts(emulator)[0]
    assert "75%" in first
    assert "6 dari 8" in first
    assert count(db, "pengguna") == 32


def test_a_chunk_delivered_twice_counts_once(
    imports: ImportFunction, aws: tuple[Any, Any, str], emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    invoke(imports, upload(aws[0], "imports/employees/pegawai.csv", employees_csv(10)))
    drain(imports, aws, twice=True)
    assert count(db, "pengguna") == 10
    assert count(db, "import_chunk") == 3
    assert query(db, "SELECT inserted FROM import_run") == [{"inserted": 10}]
    assert len([t for t in staff_texts(emulator) if "berhasil" in t]) == 1


def test_the_same_s3_event_twice_starts_one_run(
    imports: ImportFunction, aws: tuple[Any, Any, str], emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    event = upload(aws[0], "imports/employees/pegawai.csv", employees_csv(10))
    invoke(imports, event)
    (again,) = invoke(imports, event)["results"]
    assert again["status"] == "duplicate"
    drain(imports, aws)
    assert count(db, "import_fanout") == 1
    assert query(db, "SELECT inserted FROM import_run") == [{"inserted": 10}]
    assert len(emulator.calls_to("sendMessage")) == 2
    (after,) = invoke(imports, event)["results"]  # after the commit: recognised from import_run
    assert after["status"] in ("duplicate", "gone")


def test_tunkin_and_cuti_import_in_chunks(
    imports: ImportFunction, aws: tuple[Any, Any, str], emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    import_employees(imports, aws, employees_csv(10))
    tunkin = ["nip,periode,kelas_jabatan,tunjangan,potongan,keterangan"] + [
        f"{nip_of(i)},2026-10,9,{5_000_000 + i},{i * 1000},Oktober" for i in range(10)
    ]
    cuti = ["nip,tahun,jenis,hak,terpakai"] + [f"{nip_of(i)},2026,tahunan,12,{i % 12}" for i in range(10)]
    for kind, rows in (("tunkin", tunkin), ("cuti", cuti)):
        (result,) = invoke(
            imports, upload(aws[0], f"imports/{kind}/{kind}.csv", ("\n".join(rows) + "\n").encode())
        )["results"]
        assert result["status"] == "staging"
        drain(imports, aws)
    assert count(db, "tunkin") == 10
    assert count(db, "cuti") == 10
    assert query(db, "SELECT tunjangan, potongan FROM tunkin WHERE nip = %s", (nip_of(7),)) == [
        {"tunjangan": 5_000_007, "potongan": 7000}
    ]
    assert query(db, "SELECT terpakai FROM cuti WHERE nip = %s", (nip_of(5),)) == [{"terpakai": 5}]
    done = query(db, "SELECT kind, inserted FROM import_run WHERE status = 'imported' ORDER BY id")
    assert done == [
        {"kind": "employees", "inserted": 10},
        {"kind": "tunkin", "inserted": 10},
        {"kind": "cuti", "inserted": 10},
    ]
    assert count(db, "import_staging") == 0


# ---- re-imports and passwords ---------------------------------------------------------------------------


def test_an_unchanged_file_again_changes_nothing_and_says_so(
    imports: ImportFunction, aws: tuple[Any, Any, str], emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    import_employees(imports, aws, employees_csv(10))
    before = hashes(db)
    import_employees(imports, aws, employees_csv(10), name="pegawai-lagi.csv")
    assert hashes(db) == before
    last = query(db, "SELECT inserted, updated, unchanged FROM import_run ORDER BY id DESC LIMIT 1")
    assert last == [{"inserted": 0, "updated": 0, "unchanged": 10}]
    assert "• tidak berubah: 10" in staff_texts(emulator)[-1]


def test_registered_employees_keep_their_password_and_old_hashes_still_verify(
    imports: ImportFunction, aws: tuple[Any, Any, str], emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    import_employees(imports, aws, employees_csv(10))
    # employee 1 registered and set their own password (a full hash); employee 2 still has an old-format
    # full hash of their initial password (imported before the initial hash existed)
    own = hash_password("Sendiri#2026")
    old = hash_password(password_of(2))
    query(
        db,
        "UPDATE pengguna SET id_telegram = 42, registered_at = NOW(), password_hash = %s WHERE nip = %s",
        (own, nip_of(1)),
    )
    query(db, "UPDATE pengguna SET password_hash = %s WHERE nip = %s", (old, nip_of(2)))

    import_employees(imports, aws, employees_csv(10, password="Baru#20260"), name="sandi-baru.csv")
    after = hashes(db)
    assert after[nip_of(1)] == own  # never reset
    assert verify_password("Sendiri#2026", after[nip_of(1)])
    assert verify_password("Baru#20260", after[nip_of(2)])  # unregistered: the new initial password
    assert verify_password("Baru#20260", after[nip_of(5)])
    assert not needs_rehash(own)
    assert needs_rehash(after[nip_of(5)])
    # an unchanged re-import keeps an old-format full hash as it is (it verifies the same password)
    import_employees(imports, aws, employees_csv(3), name="kecil.csv")  # 3 rows: one chunk, imported at once
    query(db, "UPDATE pengguna SET password_hash = %s WHERE nip = %s", (old, nip_of(2)))
    import_employees(imports, aws, employees_csv(10), name="awal-lagi.csv")
    assert hashes(db)[nip_of(2)] == old


# ---- failures and refusals ------------------------------------------------------------------------------


def test_a_failing_chunk_commits_nothing_clears_the_staging_and_tells_the_staff(
    imports: ImportFunction,
    aws: tuple[Any, Any, str],
    emulator: TelegramEmulator,
    db: DatabaseSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(FAIL_CHUNK_ENV, "1")
    monkeypatch.setattr(uploads, "RETRY_DELAY_SECONDS", 0)  # in AWS: 10 s, then 20 s
    key = "imports/employees/pegawai.csv"
    invoke(imports, upload(aws[0], key, employees_csv(10)))
    drain(imports, aws)
    assert count(db, "pengguna") == 0  # chunks 0 and 2 were staged, none committed
    assert count(db, "import_staging") == 0
    assert query(db, "SELECT status FROM import_fanout") == [{"status": "failed"}]
    assert query(db, "SELECT status FROM import_run") == [{"status": "failed"}]
    texts = staff_texts(emulator)
    assert len(texts) == 2
    assert "gagal" in texts[-1]
    assert "tidak ada data yang disimpan" in texts[-1]
    assert "Unggah ulang" in texts[-1]
    assert aws[0].list_object_versions(Bucket=BUCKET, Prefix=key).get("Versions")  # kept for a new try


def test_a_bad_row_is_refused_before_staging_with_every_bad_row_listed(
    imports: ImportFunction, aws: tuple[Any, Any, str], emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    lines = employees_csv(10).decode().splitlines()
    lines[3] = "12345,Pegawai Salah,Awal#2026x,Analis,1990-01-01"
    lines[9] = f"{nip_of(9)},,Awal#2026x,Analis,1990-13-01"
    (result,) = invoke(
        imports, upload(aws[0], "imports/employees/pegawai.csv", ("\n".join(lines) + "\n").encode())
    )["results"]
    assert result["status"] == "rejected"
    assert count(db, "import_fanout") == 0
    assert receive(aws) == []  # no chunk sent
    assert count(db, "pengguna") == 0
    (text,) = staff_texts(emulator)
    assert "ditolak" in text
    assert "Baris 4" in text
    assert "Baris 10" in text


def test_tunkin_for_unknown_employees_is_refused_before_staging(
    imports: ImportFunction, aws: tuple[Any, Any, str], emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    rows = ["nip,periode,kelas_jabatan,tunjangan,potongan"] + [
        f"{nip_of(i)},2026-10,9,5000000,0" for i in range(10)
    ]
    (result,) = invoke(imports, upload(aws[0], "imports/tunkin/t.csv", ("\n".join(rows) + "\n").encode()))[
        "results"
    ]
    assert result["status"] == "rejected"
    assert count(db, "import_fanout") == 0
    (text,) = staff_texts(emulator)
    assert "10 kesalahan pada 10 baris" in text


def test_a_delivery_beyond_the_attempts_fails_the_run_and_tells_the_staff(
    imports: ImportFunction, aws: tuple[Any, Any, str], emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    # every earlier delivery of this chunk timed out without a word: the next one only ends the run
    invoke(imports, upload(aws[0], "imports/employees/pegawai.csv", employees_csv(10)))
    (record,) = receive(aws)
    record["attributes"]["ApproximateReceiveCount"] = str(ATTEMPTS + 1)
    assert invoke(imports, {"Records": [record]})["batchItemFailures"] == []
    assert query(db, "SELECT status FROM import_fanout") == [{"status": "failed"}]
    assert "gagal" in staff_texts(emulator)[-1]
    drain(imports, aws)  # the other chunks find the run over: nothing staged, nothing committed
    assert count(db, "import_staging") == 0
    assert count(db, "pengguna") == 0
    assert len(staff_texts(emulator)) == 2


def test_two_imports_of_the_same_kind_never_interleave_their_commits(
    imports: ImportFunction,
    aws: tuple[Any, Any, str],
    emulator: TelegramEmulator,
    db: DatabaseSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # in AWS: the commit waits 5 s for the lock, then comes back as its own message 15 s later
    monkeypatch.setattr(fanout, "COMMIT_LOCK_WAIT_SECONDS", 0.2)
    monkeypatch.setattr(uploads, "COMMIT_RETRY_SECONDS", 0)
    invoke(imports, upload(aws[0], "imports/employees/pegawai.csv", employees_csv(10)))
    # another import of employees holds the kind's lock (it is in its own transaction)
    other = pymysql.connect(
        host=db.host, port=db.port, user=db.user, password=db.password, database=db.name, autocommit=False
    )
    try:
        with other.cursor() as cur:
            cur.execute("SELECT kind FROM import_lock WHERE kind = 'employees' FOR UPDATE")
        committed = threading.Event()

        def run_chunks() -> None:
            drain(imports, aws)
            committed.set()

        worker = threading.Thread(target=run_chunks)
        worker.start()
        # every chunk can stage, but the commit waits for the lock
        deadline = time.monotonic() + 20
        while count(db, "import_chunk") < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert count(db, "import_chunk") == 3
        assert not committed.wait(1.5)
        assert count(db, "pengguna") == 0
        assert query(db, "SELECT status FROM import_fanout") == [{"status": "staging"}]
        with other.cursor() as cur:  # the other import writes a row of its own, then commits
            cur.execute(
                "INSERT INTO pengguna (nip, nama, password_hash) VALUES (%s, 'Lain', NULL)", (nip_of(99),)
            )
        other.commit()
    finally:
        other.close()
    worker.join(30)
    assert committed.is_set()
    assert count(db, "pengguna") == 11
    assert query(db, "SELECT inserted FROM import_run") == [{"inserted": 10}]


def test_a_full_export_in_chunks_deactivates_the_absent_within_the_guard(
    imports: ImportFunction, aws: tuple[Any, Any, str], emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    import_employees(imports, aws, employees_csv(11))
    query(db, "UPDATE pengguna SET id_telegram = 4242 WHERE nip = %s", (nip_of(10),))
    # the next full export leaves employee 10 out: 1 of 11 active (9 %), under the 10 % guard
    (result,) = invoke(imports, upload(aws[0], "imports/employees-full/lengkap.csv", employees_csv(10)))[
        "results"
    ]
    assert result["status"] == "staging"
    drain(imports, aws)
    leaver = query(db, "SELECT status, id_telegram FROM pengguna WHERE nip = %s", (nip_of(10),))
    assert leaver == [{"status": "nonaktif", "id_telegram": None}]
    text = staff_texts(emulator)[-1]
    assert "• dinonaktifkan: 1" in text
    assert "• akun Telegram dilepas: 1" in text


def test_a_truncated_full_export_in_chunks_is_refused_at_the_commit_and_changes_nothing(
    imports: ImportFunction, aws: tuple[Any, Any, str], emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    import_employees(imports, aws, employees_csv(20))
    before = query(db, "SELECT nip, nama, status, password_hash FROM pengguna ORDER BY nip")
    truncated = employees_csv(10, jabatan="Kepala Bagian")  # 10 of 20 left out, and the rest changed
    key = "imports/employees-full/terpotong.csv"
    invoke(imports, upload(aws[0], key, truncated))
    drain(imports, aws)
    assert query(db, "SELECT nip, nama, status, password_hash FROM pengguna ORDER BY nip") == before
    assert query(db, "SELECT COUNT(*) AS n FROM pengguna WHERE jabatan = 'Kepala Bagian'") == [{"n": 0}]
    assert query(db, "SELECT status FROM import_fanout ORDER BY id DESC LIMIT 1") == [{"status": "rejected"}]
    assert query(db, "SELECT status FROM import_run ORDER BY id DESC LIMIT 1") == [{"status": "rejected"}]
    assert count(db, "import_staging") == 0
    text = staff_texts(emulator)[-1]
    assert "ditolak" in text
    assert "10 dari 20 pegawai aktif" in text
    assert aws[0].list_object_versions(Bucket=BUCKET, Prefix=key).get("Versions")  # kept


def test_the_kinds_lock_rows_are_put_back_when_the_database_was_emptied(
    imports: ImportFunction, aws: tuple[Any, Any, str], emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    query(db, "DELETE FROM import_lock")  # as a script that empties every table would
    import_employees(imports, aws, employees_csv(10))
    assert count(db, "pengguna") == 10
    assert query(db, "SELECT kind FROM import_lock") == [{"kind": "employees"}]
