"""The README's "With Docker: sam local" flow, minus Docker: ``python -m local_stack serve`` in its own
process on the ports it is given, the functions behind the endpoints ``sam local start-api`` and
``start-lambda`` would open (tests/sam_local.py), then ``python -m local_stack say`` and a ``curl`` to
/webhook.

Bad inputs tried: a person the emulator does not know, no text, an empty text, an emulator that does not
run, a button the bot never showed, an env file that is missing or not JSON, a port already taken, a webhook
request without the secret header.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from local_stack.serve import DEFAULT_MOTO_PORT, DEFAULT_TELEGRAM_PORT, EnvFile
from local_stack.stack import free_port
from tests.helpers import EVENTS, ROOT, fresh_database
from tests.sam_local import SamFunctions, sam_functions

PYTHON = sys.executable
READY = "Ctrl-C stops both servers"


def local_stack(*args: str) -> list[str]:
    return [PYTHON, "-m", "local_stack", *args]


def run_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DB_", "TELEGRAM_"))}
    env["PYTHONPATH"] = str(ROOT / "tools")  # as the README runs it: PYTHONPATH=tools
    return env


def run(*args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        local_stack(*args),
        cwd=ROOT,
        env=run_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@dataclass
class Served:
    process: subprocess.Popen[str]
    output: str
    telegram_url: str
    moto_url: str
    webhook_url: str
    sam: SamFunctions


def _read_until_ready(process: subprocess.Popen[str], timeout: float, errors: Path) -> str:
    """serve's instructions, up to the line that says it runs (read in a thread: a readline may block)."""
    assert process.stdout is not None
    stdout = process.stdout
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        for line in stdout:
            lines.append(line)
            if READY in line:
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(timeout):
        raise AssertionError(f"serve did not start:\n{''.join(lines)}\n{errors.read_text()}")
    return "".join(lines)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    telegram_port, moto_port, api_port, lambda_port = (free_port() for _ in range(4))
    webhook_url = f"http://127.0.0.1:{api_port}/webhook"
    # serve's own log (werkzeug, moto) goes to a file: a pipe nobody reads would fill and stop it
    errors = tmp_path_factory.mktemp("serve") / "stderr.log"
    process = subprocess.Popen(
        local_stack(
            "serve",
            "--telegram-port",
            str(telegram_port),
            "--moto-port",
            str(moto_port),
            "--webhook-url",
            webhook_url,
            "--bind",
            "127.0.0.1",
        ),
        cwd=ROOT,
        env=run_env(),
        stdout=subprocess.PIPE,
        stderr=errors.open("w"),
        text=True,
    )
    try:
        output = _read_until_ready(process, 60, errors)
        ports = {DEFAULT_TELEGRAM_PORT: telegram_port, DEFAULT_MOTO_PORT: moto_port}
        with (
            fresh_database("sinawai_serve") as database,
            sam_functions(
                EnvFile.load(),
                database,
                tmp_path_factory.mktemp("function-logs"),
                ports=ports,
                api_port=api_port,
                lambda_port=lambda_port,
            ) as sam,
        ):
            yield Served(
                process,
                output,
                f"http://127.0.0.1:{telegram_port}",
                f"http://127.0.0.1:{moto_port}",
                webhook_url,
                sam,
            )
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        finally:
            if process.poll() is None:
                process.kill()


def say(served: Served, *args: str) -> subprocess.CompletedProcess[str]:
    return run("say", *args, "--telegram-url", served.telegram_url, "--wait", "30")


def bot_messages(served: Served, chat_id: int) -> list[dict[str, object]]:
    response = httpx.get(f"{served.telegram_url}/_emulator/chats/{chat_id}/messages", timeout=10)
    return [m for m in response.json()["result"] if m["from"]["is_bot"]]


# ---- serve ---------------------------------------------------------------------------------------------


def test_serve_prints_what_to_pass_to_sam(served: Served) -> None:
    out = served.output
    assert f"Telegram Bot API emulator : {served.telegram_url}" in out
    assert f"moto (S3, Secrets Manager): {served.moto_url}" in out
    assert "--env-vars events/env.local.json" in out
    assert "--add-host host.docker.internal:host-gateway" in out
    assert "sam local start-lambda --host 0.0.0.0 --port 3001" in out
    assert "sam local start-api --port 3000" in out
    assert f"webhook                   : {served.webhook_url}" in out
    assert "s3://sinawai-local-documents/imports/employees/pegawai biro osdm 2026-11.csv" in out


def test_serve_sets_the_webhook_with_the_env_files_secret(served: Served) -> None:
    env = EnvFile.load()
    info = httpx.get(f"{served.telegram_url}/bot{env.bot_token}/getWebhookInfo", timeout=10).json()["result"]
    assert info["url"] == served.webhook_url
    # the bucket the env file names exists in moto (versioned), reachable as the functions reach it
    s3 = httpx.get(f"{served.moto_url}/{env.get('DOCUMENTS_BUCKET')}?versioning", timeout=10)
    assert s3.status_code == 200
    assert "<Status>Enabled</Status>" in s3.text


