"""Formatting of personal data, NIP rules, the lockout policy and password hashing (pure)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from sinawai.common import format_id
from sinawai.registration import personal_data
from sinawai.registration.passwords import (
    hash_initial_password,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)
from sinawai.registration.rules import LockoutPolicy, nip_problem, normalize_nip


@pytest.mark.parametrize(
    ("amount", "text"),
    [(0, "Rp0"), (999, "Rp999"), (1000, "Rp1.000"), (5361800, "Rp5.361.800"), (-134045, "-Rp134.045")],
)
def test_rupiah(amount: int, text: str) -> None:
    assert format_id.rupiah(amount) == text


def test_dates_and_periods_in_indonesian() -> None:
    assert format_id.tanggal(date(1990, 1, 17)) == "17 Januari 1990"
    assert format_id.tanggal(date(2026, 8, 1)) == "1 Agustus 2026"
    assert format_id.periode("2026-10") == "Oktober 2026"


def test_lockout_end_is_shown_on_the_local_clock() -> None:
    moment = datetime(2026, 11, 28, 3, 0)  # naive UTC, as the database keeps it
    assert format_id.jam(moment, "Asia/Jakarta") == "10.00 WIB"
    assert format_id.jam(moment, "Asia/Makassar") == "11.00 WITA"
    assert format_id.jam(moment, "Asia/Jayapura") == "12.00 WIT"
    assert format_id.jam(moment, "UTC") == "03.00"


def test_nip_formats() -> None:
    assert format_id.format_nip("199001172015031001") == "19900117 201503 1 001"
    assert format_id.mask_nip("199001172015031001") == "1990**********1001"
    assert normalize_nip(" 19900117 201503 1 001 ") == "199001172015031001"
    assert normalize_nip("19900117.201503.1.001") == "199001172015031001"
    assert nip_problem("199001172015031001") is None
    for bad in ("", "1990011720150310", "19900117201503100A", "١٩٩٠٠١١٧٢٠١٥٠٣١٠٠١", "1' OR '1'='1"):
        assert nip_problem(bad) is not None, bad


def test_tunkin_text_shows_net_and_history() -> None:
    rows = [
        {"periode": "2026-10", "kelas_jabatan": 9, "tunjangan": 5361800, "potongan": 0, "keterangan": None},
        {
            "periode": "2026-09",
            "kelas_jabatan": 9,
            "tunjangan": 5361800,
            "potongan": 134045,
            "keterangan": "x",
        },
    ]
    text = personal_data.tunkin_text(rows)
    assert "Oktober 2026" in text
    assert "Diterima: Rp5.361.800" in text
    assert "September 2026: Rp5.227.755" in text
    assert "Belum ada data" in personal_data.tunkin_text([])


def test_cuti_text_has_balance_and_rule_and_never_negative() -> None:
    text = personal_data.cuti_text([{"jenis": "tahunan", "hak": 12, "terpakai": 3}], 2026)
    assert "sisa 9 hari" in text
    assert "12 hari kerja" in text
    assert "sisa 0 hari" in personal_data.cuti_text([{"jenis": "sakit", "hak": 2, "terpakai": 5}], 2026)


def test_personal_data_escapes_html() -> None:
    text = personal_data.personal_data_text(
        {"nama": "<b>Budi</b>", "nip": "199001172015031001", "status": "aktif"}
    )
    assert "&lt;b&gt;Budi&lt;/b&gt;" in text


def test_lockout_policy_windows() -> None:
    policy = LockoutPolicy(max_failures=5, window=timedelta(minutes=15), lockout=timedelta(minutes=15))
    now = datetime(2026, 11, 28, 3, 0)
    assert policy.locked_until(None, now) is None
    assert policy.locked_until(now - timedelta(minutes=5), now) == now + timedelta(minutes=10)
    assert policy.locked_until(now - timedelta(minutes=16), now) is None
    # failures before a lockout that has ended do not count again
    assert policy.count_since(now - timedelta(minutes=20), now) == now - timedelta(minutes=5)
    assert policy.count_since(None, now) == now - timedelta(minutes=15)


def test_password_hash_is_salted_and_verifies_in_constant_shape() -> None:
    first, second = hash_password("Rahasia#2026"), hash_password("Rahasia#2026")
    assert first != second  # salted
    assert "Rahasia" not in first
    assert first.startswith("scrypt$16384$8$1$")
    assert verify_password("Rahasia#2026", first)
    assert not verify_password("rahasia#2026", first)
    assert not verify_password("Rahasia#2026", None)
    assert not verify_password("Rahasia#2026", "md5$abc")
    assert not verify_password("x" * 200, first)


def test_an_initial_password_hash_is_cheaper_salted_and_verified_like_a_full_one() -> None:
    initial = hash_initial_password("Awal#2026")
    assert initial.startswith("scrypt$64$8$1$")  # its cost is in the stored string
    assert initial != hash_initial_password("Awal#2026")  # salted
    assert "Awal" not in initial
    assert verify_password("Awal#2026", initial)
    assert not verify_password("awal#2026", initial)
    assert needs_rehash(initial)
    # a full hash made before the initial hash existed still verifies and needs nothing
    old = hash_password("Awal#2026")
    assert verify_password("Awal#2026", old)
    assert not needs_rehash(old)
    assert needs_rehash("md5$abc")
    assert not needs_rehash(None)


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("Kuat#2026", True),
        ("kuatsekali2026!", True),
        ("pendek1", False),
        ("hanyahurufkecil", False),
        ("Ada Spasi#1", False),
        ("x" * 129, False),
    ],
)
def test_password_strength(password: str, ok: bool) -> None:
    assert (password_problem(password) is None) is ok
