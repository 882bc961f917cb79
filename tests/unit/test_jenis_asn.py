"""The employee type (PNS/PPPK) where it changes an answer, as pure rules: the employees file's optional
``jenis_asn`` column, /cuti's kinds of leave per type (and cuti karena alasan penting per event), and
content variants per type (front matter ``varian_dari``, ``jenis_asn``, ``catatan``).

Bad inputs tried: jenis_asn cells "P3K", "CPNS", "honorer", "PNS/PPPK", "1"; a variant whose base topic is
missing, is itself a variant, or lives in another area; two PPPK variants of one topic; a variant type
"P3K" or empty; a variant without its note, or with a note too long; a note on a topic that is no variant;
a section on a variant; a base whose answer no longer fits with the notes under it.
"""

from __future__ import annotations

from datetime import date

import pytest

from local_stack import telegram_markup
from sinawai.common.asn import asn_type, leave_applies
from sinawai.common.text_limits import utf16_len, visible_text
from sinawai.consultation.faq_offers import faq_text
from sinawai.hr_import.parse import parse
from sinawai.hr_import.records import EmployeeRecord, ParsedImport
from sinawai.information import content, content_files
from sinawai.information.content import Bundle
from sinawai.information.content_files import MAX_ANSWER_CHARS, ContentError
from sinawai.registration import personal_data
from tests.helpers import ROOT

TODAY = date(2026, 11, 28)
NIP_PNS = "199001172015031001"
NIP_PPPK = "199604212023212007"
HEADER = "nip,nama,password,jenis_asn\n"


def employees(body: str, header: str = HEADER) -> ParsedImport:
    return parse("employees", (header + body).encode(), "pegawai.csv", today=TODAY)


def record_values(parsed: ParsedImport) -> list[dict[str, object]]:
    assert parsed.problems == (), parsed.problems
    out = []
    for record in parsed.records:
        assert isinstance(record, EmployeeRecord)
        out.append(dict(record.values))
    return out


# ---- the employees file's jenis_asn column -------------------------------------------------------------


def test_jenis_asn_is_read_in_any_case_and_spacing() -> None:
    parsed = employees(
        f"{NIP_PPPK},Putri Maharani,Awal#2026Ptm,PPPK\n"
        f"{NIP_PNS},Budi Santoso,Awal#2026Bds, pns \n"
        "199205092019032005,Dewi Lestari,Awal#2026Dwl,pppk\n"
    )
    assert [v["jenis_asn"] for v in record_values(parsed)] == ["PPPK", "PNS", "PPPK"]


def test_a_file_without_the_column_leaves_the_type_alone() -> None:
    parsed = employees(f"{NIP_PNS},Budi Santoso,Awal#2026Bds\n", header="nip,nama,password\n")
    assert "jenis_asn" not in record_values(parsed)[0]


def test_an_empty_cell_leaves_the_stored_type_alone_like_status() -> None:
    """An empty cell is left out of the record: an update keeps the stored type, a new row starts PNS."""
    parsed = employees(f"{NIP_PNS},Budi Santoso,Awal#2026Bds,\n")
    assert "jenis_asn" not in record_values(parsed)[0]


@pytest.mark.parametrize(
    ("cell", "hint"),
    [
        ("P3K", "ditulis PPPK"),
        ("CPNS", "ditulis PNS"),
        ("honorer", "harus PNS atau PPPK"),
        ("PNS/PPPK", "harus PNS atau PPPK"),
        ("1", "harus PNS atau PPPK"),
    ],
)
def test_a_bad_type_refuses_the_file_naming_the_line_and_what_to_write(cell: str, hint: str) -> None:
    parsed = employees(
        f"{NIP_PNS},Budi Santoso,Awal#2026Bds,PNS\n{NIP_PPPK},Putri Maharani,Awal#2026Ptm,{cell}\n"
    )
    assert parsed.records == ()  # all or nothing: the good row is not imported either
    (problem,) = parsed.problems
    assert (problem.line, problem.column) == (3, "jenis_asn")
    assert hint in problem.message
    assert f"«{cell}»" in problem.message
    assert problem.message.startswith("Jenis ASN")


def test_the_stored_type_reads_as_pns_unless_it_is_pppk() -> None:
    assert [asn_type(v) for v in ("PPPK", "pppk", "PNS", None, "", "lain")] == [
        "PPPK",
        "PPPK",
        "PNS",
        "PNS",
        "PNS",
        "PNS",
    ]


