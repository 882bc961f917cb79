"""The general texts and the main menu obey Telegram's limits and list what exists."""

from __future__ import annotations

from sinawai.general import menu
from sinawai.router.commands import COMMANDS, GROUPS


def test_every_button_fits_telegram_and_names_a_known_group() -> None:
    for row in (*menu.MAIN_MENU, (menu.BACK_TO_MENU,)):
        for button in row:
            assert 1 <= len(button.callback_data.encode()) <= 64, button
            assert button.callback_data.partition(":")[0] in GROUPS, button


def test_main_menu_offers_the_seed_services() -> None:
    labels = " ".join(b.label for row in menu.MAIN_MENU for b in row)
    for service in (
        "Data Pribadi",
        "Renbangkompeg",
        "Mutasi",
        "Kesejahteraan",
        "Kinerja",
        "Dokumen",
        "Bantuan",
        "Tentang",
        "Tunkin",
        "Cuti",
        "Terkini",
    ):
        assert service in labels, service


def test_help_lists_every_private_command_once() -> None:
    text = menu.help_text()
    for command in COMMANDS:
        if command.audience == "private":
            assert text.count(f"/{command.name} — ") == 1


def test_greeting_uses_the_first_name_and_escapes_it() -> None:
    assert "<b>Budi</b>" in menu.greeting("Budi")
    assert "&lt;script&gt;" in menu.greeting("<script>")
    assert "Bapak/Ibu" in menu.greeting("  ")


def test_unknown_command_points_to_bantuan() -> None:
    text = menu.unknown_command_text("abc<b>")
    assert "/bantuan" in text
    assert "abc&lt;b&gt;" in text
