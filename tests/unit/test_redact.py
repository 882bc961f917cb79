"""No copy of a password survives in a stored update."""

from __future__ import annotations

import json

from sinawai.platform.redact import MASK, redact_update


def update(text: str, kind: str = "message") -> dict[str, object]:
    return {
        "update_id": 9,
        kind: {
            "message_id": 3,
            "chat": {"id": 1, "type": "private"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": 7}],
        },
    }


def test_daftar_keeps_the_nip_and_hides_the_password() -> None:
    original = update("/daftar 199001012015031001 Rahasia#123")
    redacted, changed = redact_update(original)
    assert changed
    assert redacted["message"]["text"] == f"/daftar 199001012015031001 {MASK}"
    assert "Rahasia#123" not in json.dumps(redacted)
    # the original is untouched: the clear text still goes to the registration group
    assert "Rahasia#123" in json.dumps(original)


def test_gantisandi_hides_both_passwords_also_in_edits() -> None:
    redacted, changed = redact_update(update("/gantisandi lama123 baru456", kind="edited_message"))
    assert changed
    dumped = json.dumps(redacted)
    assert "lama123" not in dumped
    assert "baru456" not in dumped


def test_text_a_conversation_marked_secret_is_masked_whole() -> None:
    redacted, changed = redact_update(update("password-tanpa-perintah"), secret_text=True)
    assert changed
    assert redacted["message"]["text"] == MASK


def test_ordinary_text_is_kept() -> None:
    for text in ("/daftar", "/start", "halo /daftar 1 2", "/daftarkan 1 2"):
        redacted, changed = redact_update(update(text))
        assert not changed, text
        assert redacted["message"]["text"] == text