def test_pppk_have_four_kinds_of_leave_and_pns_all() -> None:
    """PP 49/2018 Pasal 77: tahunan, sakit, melahirkan (and cuti bersama, which has no balance)."""
    kinds = ("tahunan", "besar", "sakit", "melahirkan", "alasan_penting", "luar_tanggungan")
    assert [k for k in kinds if leave_applies(k, "PPPK")] == ["tahunan", "sakit", "melahirkan"]
    assert [k for k in kinds if leave_applies(k, "PNS")] == list(kinds)


# ---- /cuti per type ------------------------------------------------------------------------------------

ROWS = [
    {"jenis": "tahunan", "hak": 12, "terpakai": 3},
    {"jenis": "besar", "hak": 90, "terpakai": 0},
    {"jenis": "alasan_penting", "hak": 30, "terpakai": 2},
]
PNS_ONLY = ("Cuti besar", "Cuti karena alasan penting", "Cuti di luar tanggungan negara")


def test_a_pppk_sees_only_the_pppk_kinds_even_when_hr_sent_others() -> None:
    text = visible_text(personal_data.cuti_text(ROWS, 2026, "PPPK"))
    for name in ("Cuti tahunan", "Cuti sakit", "Cuti melahirkan", "Cuti bersama"):
        assert name in text
    for name in PNS_ONLY:
        assert name not in text
    assert "Sebagai PPPK" in text
    assert "PP 49/2018 Pasal 77" in text
    assert "sisa 9 hari" in text
    assert "sebelum itu paling lama 6 hari kerja" in text  # the PPPK rule of cuti tahunan, not the PNS one


def test_a_pns_sees_every_kind_in_sentence_case() -> None:
    text = visible_text(personal_data.cuti_text(ROWS, 2026, "PNS"))
    names = ["Cuti tahunan", "Cuti besar", "Cuti sakit", "Cuti melahirkan", *PNS_ONLY[1:], "Cuti bersama"]
    positions = [text.index(f"\n{name}\n") for name in names]
    assert positions == sorted(positions)
    assert "Cuti Tahunan" not in text
    assert "Karena Alasan Penting" not in text
    assert "Sebagai PPPK" not in text
    assert "Cuti tahun 2026" in text


def test_alasan_penting_shows_the_days_taken_this_year_and_no_balance() -> None:
    text = visible_text(personal_data.cuti_text(ROWS, 2026, "PNS"))
    block = text.split("Cuti karena alasan penting\n", 1)[1].split("\n\n", 1)[0]
    assert "Diambil tahun ini: 2 hari" in block
    assert "per peristiwa" in block
    assert "sisa" not in block
    assert "Hak 30" not in block
    assert "sisa 90 hari" in text  # cuti besar keeps its balance


def test_cuti_bersama_does_not_reduce_annual_leave_for_either_type() -> None:
    for jenis in ("PNS", "PPPK"):
        text = visible_text(personal_data.cuti_text(ROWS, 2026, jenis))
        assert "tidak mengurangi hak cuti tahunan" in text
        assert "mengurangi hak cuti tahunan." not in text.replace("tidak mengurangi hak cuti tahunan", "")


def test_without_data_the_kinds_and_rules_are_still_shown() -> None:
    text = visible_text(personal_data.cuti_text([], 2026, "PPPK"))
    assert "Belum ada data cuti tahun 2026" in text
    assert "Cuti melahirkan" in text
    assert "Diambil" not in text
    assert "sisa" not in text


def test_the_cuti_message_is_valid_telegram_html_and_fits() -> None:
    for jenis in ("PNS", "PPPK"):
        message = personal_data.cuti_text(ROWS, 2026, jenis)
        telegram_markup.parse(message, "HTML")
        assert utf16_len(visible_text(message)) < 4096


# ---- content variants per type -------------------------------------------------------------------------


def shipped() -> dict[str, str]:
    return content_files.load_folder(ROOT / "content")


def bundle() -> Bundle:
    return content_files.build(shipped())


def answer(b: Bundle, topic_id: str, jenis: str | None) -> str:
    topic = b.topic(topic_id)
    assert topic is not None
    return visible_text(content.answer_html(content.for_reader(b, topic, jenis), b.area(topic.area)))


def test_variants_are_not_topics_of_their_own() -> None:
    b = bundle()
    assert b.variants
    assert all(v.jenis_asn == "PPPK" for v in b.variants)
    ids = {t.id for t in b.topics}
    assert not any(v.id in ids for v in b.variants)
    assert "cuti-besar-pppk" not in {t.id for t in b.topics_of("jahdis")}


