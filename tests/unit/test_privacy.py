"""The data subject's rules without a database: whose rows are whose, the pseudonyms, the export's files."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import pytest

from sinawai.common.text_limits import MAX_CAPTION_UTF16, utf16_len
from sinawai.general.menu import help_text
from sinawai.platform.errors import ConfigurationError
from sinawai.privacy import export, service, subject
from sinawai.privacy.subject import Account, BindingEvent, SubjectData, TicketRecord
from sinawai.privacy.texts import rate_limited
from sinawai.registration.rules import nip_problem
from sinawai.router.commands import REGISTRATION, command_group

NIP = "199001172015031001"
OTHER = "199203252016042002"


def at(day: int, hour: int = 0) -> datetime:
    return datetime(2026, 11, day, hour)


def test_pseudonyms_are_stable_unmistakable_and_distinct() -> None:
    assert subject.pseudonym_nip(42) == "ANON00000000000042"
    assert len(subject.pseudonym_nip(42)) == 18  # fits pengguna.nip CHAR(18)
    assert nip_problem(subject.pseudonym_nip(42)) is not None  # nobody can register with it
    ids = {subject.pseudonym_account(e, i) for e in (1, 2) for i in (0, 1, 999)}
    assert len(ids) == 6
    assert min(ids) > 2**53  # above every Telegram id (52 significant bits at most)
    assert max(ids) < 2**63  # a signed BIGINT
    assert all(subject.is_pseudonym_account(i) for i in ids)
    assert not subject.is_pseudonym_account(5550001)
    with pytest.raises(ValueError, match="out of range"):
        subject.pseudonym_account(1, 1000)


def test_an_account_only_ever_bound_to_the_nip_is_the_employees_whole_history() -> None:
    events = [BindingEvent(at(2), "register_success", 1, NIP), BindingEvent(at(3), "unbind", 1, NIP)]
    assert subject.accounts_of(NIP, [1], events, {}) == [Account(1, False, None)]
    assert subject.accounts_of(NIP, [1], [], {1: NIP}) == [Account(1, True, None)]


def test_an_account_shared_with_another_nip_is_the_employees_only_while_bound_to_it() -> None:
    events = [
        BindingEvent(at(2), "register_success", 7, NIP),
        BindingEvent(at(3), "unbind", 7, NIP),
        BindingEvent(at(4), "register_success", 7, OTHER),
        BindingEvent(at(5), "import_deactivate", 7, OTHER),
        BindingEvent(at(6), "register_success", 7, NIP),
    ]
    (account,) = subject.accounts_of(NIP, [7], events, {7: NIP})
    assert account.periods == ((at(2), at(3)), (at(6), None))
    assert account.bound_now
    owned = [subject.owns([account], 7, at(day, 12)) for day in (1, 2, 3, 4, 5, 6, 9)]
    assert owned == [False, True, False, False, False, True, True]
    # the other NIP's view of the same account: only its own period
    (theirs,) = subject.accounts_of(OTHER, [7], events, {7: NIP})
    assert theirs.periods == ((at(4), at(5)),)
    # an account bound to another NIP only is not the employee's at all
    assert subject.accounts_of(NIP, [8], [BindingEvent(at(2), "register_success", 8, OTHER)], {}) == []


def test_a_registration_without_a_recorded_release_ends_the_period_before() -> None:
    events = [
        BindingEvent(at(2), "register_success", 7, NIP),
        BindingEvent(at(4), "register_success", 7, OTHER),
    ]
    (account,) = subject.accounts_of(NIP, [7], events, {7: OTHER})
    assert account.periods == ((at(2), at(4)),)


def test_the_sql_conditions_select_what_owns_says() -> None:
    whole = Account(1, True, None)
    timed = Account(7, False, ((at(2), at(3)), (at(6), None)))
    assert subject.account_condition(whole, "chat_id", "waktu") == ("chat_id = %s", [1])
    sql, args = subject.account_condition(timed, "chat_id", "waktu")
    assert sql == "((chat_id = %s AND waktu >= %s AND waktu < %s) OR (chat_id = %s AND waktu >= %s))"
    assert args == [7, at(2), at(3), 7, at(6)]
    assert subject.account_condition(timed, "assigned_staff_id", None) == ("FALSE", [])
    assert subject.accounts_condition([], "chat_id", "waktu") == ("FALSE", [])
    sql, args = subject.accounts_condition([whole, timed], "chat_id", None)
    assert (sql, args) == ("(chat_id = %s)", [1])


def subject_data(name: str = "Budi Santoso") -> SubjectData:
    return SubjectData(
        employee={"nip": NIP, "nama": name, "status": "aktif", "tanggal_lahir": date(1990, 1, 17)},
        accounts=[Account(5550001, True, None)],
        tunkin=[{"periode": "2026-10", "tunjangan": 5361800, "potongan": 134045}],
        tickets=[
            TicketRecord(
                {"id": 3, "status": "selesai", "created_at": at(2, 2), "rating": 5},
                [{"waktu": at(2, 2), "event": "opened", "oleh": "pegawai"}],
                [{"waktu": at(2, 2), "dari": "anda", "isi": "Bagaimana cuti besar?"}],
            )
        ],
        faq_offers=[{"id": 1, "best_score": Decimal("71.50"), "offered_at": at(2, 2)}],
        messages=[{"direction": "in"}, {"direction": "out"}, {"direction": "out"}],
    )


def test_the_json_holds_every_section_with_utc_times_and_plain_numbers() -> None:
    data = json.loads(export.to_json(subject_data(), at(9, 3)))
    assert data["format"] == "sinawai-data-pegawai/1"
    assert data["dibuat"] == "2026-11-09T03:00:00Z"
    assert data["pegawai"]["tanggal_lahir"] == "1990-01-17"
    assert data["akun_telegram"] == [
        {"id_telegram": 5550001, "terhubung_sekarang": True, "periode": "seluruh riwayat akun"}
    ]
    assert data["tawaran_faq"][0]["best_score"] == 71.5
    assert data["tiket"][0]["pesan"][0]["isi"] == "Bagaimana cuti besar?"
    assert data["tiket"][0]["riwayat"][0]["waktu"] == "2026-11-02T02:00:00Z"
    assert len(data["tidak_disertakan"]) == len(export.NOT_INCLUDED)


def test_the_summary_reads_in_indonesian_on_the_service_clock() -> None:
    text = export.summary(subject_data(), at(9, 3), "Asia/Jakarta")
    assert text.startswith("# Data Anda di Sinawai\nDibuat 9 November 2026 pukul 10.00 WIB.")
    assert "NIP: 19900117 201503 1 001" in text
    assert "Tanggal lahir: 17 Januari 1990" in text
    assert "Pangkat/golongan: -\n" in text
    data = subject_data()
    data.employee.update(pangkat="Penata Muda", golongan="III/a")
    assert "Pangkat/golongan: Penata Muda III/a\n" in export.summary(data, at(9, 3), "Asia/Jakarta")
    assert "- Pesan dalam catatan percakapan: 3 (1 dari Anda, 2 dari Sinawai)" in text
    assert "- Oktober 2026: diterima Rp5.227.755" in text
    assert "- #3 (selesai), dibuka 2 November 2026 pukul 09.00 WIB, 1 pesan, penilaian 5/5" in text
    assert "  - 2 November 2026 pukul 09.00 WIB Anda: Bagaimana cuti besar?" in text


def test_the_caption_stays_within_telegrams_limit_whatever_the_name() -> None:
    short = export.caption(subject_data())
    assert short.startswith("📦 Salinan data Anda di Sinawai\nBudi Santoso · NIP 19900117 201503 1 001\n")
    assert "• Tiket konsultasi: 1" in short
    huge = export.caption(subject_data("😀" * 2000))
    assert utf16_len(huge) <= MAX_CAPTION_UTF16
    assert huge.endswith("…")


def test_the_refusal_says_when_the_next_request_is_possible() -> None:
    text = rate_limited(datetime(2026, 5, 13, 7, 5), datetime(2026, 5, 14, 7, 5), 24.0, "Asia/Jakarta")
    assert "pada <b>13 Mei 2026 pukul 14.05 WIB</b>" in text
    assert "sekali dalam 24 jam" in text
    assert "mulai <b>14 Mei 2026 pukul 14.05 WIB</b>" in text


def test_the_interval_is_configurable_and_a_bad_value_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    assert service.interval_hours() == 24.0
    monkeypatch.setenv("DATASAYA_INTERVAL_HOURS", "0.5")
    assert service.interval_hours() == 0.5
    for bad in ("sehari", "-1", "nan", "100000"):
        monkeypatch.setenv("DATASAYA_INTERVAL_HOURS", bad)
        with pytest.raises(ConfigurationError, match="DATASAYA_INTERVAL_HOURS"):
            service.interval_hours()


def test_datasaya_is_a_registration_command_listed_by_bantuan() -> None:
    assert command_group("datasaya") == REGISTRATION
    assert "/datasaya — Minta salinan seluruh data Anda yang disimpan Sinawai" in help_text()
