"""Reading and validating HR files (pure: no database): every bad input, with the line numbers staff see."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date, datetime

import openpyxl
import pytest

from sinawai.hr_import import table
from sinawai.hr_import.notices import render_message
from sinawai.hr_import.parse import check_key, parse
from sinawai.hr_import.records import (
    EmployeeRecord,
    ImportResult,
    Kind,
    ParsedImport,
    Problem,
    TunkinRecord,
)
from tests.helpers import EVENTS, ROOT

TODAY = date(2026, 11, 28)
NIP1 = "199001172015031001"
NIP2 = "198807252014022003"
NIP3 = "198503142010121002"
EMPLOYEE_HEADER = "nip,nama,password,jenis_kelamin,tanggal_lahir,status,peran\n"
SECRET = "Rahasia#2026xyz"


def employees(body: str, header: str = EMPLOYEE_HEADER) -> ParsedImport:
    return parse("employees", (header + body).encode(), "pegawai.csv", today=TODAY)


def problems_at(parsed: ParsedImport) -> list[tuple[int | None, str | None]]:
    return [(p.line, p.column) for p in parsed.problems]


def only(parsed: ParsedImport) -> Problem:
    assert len(parsed.problems) == 1, parsed.problems
    return parsed.problems[0]


# ---- the example files ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "rows"), [("employees", 8), ("tunkin", 18), ("cuti", 12)])
def test_the_example_files_are_valid(kind: Kind, rows: int) -> None:
    parsed = parse(kind, (EVENTS / "imports" / f"{kind}.csv").read_bytes(), f"{kind}.csv", today=TODAY)
    assert parsed.problems == ()
    assert parsed.warnings == ()
    assert parsed.rows_total == rows
    assert len(parsed.records) == rows


def test_example_nips_follow_the_nip_structure() -> None:
    """Birth date YYYYMMDD, CPNS month YYYYMM (a PPPK: year of appointment and 21), gender 1/2, serial: and
    they agree with the other columns."""
    parsed = parse("employees", (EVENTS / "imports" / "employees.csv").read_bytes(), "e.csv", today=TODAY)
    roles = set()
    types = set()
    for record in parsed.records:
        assert isinstance(record, EmployeeRecord)
        nip = record.nip
        assert date(int(nip[:4]), int(nip[4:6]), int(nip[6:8])) == record.values["tanggal_lahir"]
        appointed_year, appointed_month = int(nip[8:12]), int(nip[12:14])
        types.add(record.values["jenis_asn"])
        if record.values["jenis_asn"] == "PPPK":
            assert appointed_month == 21
        else:
            assert 1 <= appointed_month <= 12
        assert appointed_year - int(nip[:4]) >= 18
        assert {"1": "L", "2": "P"}[nip[14]] == record.values["jenis_kelamin"]
        roles.add(record.values["hak_pengguna"])
    assert roles == {"pegawai", "staf", "admin"}
    assert types == {"PNS", "PPPK"}


def test_a_valid_row_becomes_a_record_without_showing_its_password() -> None:
    parsed = employees(f"{NIP1},Budi Santoso,{SECRET},l,1990-01-17,,\n")
    (record,) = parsed.records
    assert isinstance(record, EmployeeRecord)
    assert (record.nip, record.nama, record.password) == (NIP1, "Budi Santoso", SECRET)
    assert record.values == {
        "jenis_kelamin": "L",
        "tanggal_lahir": date(1990, 1, 17),
        # no status: an empty status cell never changes a stored status (a new employee starts aktif)
        "hak_pengguna": "pegawai",
    }
    assert SECRET not in repr(record)


def test_optional_columns_absent_from_the_file_are_not_in_the_record() -> None:
    parsed = parse("employees", f"NIP , Nama,PASSWORD\n{NIP1},Budi,{SECRET}\n".encode(), "x.csv", today=TODAY)
    (record,) = parsed.records
    assert isinstance(record, EmployeeRecord)
    assert record.values == {}  # so an update leaves jabatan, status, ... as they are


# ---- file-level problems -------------------------------------------------------------------------------


def test_missing_required_columns_are_listed() -> None:
    parsed = parse("tunkin", b"nip,bulan,tunjangan\n199001172015031001,2026-10,100\n", "t.csv", today=TODAY)
    problem = only(parsed)
    assert problem.line is None
    assert "periode, kelas_jabatan, potongan" in problem.message
    assert parsed.records == ()
    assert parsed.warnings == ("Kolom yang tidak dikenal diabaikan: bulan.",)


def test_unknown_columns_are_ignored_with_a_warning() -> None:
    parsed = employees(
        f"{NIP1},Budi,{SECRET},L,1990-01-17,aktif,pegawai,99,x\n", EMPLOYEE_HEADER[:-1] + ",gaji,npwp\n"
    )
    assert parsed.problems == ()
    assert parsed.warnings == ("Kolom yang tidak dikenal diabaikan: gaji, npwp.",)
    assert len(parsed.records) == 1


def test_a_column_given_twice_is_refused() -> None:
    parsed = parse("cuti", b"nip,tahun,jenis,hak,terpakai,hak\n", "c.csv", today=TODAY)
    problem = only(parsed)
    assert problem.line == 1
    assert "hak muncul lebih dari sekali (kolom ke-4 dan 6)" in problem.message


@pytest.mark.parametrize("data", [b"", b"   \n\n", b"\xef\xbb\xbf", b",,,\n,,\n"])
def test_an_empty_file_is_refused(data: bytes) -> None:
    problem = only(parse("employees", data, "kosong.csv", today=TODAY))
    assert problem.line is None
    assert "Berkas kosong" in problem.message


def test_a_header_without_rows_is_refused() -> None:
    problem = only(employees(""))
    assert "tidak ada baris data" in problem.message


def test_a_latin1_file_is_refused_with_the_csv_utf8_advice() -> None:
    data = (EMPLOYEE_HEADER + f"{NIP1},Budi,{SECRET},L,,,\n{NIP2},Siti Nurhalizé,{SECRET},P,,,\n").encode(
        "latin-1"
    )
    problem = only(parse("employees", data, "latin1.csv", today=TODAY))
    assert problem.line is None
    assert "bukan teks UTF-8" in problem.message
    assert "baris 3" in problem.message
    assert '"CSV UTF-8' in problem.message


def test_a_utf16_file_is_refused_with_the_csv_utf8_advice() -> None:
    data = (EMPLOYEE_HEADER + f"{NIP1},Budi,{SECRET},L,,,\n").encode("utf-16")
    assert '"CSV UTF-8' in only(parse("employees", data, "u16.txt", today=TODAY)).message


def test_an_old_xls_or_a_broken_xlsx_is_refused() -> None:
    assert ".xls" in only(parse("cuti", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "c.xls")).message
    assert "XLSX tidak dapat dibaca" in only(parse("cuti", b"PK\x03\x04broken", "c.xlsx")).message
    assert "bukan buku kerja" in only(parse("cuti", b"nip,tahun\n", "c.xlsx")).message


def test_a_file_too_large_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(table, "MAX_FILE_BYTES", 100)
    assert "terlalu besar" in only(employees(f"{NIP1},Budi,{SECRET},L,,,\n" * 5)).message


# ---- delimiters, BOM, headers --------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_comma_semicolon_and_tab_files_are_read(delimiter: str) -> None:
    text = f"nip{delimiter}tahun{delimiter}jenis{delimiter}hak{delimiter}terpakai\r\n"
    text += f"{NIP1}{delimiter}2026{delimiter}tahunan{delimiter}12{delimiter}4\r\n"
    parsed = parse("cuti", ("\ufeff" + text).encode(), "cuti.csv", today=TODAY)
    assert parsed.problems == ()
    assert [(r.nip, r.hak, r.terpakai) for r in parsed.records] == [(NIP1, 12, 4)]  # type: ignore[union-attr]


def test_indonesian_excel_semicolon_file_with_quoted_values() -> None:
    text = (
        "NIP;Periode;Kelas_Jabatan;Tunjangan;Potongan;Keterangan\n"
        f'{NIP1};2026-10;8;4595150;45952;"Terlambat; 2 kali"\n'
    )
    (record,) = parse("tunkin", text.encode("utf-8-sig"), "tunkin.csv", today=TODAY).records
    assert isinstance(record, TunkinRecord)
    assert (record.periode, record.potongan, record.keterangan) == ("2026-10", 45952, "Terlambat; 2 kali")


def test_blank_lines_are_skipped_and_line_numbers_still_match_the_file() -> None:
    parsed = employees(f"\n{NIP1},Budi,{SECRET},L,,,\n,,,,,,\n{NIP2},Siti,{SECRET},X,,,\n")
    assert problems_at(parsed) == [(5, "jenis_kelamin")]
    assert parsed.rows_total == 2


def test_a_quoted_value_over_two_lines_keeps_the_following_line_numbers() -> None:
    text = "nip,periode,kelas_jabatan,tunjangan,potongan,keterangan\n"
    text += f'{NIP1},2026-10,8,100,0,"baris satu\nbaris dua"\n{NIP1},2026-11,8,100,200,\n'
    assert problems_at(parse("tunkin", text.encode(), "t.csv", today=TODAY)) == [(4, "potongan")]


def test_an_unquoted_comma_shifts_columns_and_no_value_is_quoted() -> None:
    parsed = employees(f"{NIP1},Dewi Lestari, S.Psi.,{SECRET},P,1992-05-09,aktif,pegawai\n")
    problem = only(parsed)
    assert problem.line == 2
    assert "8 kolom, sedangkan judul berisi 7" in problem.message
    assert SECRET not in problem.message


def test_a_short_row_quotes_no_value_since_one_may_be_a_password() -> None:
    parsed = employees(f"{NIP1},Budi,L,{SECRET}\n")  # the password landed in jenis_kelamin's place
    assert (2, "jenis_kelamin") in problems_at(parsed)
    assert all(SECRET not in p.message for p in parsed.problems)


# ---- NIPs ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nip", "expected"),
    [
        ("19900117201503100", "tertulis 17 digit"),
        ("1990011720150310011", "tertulis 19 digit"),
        ("19900117 201503 1 001", "tanpa huruf, spasi"),
        ("19900117201503100A", "tanpa huruf, spasi"),
        ("1' OR '1'='1", "tanpa huruf, spasi"),
        ("1.99001E+17", "notasi ilmiah"),
        ("", "NIP wajib diisi"),
    ],
)
def test_bad_nips_are_refused(nip: str, expected: str) -> None:
    parsed = employees(f'"{nip}",Budi,{SECRET},L,,,\n')
    problem = only(parsed)
    assert (problem.line, problem.column) == (2, "nip")
    assert expected in problem.message
    if nip and "E+" not in nip:
        assert f"«{nip}»" in problem.message


def test_nip_leading_zeros_are_kept() -> None:
    (record,) = employees(f"000117201503100199,Budi,{SECRET},L,,,\n").records
    assert record.nip == "000117201503100199"


def test_duplicate_nips_name_the_first_line_on_every_later_line() -> None:
    parsed = employees(
        f"{NIP1},Budi,{SECRET},L,,,\n{NIP2},Siti,{SECRET},P,,,\n{NIP1},Budi Lagi,{SECRET},L,,,\n"
        f"{NIP1},,{SECRET},L,,,\n"
    )
    assert problems_at(parsed) == [(4, "nip"), (5, "nama"), (5, "nip")]
    assert all("sudah ada di baris 2" in p.message for p in parsed.problems if p.column == "nip")
    assert parsed.records == ()


def test_duplicate_keys_of_tunkin_and_cuti() -> None:
    tunkin = "nip,periode,kelas_jabatan,tunjangan,potongan\n"
    tunkin += f"{NIP1},2026-10,8,100,0\n{NIP1},2026-11,8,100,0\n{NIP1},2026-10,8,200,0\n"
    parsed = parse("tunkin", tunkin.encode(), "t.csv", today=TODAY)
    assert problems_at(parsed) == [(4, "periode")]
    assert "periode 2026-10 yang sama sudah ada di baris 2" in parsed.problems[0].message

    cuti = "nip,tahun,jenis,hak,terpakai\n"
    cuti += f"{NIP1},2026,tahunan,12,0\n{NIP1},2026,sakit,14,0\n"
    cuti += f"{NIP1},2025,tahunan,12,0\n{NIP1},2026,Tahunan,12,1\n"
    parsed = parse("cuti", cuti.encode(), "c.csv", today=TODAY)
    assert problems_at(parsed) == [(5, "jenis")]
    assert "sudah ada di baris 2" in parsed.problems[0].message


# ---- dates, sets and numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-02-30", "tidak ada di kalender"),
        ("30/01/1990", "harus berformat YYYY-MM-DD"),
        ("1990-1-7", "harus berformat YYYY-MM-DD"),
        ("17 Januari 1990", "harus berformat YYYY-MM-DD"),
        ("2027-01-01", "tidak masuk akal"),
    ],
)
def test_bad_birth_dates(value: str, expected: str) -> None:
    parsed = employees(f"{NIP1},Budi,{SECRET},L,1990-01-17,,\n{NIP2},Siti,{SECRET},P,{value},,\n")
    problem = only(parsed)
    assert (problem.line, problem.column) == (3, "tanggal_lahir")
    assert expected in problem.message


@pytest.mark.parametrize(
    ("column_values", "column", "expected"),
    [
        ("X,,", "jenis_kelamin", "L atau P"),
        ("L,aktip,", "status", "aktif atau nonaktif"),
        ("L,,superadmin", "peran", "pegawai, staf, atau admin"),
    ],
)
def test_values_outside_their_sets(column_values: str, column: str, expected: str) -> None:
    gender, status, role = column_values.split(",")
    parsed = employees(f"{NIP1},Budi,{SECRET},{gender},,{status},{role}\n")
    problem = only(parsed)
    assert (problem.line, problem.column) == (2, column)
    assert expected in problem.message


def test_sets_are_case_insensitive() -> None:
    (record,) = employees(f"{NIP1},Budi,{SECRET},p,,NonAktif,ADMIN\n").records
    assert isinstance(record, EmployeeRecord)
    assert (record.values["jenis_kelamin"], record.values["status"], record.values["hak_pengguna"]) == (
        "P",
        "nonaktif",
        "admin",
    )


def test_every_bad_row_and_every_bad_cell_is_reported() -> None:
    parsed = employees(
        f"{NIP1},Budi,{SECRET},L,1990-01-17,aktif,pegawai\n"
        f"12345,Siti,{SECRET},Q,2026-02-30,aktif,pegawai\n"
        f"{NIP2},Agus,{SECRET},L,1985-03-14,aktif,pegawai\n"
        f"{NIP3},,,L,30/01/1990,pensiun,raja\n"
    )
    assert problems_at(parsed) == [
        (3, "nip"),
        (3, "jenis_kelamin"),
        (3, "tanggal_lahir"),
        (5, "nama"),
        (5, "password"),
        (5, "tanggal_lahir"),
        (5, "status"),
        (5, "peran"),
    ]
    assert parsed.records == ()  # all or nothing


def test_passwords_with_spaces_or_too_long_are_refused_and_never_quoted() -> None:
    long = "A1#" + "x" * 130
    parsed = employees(f"{NIP1},Budi,Rahasia 2026,L,,,\n{NIP2},Siti,{long},P,,,\n")
    assert problems_at(parsed) == [(2, "password"), (3, "password")]
    assert all("Rahasia" not in p.message and long not in p.message for p in parsed.problems)


def test_short_initial_passwords_are_a_warning() -> None:
    parsed = employees(f"{NIP1},Budi,abc123,L,,,\n")
    assert parsed.problems == ()
    assert "1 kata sandi awal kurang dari 8 karakter" in parsed.warnings[0]


TUNKIN_HEADER = "nip,periode,kelas_jabatan,tunjangan,potongan,keterangan\n"


@pytest.mark.parametrize(
    ("row", "column", "expected"),
    [
        (f"{NIP1},2026-10,8,-4595150,0,", "tunjangan", "tidak boleh negatif"),
        (f"{NIP1},2026-10,8,4595150,-1,", "potongan", "tidak boleh negatif"),
        (f"{NIP1},2026-10,8,100,101,", "potongan", "tidak boleh lebih besar daripada tunjangan"),
        (f'{NIP1},2026-10,8,"4.595.150",0,', "tunjangan", "tanpa titik, koma"),
        (f"{NIP1},2026-10,8,Rp4595150,0,", "tunjangan", "tanpa titik, koma"),
        (f"{NIP1},2026-10,8,4595150.5,0,", "tunjangan", "tanpa titik, koma"),
        (f"{NIP1},2026-10,0,100,0,", "kelas_jabatan", "antara 1 dan 17"),
        (f"{NIP1},2026-10,18,100,0,", "kelas_jabatan", "antara 1 dan 17"),
        (f"{NIP1},2026-13,8,100,0,", "periode", "01 sampai 12"),
        (f"{NIP1},10/2026,8,100,0,", "periode", "YYYY-MM"),
        (f"{NIP1},2026-10,8,,0,", "tunjangan", "wajib diisi"),
    ],
)
def test_bad_tunkin_rows(row: str, column: str, expected: str) -> None:
    parsed = parse("tunkin", (TUNKIN_HEADER + row + "\n").encode(), "t.csv", today=TODAY)
    problem = only(parsed)
    assert (problem.line, problem.column) == (2, column)
    assert expected in problem.message


def test_potongan_equal_to_tunjangan_is_allowed() -> None:
    parsed = parse("tunkin", (TUNKIN_HEADER + f"{NIP1},2026-10,8,100,100,\n").encode(), "t.csv", today=TODAY)
    assert parsed.problems == ()


CUTI_HEADER = "nip,tahun,jenis,hak,terpakai\n"


@pytest.mark.parametrize(
    ("row", "column", "expected"),
    [
        (f"{NIP1},2026,cuti_bersama,12,0", "jenis", "Jenis cuti tidak dikenal"),
        (f"{NIP1},2026,tahunan,12,13", "terpakai", "tidak boleh lebih besar daripada hak cuti"),
        (f"{NIP1},2026,tahunan,-12,0", "hak", "tidak boleh negatif"),
        (f"{NIP1},2026,tahunan,12,1.5", "terpakai", "bilangan bulat"),
        (f"{NIP1},26,tahunan,12,0", "tahun", "antara 2000 dan 2100"),
    ],
)
def test_bad_cuti_rows(row: str, column: str, expected: str) -> None:
    parsed = parse("cuti", (CUTI_HEADER + row + "\n").encode(), "c.csv", today=TODAY)
    problem = only(parsed)
    assert (problem.line, problem.column) == (2, column)
    assert expected in problem.message


def test_leave_kind_with_a_space_is_understood() -> None:
    parsed = parse("cuti", (CUTI_HEADER + f"{NIP1},2026,Alasan Penting,30,2\n").encode(), "c.csv")
    assert [r.jenis for r in parsed.records] == ["alasan_penting"]  # type: ignore[union-attr]


# ---- XLSX ----------------------------------------------------------------------------------------------


def workbook(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_values_of_every_cell_type() -> None:
    data = workbook(
        [
            ["NIP", "Nama", "Password", "Kelas_Jabatan", "Tanggal_Lahir", "Jenis_Kelamin"],
            [NIP1, "Budi Santoso", SECRET, 8, datetime(1990, 1, 17), "L"],
            [NIP2, "Siti Nurhaliza", 12345678, 9.0, "1988-07-25", "P"],
        ]
    )
    parsed = parse("employees", data, "pegawai.xlsx", today=TODAY)
    assert parsed.problems == ()
    first, second = parsed.records
    assert isinstance(first, EmployeeRecord)
    assert isinstance(second, EmployeeRecord)
    assert first.values["tanggal_lahir"] == date(1990, 1, 17)
    assert second.values["kelas_jabatan"] == 9
    assert second.password == "12345678"


def test_xlsx_nip_stored_as_a_number_is_refused_with_the_text_format_advice() -> None:
    data = workbook(
        [
            ["nip", "nama", "password"],
            [NIP1, "Budi", SECRET],
            [1.99001172015031e17, "Siti", SECRET],  # what Excel keeps of 199001172015031001: 15 digits
            [int(NIP3), "Agus", SECRET],
        ]
    )
    parsed = parse("employees", data, "pegawai.xlsx", today=TODAY)
    assert problems_at(parsed) == [(3, "nip"), (4, "nip")]
    assert all("format kolom nip sebagai Teks" in p.message for p in parsed.problems)


def test_xlsx_line_numbers_are_excel_row_numbers_across_empty_rows() -> None:
    data = workbook(
        [
            ["nip", "periode", "kelas_jabatan", "tunjangan", "potongan"],
            [NIP1, "2026-09", 8, 4595150, 0],
            [],
            [],
            [NIP1, datetime(2026, 10, 1), 8, 4595150, 5000000],
        ]
    )
    parsed = parse("tunkin", data, "tunkin.xlsx", today=TODAY)
    assert problems_at(parsed) == [(5, "potongan")]


def test_xlsx_period_typed_as_a_date_by_excel_is_understood() -> None:
    data = workbook(
        [["nip", "periode", "kelas_jabatan", "tunjangan", "potongan"], [NIP1, datetime(2026, 10, 1), 8, 1, 0]]
    )
    (record,) = parse("tunkin", data, "tunkin.xlsx", today=TODAY).records
    assert isinstance(record, TunkinRecord)
    assert record.periode == "2026-10"


# ---- S3 keys -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "kind", "ignore", "problem"),
    [
        ("imports/employees/pegawai.csv", "employees", False, None),
        ("imports/tunkin/tunkin 2026-11.xlsx", "tunkin", False, None),
        ("imports/cuti/c.csv", "cuti", False, None),
        ("imports/tunkin/", None, True, None),
        ("imports/", None, True, None),
        ("imports/gaji/gaji.csv", None, False, "Jenis data «gaji» tidak dikenal"),
        ("imports/cuti/2026/c.csv", None, False, "tanpa subfolder"),
        ("imports/pegawai.csv", None, False, "tanpa subfolder"),
        ("documents/x.csv", None, False, "salah satu folder"),
    ],
)
def test_s3_keys(key: str, kind: str | None, ignore: bool, problem: str | None) -> None:
    check = check_key(key)
    assert (check.kind, check.ignore) == (kind, ignore)
    if problem is None:
        assert check.problem is None
    else:
        assert check.problem is not None
        assert problem in check.problem


def test_the_employees_full_folder_is_a_full_export_of_employees() -> None:
    check = check_key("imports/employees-full/pegawai 2026-12.csv")
    assert (check.kind, check.full, check.problem) == ("employees", True, None)
    assert not check_key("imports/employees/pegawai.csv").full
    assert "imports/employees-full/" in (check_key("imports/gaji/g.csv").problem or "")


# ---- rendering -----------------------------------------------------------------------------------------


def rejected(problems: list[Problem], rows: int = 600) -> ImportResult:
    return ImportResult(
        kind="employees",
        file_name="pegawai <final>.csv",
        source="s3://b/k",
        sha256="0" * 64,
        status="rejected",
        rows_total=rows,
        problems=tuple(problems),
    )


def test_the_staff_message_lists_30_rows_then_counts_the_rest_under_telegrams_limit() -> None:
    problems = [Problem(line, "Nama <wajib> diisi & " + "x" * 40, "nama") for line in range(2, 502)]
    text = render_message(rejected(problems))
    assert len(text) <= 4096
    assert "<b>Baris 2</b>" in text
    assert "<b>Baris 31</b>" in text
    assert "<b>Baris 32</b>" not in text
    assert "… dan 470 baris lainnya." in text
    assert "&lt;wajib&gt; diisi &amp;" in text
    assert "pegawai &lt;final&gt;.csv" in text


def test_the_staff_message_stays_under_the_limit_with_very_long_problems() -> None:
    problems = [Problem(line, "y" * 1000, "nama") for line in range(2, 40)]
    text = render_message(rejected(problems))
    assert len(text) <= 4096
    assert "baris lainnya." in text


def test_the_staff_message_of_a_success_has_the_counts() -> None:
    result = ImportResult(
        kind="tunkin",
        file_name="tunkin.csv",
        source="s",
        sha256="0" * 64,
        status="imported",
        rows_total=18,
        inserted=15,
        updated=2,
        unchanged=1,
        warnings=("Kolom yang tidak dikenal diabaikan: gaji.",),
    )
    text = render_message(result, note="Berkas dihapus.")
    assert text.splitlines() == [
        "✅ <b>Impor data tunjangan kinerja (tunkin) berhasil</b>",
        "Berkas: <code>tunkin.csv</code>",
        "Baris data: 18",
        "• baru: 15",
        "• diperbarui: 2",
        "• tidak berubah: 1",
        "⚠️ Kolom yang tidak dikenal diabaikan: gaji.",
        "Berkas dihapus.",
    ]


def test_problems_are_json_for_import_run() -> None:
    problem = Problem(3, "NIP ganda.", "nip")
    assert json.loads(json.dumps(problem.to_json())) == {"line": 3, "column": "nip", "message": "NIP ganda."}


def test_the_domain_part_imports_no_database_driver_nor_aws_nor_telegram() -> None:
    code = (
        "import sys; import sinawai.hr_import.parse, sinawai.hr_import.notices; "
        "heavy = ('pymysql', 'boto3', 'telegram', 'openpyxl'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT / "layers" / "core"
    )
    assert out.stdout.strip() == "[]"