@pytest.mark.parametrize(
    ("topic_id", "pppk_fact"),
    [
        ("cuti-besar", "tidak memperoleh cuti besar"),
        ("cuti-luar-tanggungan", "tidak memperoleh cuti di luar tanggungan negara"),
        ("cuti-alasan-penting", "tidak memperoleh cuti karena alasan penting"),
        ("cuti-sakit", "paling lama 1 bulan"),
        ("hak-pengembangan-kompetensi", "paling lama 24 jam pelajaran"),
    ],
)
def test_each_reader_gets_the_rule_of_their_type(topic_id: str, pppk_fact: str) -> None:
    b = bundle()
    base = b.topic(topic_id)
    assert base is not None
    as_base = visible_text(content.answer_html(base, b.area(base.area)))
    # a PNS reads the topic unchanged
    assert answer(b, topic_id, "PNS") == as_base
    # a PPPK reads the PPPK rule in its place
    pppk = answer(b, topic_id, "PPPK")
    assert pppk_fact in pppk
    assert "PP 49/2018" in pppk
    # a reader whose type is unknown reads the general text, with the PPPK difference noted
    unknown = answer(b, topic_id, None)
    assert unknown.startswith(as_base.split("\n\nDasar:")[0])
    assert "Untuk PPPK:" in unknown
    assert "Untuk PPPK:" not in as_base


def test_the_renbangkompeg_topic_states_20_jp_for_pns_and_24_jp_for_pppk() -> None:
    b = bundle()
    assert "paling sedikit 20 jam pelajaran" in answer(b, "hak-pengembangan-kompetensi", "PNS")
    pppk = answer(b, "hak-pengembangan-kompetensi", "PPPK")
    assert "24 jam pelajaran" in pppk
    assert "Hak pengembangan kompetensi (20 JP)" not in pppk  # the variant's own title, not the PNS one


def test_a_topic_without_variants_reads_the_same_for_everyone() -> None:
    b = bundle()
    assert answer(b, "skp", "PPPK") == answer(b, "skp", None) == answer(b, "skp", "PNS")


def test_a_variant_keeps_the_base_id_so_buttons_and_views_stay_the_same() -> None:
    b = bundle()
    base = b.topic("cuti-besar")
    assert base is not None
    shown = content.for_reader(b, base, "PPPK")
    assert (shown.id, shown.area, shown.section) == (base.id, base.area, base.section)


def test_a_variants_keywords_let_the_faq_find_its_base() -> None:
    b = bundle()
    base = b.topic("hak-pengembangan-kompetensi")
    assert base is not None
    assert "24 jp" in base.keywords


def test_variants_survive_publication_as_json() -> None:
    b = bundle()
    again = Bundle.from_json(b.to_json())
    assert again.variants == b.variants
    assert answer(again, "cuti-besar", "PPPK") == answer(b, "cuti-besar", "PPPK")


def test_an_old_bundle_without_variants_still_reads() -> None:
    b = bundle()
    raw = b.to_json().replace('"variants"', '"ignored"')
    again = Bundle.from_json(raw)
    assert again.variants == ()
    topic = again.topic("cuti-besar")
    assert topic is not None
    assert content.for_reader(again, topic, "PPPK") == topic


def test_the_faq_offer_answers_a_pppk_with_the_pppk_rule() -> None:
    b = bundle()
    topic = b.topic("cuti-besar")
    assert topic is not None
    assert "tidak memperoleh cuti besar" in visible_text(faq_text(topic, b, 0, "PPPK"))
    assert "tidak memperoleh cuti besar" not in visible_text(faq_text(topic, b, 0, "PNS"))
    assert "Untuk PPPK:" in visible_text(faq_text(topic, b, 0, None))


def test_every_rendered_variant_and_noted_base_is_valid_html_that_fits() -> None:
    b = bundle()
    for topic in b.topics:
        for jenis in ("PNS", "PPPK", None):
            message = content.answer_html(content.for_reader(b, topic, jenis), b.area(topic.area))
            telegram_markup.parse(message, "HTML")
            assert utf16_len(visible_text(message)) <= MAX_ANSWER_CHARS


# ---- what content validate refuses in a variant ---------------------------------------------------------

VARIANT = """---
id: cuti-besar-pppk
title: Cuti besar
varian_dari: cuti-besar
jenis_asn: PPPK
catatan: PPPK tidak memperoleh cuti besar.
status: draft, perlu konfirmasi OSDM
---
PPPK tidak memperoleh cuti besar.
"""


