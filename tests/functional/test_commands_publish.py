"""`sinawai commands publish`: each audience in its own scope; /laporan only in the managers' chat."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from local_stack.telegram import TelegramEmulator
from sinawai import cli
from tests.helpers import BOT_TOKEN, MANAGERS_CHAT_ID, STAFF_GROUP_CHAT_ID


@pytest.fixture
def emulator(monkeypatch: pytest.MonkeyPatch) -> Iterator[TelegramEmulator]:
    with TelegramEmulator(BOT_TOKEN) as emu:
        emu.add_group(STAFF_GROUP_CHAT_ID, "Layanan Kepegawaian OSDM")
        emu.add_group(MANAGERS_CHAT_ID, "Pimpinan Biro OSDM")
        monkeypatch.setenv("TELEGRAM_API_BASE_URL", emu.base_url)
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", BOT_TOKEN)
        monkeypatch.setenv("STAFF_GROUP_CHAT_ID", str(STAFF_GROUP_CHAT_ID))
        monkeypatch.setenv("MANAGERS_CHAT_ID", str(MANAGERS_CHAT_ID))
        yield emu


def commands(emu: TelegramEmulator, scope: dict[str, Any]) -> list[str]:
    answer = httpx.post(f"{emu.base_url}/bot{BOT_TOKEN}/getMyCommands", json={"scope": scope}, timeout=5)
    return [c["command"] for c in answer.json()["result"]]


def test_laporan_is_offered_in_the_managers_chat_only(emulator: TelegramEmulator) -> None:
    assert cli.main(["commands", "publish"]) == 0
    assert commands(emulator, {"type": "chat", "chat_id": MANAGERS_CHAT_ID}) == ["laporan"]
    assert "laporan" not in commands(emulator, {"type": "all_private_chats"})
    assert commands(emulator, {"type": "chat", "chat_id": STAFF_GROUP_CHAT_ID}) == [
        "tiket",
        "ambil",
        "tutup",
        "alihkan",
        "area",
        "jawab",
        "catatan",
        "templat",
        "riwayat",
        "cari_tiket",
        "pegawai",
        "blokir",
        "bukablokir",
        "resetsandi",
        "umumkan",
        "unggah",
    ]
