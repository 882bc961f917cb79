"""Who may see a document when it is uploaded again (hardening item 14), with MariaDB, moto and the emulator.

A document is one row per (category, title): uploading the same title again replaces its file. An upload
that names no roles must keep the roles the document has (a restricted guideline stays restricted); only
roles named explicitly change them. Both ways in: ``sinawai documents upload`` and ``/unggah`` in the staff
group. A new document without roles is for everyone, as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import boto3
import pytest
from moto import mock_aws

from local_stack.telegram import TelegramEmulator
from sinawai import cli
from sinawai.documents.handlers import register
from sinawai.platform.config import DatabaseSettings
from sinawai.router.commands import DOCUMENTS
from sinawai.telegram.runtime import GroupFunction
from tests.helpers import BOT_TOKEN, STAFF_GROUP_CHAT_ID, FakeContext, db_env, query

RINA = 5550101
REGION: Final = "ap-southeast-3"
BUCKET = "sinawai-test-document-roles"


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        yield client


@pytest.fixture
def env(db: DatabaseSettings, s3: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in db_env(db).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("DOCUMENTS_BUCKET", BUCKET)


@pytest.fixture
def emulator(env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[TelegramEmulator]:
    with TelegramEmulator(BOT_TOKEN) as emu:
        emu.add_user(RINA, "Rina")
        emu.add_group(STAFF_GROUP_CHAT_ID, "Layanan Kepegawaian OSDM", members=[RINA])
        monkeypatch.setenv("TELEGRAM_API_BASE_URL", emu.base_url)
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
        monkeypatch.setenv("STAFF_GROUP_CHAT_ID", str(STAFF_GROUP_CHAT_ID))
        yield emu


def roles_of(db: DatabaseSettings, title: str) -> set[str]:
    rows = query(db, "SELECT roles FROM document WHERE title = %s", (title,))
    assert len(rows) == 1
    roles = rows[0]["roles"]
    return set(roles) if isinstance(roles, set) else set(str(roles).split(","))


def upload(tmp_path: Path, title: str, data: bytes, *roles: str) -> int:
    path = tmp_path / "pedoman.pdf"
    path.write_bytes(data)
    return cli.main(["documents", "upload", "pedoman", title, str(path), *roles])


def test_cli_reupload_without_roles_keeps_a_restricted_document_restricted(
    env: None, db: DatabaseSettings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    title = "Pedoman verifikasi berkas"
    assert upload(tmp_path, title, b"%PDF v1", "--roles", "staf,admin") == 0
    assert roles_of(db, title) == {"staf", "admin"}
    assert upload(tmp_path, title, b"%PDF v2 revisi") == 0
    assert roles_of(db, title) == {"staf", "admin"}
    assert "untuk admin, staf" in capsys.readouterr().out
    rows = query(db, "SELECT size_bytes FROM document WHERE title = %s", (title,))
    assert rows == [{"size_bytes": len(b"%PDF v2 revisi")}]  # the file itself was replaced
    # naming roles still changes them, both ways
    assert upload(tmp_path, title, b"%PDF v3", "--roles", "pegawai,staf,admin") == 0
    assert roles_of(db, title) == {"pegawai", "staf", "admin"}
    assert upload(tmp_path, title, b"%PDF v4", "--roles", "admin") == 0
    assert roles_of(db, title) == {"admin"}
    # a new document without roles is for everyone
    assert upload(tmp_path, "Pedoman umum", b"%PDF umum") == 0
    assert roles_of(db, "Pedoman umum") == {"pegawai", "staf", "admin"}


def unggah(emulator: TelegramEmulator, documents: GroupFunction, caption: str, content: bytes) -> str:
    update = emulator.send_document(RINA, "sop.pdf", content, chat_id=STAFF_GROUP_CHAT_ID, caption=caption)
    result = documents.lambda_handler(
        {"update": update, "group": "documents", "secret_text": False}, FakeContext()
    )
    assert result["status"] == "done"
    return emulator.bot_messages(STAFF_GROUP_CHAT_ID)[-1].content


def test_unggah_again_without_roles_keeps_a_restricted_document_restricted(
    emulator: TelegramEmulator, db: DatabaseSettings
) -> None:
    documents = GroupFunction(DOCUMENTS, register)
    reply = unggah(emulator, documents, "/unggah sop:staf,admin SOP arsip", b"%PDF sop v1")
    assert "(untuk: staf, admin)" in reply
    reply = unggah(emulator, documents, "/unggah sop SOP arsip", b"%PDF sop v2")
    assert "(untuk: staf, admin)" in reply
    assert roles_of(db, "SOP arsip") == {"staf", "admin"}
    reply = unggah(emulator, documents, "/unggah sop:pegawai,staf,admin SOP arsip", b"%PDF sop v3")
    assert "(untuk: pegawai, staf, admin)" in reply
    assert roles_of(db, "SOP arsip") == {"pegawai", "staf", "admin"}
    reply = unggah(emulator, documents, "/unggah sop SOP baru", b"%PDF baru")
    assert "(untuk: pegawai, staf, admin)" in reply