def problems_of(files: dict[str, str]) -> list[str]:
    with pytest.raises(ContentError) as caught:
        content_files.build(files)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("varian_dari: cuti-besar", "varian_dari: cuti-panjang"),
            "jahdis/x.md:4: topik dasar 'cuti-panjang' tidak ada",
        ),
        (
            ("varian_dari: cuti-besar", "varian_dari: cuti-tahunan-pppk"),
            "jahdis/x.md:4: topik dasar 'cuti-tahunan-pppk' adalah varian juga",
        ),
        (("varian_dari: cuti-besar", "varian_dari: "), "jahdis/x.md:4: varian_dari wajib diisi"),
        (("jenis_asn: PPPK", "jenis_asn: P3K"), "jahdis/x.md:5: jenis_asn harus PNS atau PPPK, bukan 'P3K'"),
        (("jenis_asn: PPPK", "jenis_asn:"), "jahdis/x.md:5: jenis_asn wajib diisi pada topik varian"),
        (("catatan: PPPK tidak memperoleh cuti besar.", "catatan:"), "jahdis/x.md:6: catatan wajib diisi"),
        (
            ("catatan: PPPK tidak memperoleh cuti besar.", "catatan: " + "panjang " * 40),
            "jahdis/x.md:6: catatan terlalu panjang (maksimal 300 karakter)",
        ),
        (
            ("status: draft", "section: cuti\nstatus: draft"),
            "jahdis/x.md:7: kunci 'section' tidak dipakai pada topik varian",
        ),
        (
            ("jenis_asn: PPPK", "jenis_asn: PPPK\norder: 5"),
            "jahdis/x.md:6: kunci 'order' tidak dipakai pada topik varian",
        ),
    ],
)
def test_content_validate_refuses_a_broken_variant(change: tuple[str, str], expected: str) -> None:
    files = shipped()
    files["jahdis/x.md"] = VARIANT.replace("cuti-besar-pppk", "cuti-besar-pppk2").replace(*change)
    # the shipped PPPK variant of cuti-besar would be a second one: only the broken file is under test
    del files["jahdis/cuti-besar-pppk.md"]
    problems = problems_of(files)
    assert any(p.startswith(expected) for p in problems), problems
    assert all(p.startswith("jahdis/x.md") for p in problems), problems


def test_a_second_variant_of_the_same_type_is_refused() -> None:
    files = shipped()
    files["jahdis/x.md"] = VARIANT.replace("id: cuti-besar-pppk", "id: cuti-besar-pppk2")
    (problem,) = problems_of(files)
    assert problem.startswith("jahdis/x.md:5: topik 'cuti-besar' sudah punya varian PPPK: jahdis/")


def test_a_variant_in_another_area_is_refused() -> None:
    files = shipped()
    del files["jahdis/cuti-besar-pppk.md"]
    files["mutasi/x.md"] = VARIANT
    (problem,) = problems_of(files)
    assert problem.startswith("mutasi/x.md:4: topik dasar 'cuti-besar' ada di area jahdis")


def test_a_note_on_a_topic_that_is_no_variant_is_refused() -> None:
    files = shipped()
    files["jahdis/cuti-besar.md"] = files["jahdis/cuti-besar.md"].replace(
        "status:", "catatan: Untuk PPPK berbeda.\nstatus:"
    )
    problems = problems_of(files)
    assert any("catatan hanya untuk topik varian" in p for p in problems), problems


def test_a_base_that_no_longer_fits_with_its_notes_is_refused() -> None:
    files = shipped()
    path = "jahdis/cuti-besar.md"
    base = content_files.build(files).topic("cuti-besar")
    assert base is not None
    # lengthen the base until it fits alone but not with the PPPK note under it
    line = "- Tambahan keterangan untuk menguji batas panjang jawaban beserta catatannya."
    text = files[path].rstrip("\n")

    def builds(body: str) -> bool:
        try:
            content_files.build({**files, path: body + "\n"})
        except ContentError:
            return False
        return True

    while builds(text + "\n" + line):
        text += "\n" + line
    problems = problems_of({**files, path: text + "\n" + line + "\n"})
    assert problems == [f"{path}:1: " + problems[0].split(": ", 1)[1]]
    assert "beserta catatan variannya terlalu panjang" in problems[0]
    alone = content.answer_html(base, None)
    assert utf16_len(visible_text(alone)) < MAX_ANSWER_CHARS


def test_datapribadi_shows_the_type_that_the_answers_follow() -> None:
    row = {"nama": "Putri Maharani", "nip": NIP_PPPK, "status": "aktif", "jenis_asn": "PPPK"}
    assert "Jenis ASN: PPPK" in visible_text(personal_data.personal_data_text(row))
