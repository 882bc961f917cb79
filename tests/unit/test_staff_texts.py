"""The employee data a staff member gets in their private chat (Data pegawai, /pegawai N)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sinawai.consultation import keyboards
from sinawai.consultation import staff_texts as st
from sinawai.consultation.tickets import Status

ZONE = ZoneInfo("Asia/Jakarta")
ROW = {
    "nama": "Budi <Santoso>",
    "nip": "199001172015031001",
    "jabatan": "Analis SDM Aparatur",
    "pangkat": "Penata",
    "golongan": "III/c",
    "unit_kerja": "Biro Umum",
}


def test_the_card_carries_the_full_nip_position_and_open_tickets_escaped() -> None:
    card = st.employee_card(7, ROW, "PPPK", [(7, Status.BARU, datetime(2026, 3, 2, 2, 0))], ZONE)
    assert "NIP: <code>19900117 201503 1 001</code>" in card
    assert "Nama: Budi &lt;Santoso&gt;" in card
    assert "Pangkat/golongan: Penata / III/c" in card
    assert "Jenis ASN: PPPK" in card
    assert "#7 · Baru · masuk" in card


def test_missing_fields_show_a_dash_and_no_open_ticket_says_so() -> None:
    card = st.employee_card(7, {"nama": "Dedi", "nip": "199105052015011005"}, "PNS", [], ZONE)
    assert "Jabatan: -" in card
    assert "Pangkat/golongan: -" in card
    assert "Tidak ada." in card


def test_a_guest_ticket_has_no_data_pegawai_button_and_a_taken_one_no_ambil() -> None:
    guest = keyboards.ticket_buttons(5, guest=True)
    assert [b.callback_data for row in guest.inline_keyboard for b in row] == [
        "consultation:ambil:5",
        "consultation:tutup:5",
        "consultation:jsp:5",
    ]
    taken = keyboards.ticket_buttons(5, takeable=False)
    assert [b.callback_data for row in taken.inline_keyboard for b in row] == [
        "consultation:tutup:5",
        "consultation:pegawai:5",
        "consultation:jsp:5",
    ]
