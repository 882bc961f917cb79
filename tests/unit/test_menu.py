"""The general texts and the main menu obey Telegram's limits and list what exists."""

from __future__ import annotations

from sinawai.general import menu
from sinawai.router.commands import COMMANDS, GROUPS, Command


def test_every_button_fits_telegram_and_names_a_known_group() -> None:
    for row in (*menu.MAIN_MENU, (menu.BACK_TO_MENU,)):
        for button in row:
            assert 1 <= len(button.callback_data.encode()) <= 64, button
            assert button.callback_data.partition(":")[0] in GROUPS, button


def test_main_menu_offers_the_seed_services() -> None:
    labels = " ".join(b.label for row in menu.MAIN_MENU for b in row)
    for service in (
        "Data Pribadi",
        "Pengembangan Kompetensi",
        "Kontak Biro OSDM",
        "Mutasi",
        "Kesejahteraan",
        "Kinerja",
        "Dokumen",
        "Bantuan",
        "Tentang",
        "Tunjangan Kinerja",
        "Cuti",
        "Terkini",
    ):
        assert service in labels, service


def test_help_lists_every_private_command_once() -> None:
    text = menu.help_text()
    for command in COMMANDS:
        if command.audience == "private":
            assert text.count(f"/{command.name} — ") == 1


def test_greeting_is_formal_with_the_employees_name_escaped() -> None:
    assert "Selamat datang, Bapak <b>Budi Santoso</b>." in menu.greeting("Bapak", "Budi Santoso")
    assert "Selamat datang, Ibu <b>Siti</b>." in menu.greeting("Ibu", "Siti")
    assert "&lt;script&gt;" in menu.greeting("Bapak/Ibu", "<script>")
    assert "Selamat datang, Bapak/Ibu." in menu.greeting("Bapak/Ibu", "  ")


def test_unregistered_greeting_says_to_register_first_and_where_to_find_osdm() -> None:
    text = menu.greeting_unregistered()
    assert "Langkah pertama: daftarkan akun Telegram Anda" in text
    assert "/daftar" in text
    assert "/lupasandi" in text
    assert "/kontak" in text


def test_buttons_have_words_and_one_home_button() -> None:
    labels = [b.label for row in menu.MAIN_MENU for b in row]
    assert all(any(ch.isalpha() for ch in label) for label in labels)
    assert not any("🩺" in label or "Renbangkompeg" in label for label in labels)
    assert menu.BACK_TO_MENU.label == "🏠 Menu Utama"


def test_unknown_command_points_to_bantuan() -> None:
    text = menu.unknown_command_text("abc<b>")
    assert "/bantuan" in text
    assert "abc&lt;b&gt;" in text


def test_the_staff_groups_help_lists_every_staff_command_and_no_private_one() -> None:
    commands = (
        *COMMANDS,
        Command("contohbaru", "consultation", "Perintah baru <uji>", audience="staff"),
    )
    text = menu.staff_help_text(commands)
    assert "/contohbaru — Perintah baru &lt;uji&gt;" in text  # a new staff command appears by itself
    assert "/tiket — " in text
    assert "/pegawai — " in text
    assert "/datapribadi" not in text
    assert "/laporan" not in text  # the managers' command
