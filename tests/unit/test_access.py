"""Issue 14 (access): the NIP as printed on decrees, the salutation, rupiah in EYD, the OSDM contact with
none, some or all of its details, the content file that overrides them, and the one-time reset codes.

Bad inputs tried: full-width digits, a NIP of 17 and 19 digits, letters where the NIP goes, no arguments,
a password made of digits after the NIP, a contact file with an unknown key, a phone number with letters,
an e-mail address without a domain."""

from __future__ import annotations

from datetime import datetime

import pytest

from sinawai.common.contact import Contact, contact_lines, contact_text, hours_text, whatsapp_link
from sinawai.common.format_id import rupiah, sapaan, tanggal_jam
from sinawai.information import content_files
from sinawai.information.content import Bundle
from sinawai.registration.passwords import looks_like_code, new_reset_code, normalize_code
from sinawai.registration.rules import nip_problem, normalize_nip, split_nip
from sinawai.router.routing import _opens_secret_step

NIP = "199001172015031001"


@pytest.mark.parametrize(
    ("args", "nip", "secret"),
    [
        ("19900117 201503 1 001 Awal#2026", "19900117 201503 1 001", "Awal#2026"),
        ("NIP. 19900117 201503 1 001 Awal#2026", "19900117 201503 1 001", "Awal#2026"),
        ("nip: 19900117.201503.1.001 K7QF-9MZT-2XH4", "19900117.201503.1.001", "K7QF-9MZT-2XH4"),
        ("19900117-201503-1-001 sandi dengan spasi", "19900117-201503-1-001", "sandi dengan spasi"),
        ("199001172015031001 12345678", NIP, "12345678"),  # a password of digits after the 18
        ("19900117 201503 1 001", "19900117 201503 1 001", ""),  # the guided way: password next
        ("", "", ""),
    ],
)
def test_daftar_takes_the_nip_as_printed_and_the_rest_as_the_secret(args: str, nip: str, secret: str) -> None:
    assert split_nip(args) == (nip, secret)
    if nip:
        assert normalize_nip(nip) == NIP


@pytest.mark.parametrize(
    ("args", "why"),
    [
        ("１９９００１１７２０１５０３１００１ Sandi#1", "angka biasa 0-9"),  # full-width digits
        ("19900117 201503 1 00 Sandi#1", "18 digit"),  # 17 digits
        ("19900117 2015031 1 001 Sandi#1", "18 digit"),  # 19 digits
        ("budi Sandi#1", "18 digit"),  # letters where the NIP goes
    ],
)
def test_a_nip_that_is_not_one_is_refused_with_what_to_type(args: str, why: str) -> None:
    nip_text, _ = split_nip(args)
    problem = nip_problem(normalize_nip(nip_text))
    assert problem is not None
    assert why in problem


def test_the_router_marks_a_spaced_nip_as_the_start_of_a_password_step() -> None:
    assert _opens_secret_step("daftar", "/daftar 19900117 201503 1 001")
    assert _opens_secret_step("daftar", "/daftar NIP. 19900117 201503 1 001")
    assert _opens_secret_step("daftar", "/daftar")
    assert not _opens_secret_step("daftar", "/daftar 19900117 201503 1 001 Sandi#1")


def test_salutation_follows_jenis_kelamin() -> None:
    assert (sapaan("L"), sapaan("P"), sapaan(None), sapaan("")) == ("Bapak", "Ibu", "Bapak/Ibu", "Bapak/Ibu")


def test_rupiah_has_no_space_after_rp() -> None:
    assert rupiah(4595150) == "Rp4.595.150"
    assert rupiah(-134045) == "-Rp134.045"


def test_dates_in_words_on_the_service_clock() -> None:
    # 03:15 UTC is 10.15 WIB on Tuesday 3 March 2026
    assert tanggal_jam(datetime(2026, 3, 3, 3, 15), "Asia/Jakarta") == "Selasa, 3 Maret 2026 pukul 10.15 WIB"


# ---- contact ---------------------------------------------------------------------------------------------


def test_no_contact_configured_still_reads_naturally() -> None:
    text = contact_text(Contact(), hours_text("mon-thu 07:30-16:00; fri 07:30-16:30", "WIB"))
    for label in ("Telepon", "Surel:", "WhatsApp"):
        assert label not in text
    assert "datang langsung" in text
    assert "Senin–Kamis 07.30–16.00, Jumat 07.30–16.30 WIB" in text


def test_some_contact_fields_show_only_those() -> None:
    lines = contact_lines(Contact(telepon="021-7863000"))
    assert lines == ["• Telepon: 021-7863000"]


def test_all_contact_fields_in_a_fixed_order_with_a_whatsapp_link() -> None:
    contact = Contact(
        telepon="021-7863000",
        whatsapp="0812-3456-7890",
        surel="osdm@instansi.go.id",
        ruang="Gedung A <lt 2>",
        jam="Senin–Jumat 08.00–15.00 WIB",
    )
    text = contact_text(contact, "ignored when the contact names its hours")
    order = ["Telepon", "WhatsApp", "Surel", "Ruang layanan", "Jam layanan"]
    positions = [text.index(label + ":") for label in order]
    assert positions == sorted(positions)
    assert '<a href="https://wa.me/6281234567890">0812-3456-7890</a>' in text
    assert "Gedung A &lt;lt 2&gt;" in text
    assert "ignored" not in text
    assert whatsapp_link("+62 812 3456 7890") == "https://wa.me/6281234567890"


def test_the_published_file_wins_field_by_field_over_the_deploy() -> None:
    deploy = Contact(telepon="021-1111111", surel="osdm@instansi.go.id")
    published = Contact(telepon="021-2222222")
    merged = published.over(deploy)
    assert (merged.telepon, merged.surel) == ("021-2222222", "osdm@instansi.go.id")


def _files(contact: str) -> dict[str, str]:
    files = content_files.load_folder(__import__("pathlib").Path("content"))
    files["_kontak.md"] = contact
    return files


def test_the_contact_file_is_validated_and_published_in_the_bundle() -> None:
    bundle = content_files.build(
        _files("---\ntelepon: 021-7863000\nsurel: osdm@instansi.go.id\n---\nLoket buka tanpa janji.\n")
    )
    again = Bundle.from_json(bundle.to_json())
    assert Contact.from_dict(again.contact) == Contact(
        telepon="021-7863000", surel="osdm@instansi.go.id", note_html="Loket buka tanpa janji."
    )


def test_a_bad_contact_file_names_each_problem_with_its_line() -> None:
    with pytest.raises(content_files.ContentError) as raised:
        content_files.build(_files("---\ntelepon: hubungi kami\nsurel: osdm@\nfaks: 021\n---\n"))
    text = str(raised.value)
    assert "_kontak.md:2: telepon harus nomor telepon" in text
    assert "_kontak.md:3: surel tidak valid" in text
    assert "_kontak.md:4: kunci tidak dikenal: 'faks'" in text


# ---- reset codes -----------------------------------------------------------------------------------------


def test_reset_codes_are_fresh_readable_and_typed_loosely() -> None:
    codes = {new_reset_code() for _ in range(50)}
    assert len(codes) == 50
    code = codes.pop()
    assert looks_like_code(code)
    assert not set(normalize_code(code)) & set("0O1IL")
    assert normalize_code(code.lower().replace("-", " ")) == normalize_code(code)
    assert not looks_like_code("Awal#2026")
