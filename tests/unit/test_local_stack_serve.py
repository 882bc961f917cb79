"""The pieces of ``python -m local_stack serve`` that need no server: reading the env file, its values as
this machine sees them, the secrets and uploads it and the events name, and the sample events' history."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from local_stack.sample_history import SampleHistoryError, seed_sample_history
from local_stack.serve import PEOPLE, EnvFile, EnvFileError, localize, sample_uploads, secrets_named
from local_stack.telegram import TelegramEmulator
from tests.helpers import EVENTS


def env_file(tmp_path: Path, sections: dict[str, dict[str, str]]) -> EnvFile:
    path = tmp_path / "env.json"
    path.write_text(json.dumps(sections))
    return EnvFile.load(path)


def test_localize_maps_docker_s_host_and_the_ports() -> None:
    values = {
        "DB_HOST": "host.docker.internal",
        "TELEGRAM_API_BASE_URL": "http://host.docker.internal:8081",
        "AWS_ENDPOINT_URL_S3": "http://host.docker.internal:5000/",
        "AWS_ENDPOINT_URL_LAMBDA": "",
        "DOCUMENTS_BUCKET": "sinawai-local-documents",
        "ELSEWHERE": "https://api.telegram.org",
    }
    assert localize(values, ports={8081: 18081}) == {
        "DB_HOST": "127.0.0.1",
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:18081",
        "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:5000/",
        "AWS_ENDPOINT_URL_LAMBDA": "",
        "DOCUMENTS_BUCKET": "sinawai-local-documents",
        "ELSEWHERE": "https://api.telegram.org",
    }


def test_a_bad_env_file_is_refused_with_the_reason(tmp_path: Path) -> None:
    with pytest.raises(EnvFileError, match="cannot read"):
        EnvFile.load(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(EnvFileError, match="is not JSON"):
        EnvFile.load(tmp_path / "bad.json")
    (tmp_path / "flat.json").write_text('{"DB_HOST": "x"}')
    with pytest.raises(EnvFileError, match=re.escape('expected {"Parameters"')):
        EnvFile.load(tmp_path / "flat.json")


def test_a_function_s_own_section_wins(tmp_path: Path) -> None:
    env = env_file(tmp_path, {"Parameters": {"A": "all"}, "WebhookFunction": {"A": "router"}})
    assert env.get("A") == "all"
    assert env.get("A", "WebhookFunction") == "router"
    assert env.get("A", "GeneralFunction") == "all"
    assert env.get("MISSING") == ""


def test_the_env_file_names_no_secret_the_functions_read_plain_values() -> None:
    assert secrets_named(EnvFile.load()) == {}


def test_secrets_named_by_the_file_hold_what_the_plain_variable_would(tmp_path: Path) -> None:
    env = env_file(
        tmp_path,
        {
            "Parameters": {
                "TELEGRAM_BOT_TOKEN": "",
                "TELEGRAM_BOT_TOKEN_SECRET_ARN": "sinawai/local/telegram-bot-token",
                "DB_HOST": "host.docker.internal",
                "DB_PORT": "3307",
                "DB_NAME": "sinawai_local",
                "DB_USER": "app",
                "DB_PASSWORD": "pw",
                "DB_SECRET_ARN": "sinawai/local/db",
            },
            "WebhookFunction": {"TELEGRAM_WEBHOOK_SECRET_ARN": "sinawai/local/webhook"},
        },
    )
    secrets = secrets_named(env)
    assert secrets["sinawai/local/telegram-bot-token"] == "7000000001:local-sinawai-token"  # serve's default
    assert secrets["sinawai/local/webhook"] == "local-webhook-secret"
    assert json.loads(secrets["sinawai/local/db"]) == {
        "engine": "mysql",
        "host": "host.docker.internal",
        "port": 3307,
        "dbname": "sinawai_local",
        "username": "app",
        "password": "pw",
    }


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"X_SECRET_ARN": "arn:aws:secretsmanager:ap-southeast-3:1:secret:x-AbCdEf"}, "not an ARN"),
        ({"OTHER_SECRET_ARN": "sinawai/local/other"}, "set OTHER too"),
        (
            {"A_SECRET_ARN": "same", "A": "1", "B_SECRET_ARN": "same", "B": "2"},
            "named with two different values",
        ),
    ],
)
def test_secrets_the_file_cannot_fill_are_refused(
    tmp_path: Path, values: dict[str, str], message: str
) -> None:
    with pytest.raises(EnvFileError, match=message):
        secrets_named(env_file(tmp_path, {"Parameters": values}))


def test_the_s3_sample_event_names_the_employees_file_at_its_version() -> None:
    (upload,) = sample_uploads(EVENTS)
    record = json.loads((EVENTS / "import_s3_employees.json").read_text())["Records"][0]["s3"]
    assert upload.event == "import_s3_employees"
    assert upload.bucket == EnvFile.load().get("DOCUMENTS_BUCKET")
    assert upload.key == "imports/employees/pegawai biro osdm 2026-11.csv"
    assert upload.version_id == record["object"]["versionId"]
    assert upload.source == EVENTS / "imports" / "employees.csv"


def test_an_s3_event_without_a_local_file_is_refused(tmp_path: Path) -> None:
    record = {"s3": {"bucket": {"name": "b"}, "object": {"key": "imports/gaji/x.csv"}}}
    (tmp_path / "import_gaji.json").write_text(json.dumps({"Records": [record]}))
    with pytest.raises(EnvFileError, match=re.escape("no gaji.csv in")):
        sample_uploads(tmp_path)


# ---- the sample events' history in the emulator (not started: no network) ----------------------------


def emulator_with_people() -> TelegramEmulator:
    env = EnvFile.load()
    emu = TelegramEmulator(env.bot_token, bot_id=int(env.bot_token.split(":")[0]))
    for p in PEOPLE.values():
        emu.add_user(p.user_id, p.first_name, last_name=p.last_name, started=True)
    staff, managers = PEOPLE["staf"], PEOPLE["pimpinan"]
    emu.add_group(staff.chat_id(env), "staff", members=[staff.user_id])
    emu.add_group(managers.chat_id(env), "managers", members=[managers.user_id])
    return emu


def test_the_sample_events_messages_files_and_presses_are_in_the_chats() -> None:
    emu = emulator_with_people()
    env = EnvFile.load()
    staff = env.chat_id("STAFF_GROUP_CHAT_ID")
    assert seed_sample_history(emu, EVENTS) > 10
    menu = next(m for m in emu.messages(PEOPLE["budi"].user_id) if m.message_id == 2)
    assert menu.is_bot
    assert menu.text == "Menu Utama Sinawai"  # the message general_button_tentang's press is on
    question_copy = next(m for m in emu.messages(staff) if m.message_id == 2)
    assert question_copy.is_bot  # the ticket's copy the sample staff reply answers
    upload = next(m for m in emu.messages(staff) if m.message_id == 7)
    assert upload.document is not None
    pdf = (EVENTS / "documents" / "formulir_permohonan_cuti.pdf").read_bytes()
    assert emu.file_content(upload.document["file_id"]) == pdf
    # a message the bot sends now gets an id after the events' own
    assert emu._chats[staff].next_message_id > max(m.message_id for m in emu.messages(staff))
    # seeding again changes nothing
    assert seed_sample_history(emu, EVENTS) == 0


def test_two_events_that_disagree_about_a_message_are_refused(tmp_path: Path) -> None:
    for name in ("general_start", "general_button_tentang"):
        shutil.copy(EVENTS / f"{name}.json", tmp_path / f"{name}.json")
    event = json.loads((EVENTS / "general_menu.json").read_text())
    event["update"]["message"]["message_id"] = 2  # the bot's menu message in general_button_tentang
    (tmp_path / "general_menu.json").write_text(json.dumps(event))
    with pytest.raises(SampleHistoryError, match="message 2 of chat 5550001"):
        seed_sample_history(emulator_with_people(), tmp_path)


def test_an_event_in_a_chat_serve_does_not_create_is_refused(tmp_path: Path) -> None:
    event = json.loads((EVENTS / "general_start.json").read_text())
    event["update"]["message"]["chat"]["id"] = 4242
    (tmp_path / "general_start.json").write_text(json.dumps(event))
    with pytest.raises(SampleHistoryError, match="chat 4242 is not in the emulator"):
        seed_sample_history(emulator_with_people(), tmp_path)