# ---- say and curl, through start-api and start-lambda -----------------------------------------------------


def test_say_as_an_employee_prints_the_bots_answer(served: Served) -> None:
    result = say(served, "--as", "budi", "/start")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "budi → bot: /start" in result.stdout
    assert "Selamat datang di Sinawai" in result.stdout
    # an unregistered /start: register first; the buttons are printed with their callback data
    assert "registration:daftar" in result.stdout
    assert "general:menu" in result.stdout

    pressed = say(served, "--as", "budi", "--press", "general:menu")
    assert pressed.returncode == 0, pressed.stdout + pressed.stderr
    assert "bot → budi (edited):" in pressed.stdout
    assert "Menu Utama Sinawai" in pressed.stdout


def test_say_as_staff_speaks_in_the_staff_group(served: Served) -> None:
    result = say(served, "--as", "staf", "/umumkan Apel pagi Senin pukul 07.30 WIB.")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Pengumuman #1 disimpan" in result.stdout
    staff_group = EnvFile.load().chat_id("STAFF_GROUP_CHAT_ID")
    assert any("Pengumuman #1" in str(m.get("text")) for m in bot_messages(served, staff_group))


def test_curl_to_the_webhook_with_the_secret_header_gets_a_reply_in_the_emulator(served: Served) -> None:
    """The README's curl: events/updates/start.json with the env file's secret, to sam local start-api."""
    secret = EnvFile.load().get("TELEGRAM_WEBHOOK_SECRET")
    body = (EVENTS / "updates" / "start.json").read_bytes()
    update = json.loads(body)
    chat = update["message"]["chat"]["id"]
    before = len(bot_messages(served, chat))

    unauthenticated = httpx.post(served.webhook_url, content=body, timeout=30)
    assert unauthenticated.status_code == 401
    response = httpx.post(
        served.webhook_url,
        content=body,
        headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret},
        timeout=30,
    )
    assert response.status_code == 200
    served.sam.runtime.wait_idle(30)  # the router's async invoke of GeneralFunction through start-lambda
    replies = bot_messages(served, chat)[before:]
    assert [str(m["text"]).split(",")[0] for m in replies] == ["Selamat datang di Sinawai"]
    assert [r.function for r in served.sam.runtime.invocations if r.invocation_type == "Event"][-1:] == [
        "GeneralFunction"
    ]


def test_env_prints_the_values_for_sinawai_on_this_machine() -> None:
    result = run("env")
    assert result.returncode == 0, result.stderr
    lines = dict(line.removeprefix("export ").split("=", 1) for line in result.stdout.splitlines())
    assert lines["DB_HOST"] == "127.0.0.1"  # host.docker.internal is this machine
    assert lines["AWS_ENDPOINT_URL_S3"] == "http://127.0.0.1:5000"
    assert lines["TELEGRAM_API_BASE_URL"] == "http://127.0.0.1:8081"
    assert lines["DB_TLS"] == "false"
    assert lines["AWS_ACCESS_KEY_ID"] == "testing"
    assert lines["WORKING_HOURS"] == "'mon-thu 07:30-16:00; fri 07:30-16:30'"  # quoted for the shell


# ---- bad input -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as", "nobody", "/start"], "invalid choice: 'nobody'"),
        (["--as", "budi"], "give the TEXT to send or --press"),
        (["--as", "budi", "/start", "--press", "general:menu"], "give the TEXT to send or --press"),
        (["--as", "budi", "   "], "cannot send an empty message"),
    ],
)
def test_say_bad_usage_exits_2(args: list[str], message: str) -> None:
    result = run("say", *args)
    assert result.returncode == 2
    assert message in result.stderr


def test_say_without_a_running_emulator_says_what_to_start() -> None:
    result = run("say", "--as", "budi", "/start", "--telegram-url", f"http://127.0.0.1:{free_port()}")
    assert result.returncode == 1
    assert "is `python -m local_stack serve` running?" in result.stderr


def test_say_pressing_a_button_the_bot_never_showed_is_refused(served: Served) -> None:
    result = say(served, "--as", "siti", "--press", "general:tidak-ada")
    assert result.returncode == 1
    assert "no message of the bot in this chat has a button 'general:tidak-ada'" in result.stderr


def test_serve_with_a_bad_env_file_exits_2(tmp_path: Path) -> None:
    missing = run("serve", "--env-vars", str(tmp_path / "missing.json"))
    assert missing.returncode == 2
    assert "cannot read" in missing.stderr
    broken = tmp_path / "broken.json"
    broken.write_text('{"Parameters": {"DB_PORT": 3306}}')
    result = run("serve", "--env-vars", str(broken))
    assert result.returncode == 2
    assert "Parameters.DB_PORT must be a string" in result.stderr


def test_serve_on_a_port_in_use_says_so(served: Served) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        moto_port = str(free_port())
        result = run("serve", "--telegram-port", str(port), "--moto-port", moto_port, "--bind", "127.0.0.1")
    assert result.returncode == 1
    assert f"port {port} (--telegram-port) is in use" in result.stderr
