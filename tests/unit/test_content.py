"""OSDM's content files: the shipped content passes every rule, and each rule refuses what breaks it.

The rendered answers are parsed with the emulator's Telegram HTML parser (Telegram's own rules), so an
answer that would fail with "can't parse entities" fails here first.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from local_stack import telegram_markup
from sinawai import cli
from sinawai.common.text_limits import visible_text
from sinawai.information import content, content_files
from sinawai.information.content_files import ContentError
from sinawai.registration import personal_data
from tests.helpers import ROOT

CONTENT = ROOT / "content"


def shipped() -> dict[str, str]:
    return content_files.load_folder(CONTENT)


def problems_of(files: dict[str, str]) -> list[str]:
    with pytest.raises(ContentError) as caught:
        content_files.build(files)
    return [str(p) for p in caught.value.problems]


def test_the_shipped_content_covers_every_area_and_is_marked_for_osdm_to_confirm() -> None:
    bundle = content_files.build(shipped())
    assert [a.id for a in bundle.areas] == list(content.AREAS)
    for area in bundle.areas:
        assert bundle.topics_of(area.id), area.id
    assert all(t.draft for t in bundle.topics)
    # the facts the issue names are in the answers
    text = " ".join(t.text for t in bundle.topics)
    for fact in (
        "12 hari kerja",
        "paling banyak 6 hari",
        "25% selama 6, 9 atau 12 bulan",
        "20 jam pelajaran",
    ):
        assert fact in text
    for rating in ("Sangat Baik", "Butuh Perbaikan", "Sangat Kurang"):
        assert rating in text


def test_every_rendered_page_parses_as_telegram_html_within_the_limits() -> None:
    bundle = content_files.build(shipped())
    for topic in bundle.topics:
        message = content.answer_html(topic, bundle.area(topic.area))
        parsed = telegram_markup.parse(message, "HTML")
        assert telegram_markup.utf16_len(parsed.text) <= content_files.MAX_ANSWER_CHARS
        assert parsed.text == visible_text(message)  # what the validator counts is what Telegram keeps
        assert len(content.topic_callback(topic.area, topic.id).encode()) < 64
    for area in bundle.areas:
        telegram_markup.parse(f"<b>{area.title}</b>\n{area.intro_html}", "HTML")
        for section in area.sections:
            assert len(content.section_callback(area.id, section.id).encode()) < 64


def test_text_that_looks_like_markup_is_escaped_and_shown_as_written() -> None:
    files = shipped()
    path = "pengkinpeg/skp.md"
    files[path] = files[path].replace(
        "Setiap pegawai",
        "Nilai <b>1 & 2</b> serta [tautan](https://example.go.id/a?b=1&c=2) untuk setiap pegawai",
    )
    topic = content_files.build(files).topic("skp")
    assert topic is not None
    parsed = telegram_markup.parse(topic.html, "HTML")
    assert "Nilai <b>1 & 2</b> serta tautan untuk setiap pegawai" in parsed.text
    assert any(e.get("url") == "https://example.go.id/a?b=1&c=2" for e in parsed.entities)


def test_a_too_long_answer_is_refused_naming_the_file_and_the_line_where_it_passes_the_limit() -> None:
    files = shipped()
    path = "pengkinpeg/skp.md"  # a topic without variants: its answer alone counts
    head = files[path].rstrip("\n").split("\n")
    extra = [
        f"- Paragraf tambahan nomor {n:02d} yang membuat jawaban ini terlalu panjang." for n in range(60)
    ]
    files[path] = "\n".join(head + extra) + "\n"
    problems = problems_of(files)
    assert len(problems) == 1
    where, _, message = problems[0].partition(": ")
    file, line = where.rsplit(":", 1)
    assert file == path
    assert "terlalu panjang" in message
    # the named line is the one where the rendered answer passes MAX_ANSWER_CHARS
    bundle_before = content_files.build(shipped()).topic("skp")
    assert bundle_before is not None
    number = int(line)
    assert len(head) < number <= len(head) + len(extra)
    upto = "\n".join((head + extra)[:number]) + "\n"
    files[path] = "\n".join((head + extra)[: number - 1]) + "\n"
    content_files.build(files)  # one line less fits
    files[path] = upto
    assert problems_of(files)  # this line is the first that does not


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("id: skp", "id: cuti-tahunan"), "pengkinpeg/skp.md:2: id 'cuti-tahunan' sudah dipakai"),
        (("id: skp", "id: SKP Pegawai"), "pengkinpeg/skp.md:2: id 'SKP Pegawai' tidak valid"),
        (("id: skp", "id: " + "s" * 33), "pengkinpeg/skp.md:2: id 'sss"),
        (("wajib memiliki", "wajib [lihat](htp:/salah) memiliki"), "pengkinpeg/skp.md:9: tautan tidak valid"),
        (
            ("wajib memiliki", "wajib [lihat](https://bkn.go.id memiliki"),
            "pengkinpeg/skp.md:9: tautan tidak lengkap",
        ),
        (("title: Sasaran Kinerja Pegawai (SKP)", "title: "), "pengkinpeg/skp.md:3: title wajib diisi"),
        (("order: 10", "order: sepuluh"), "pengkinpeg/skp.md:4: order harus bilangan bulat"),
        (("order: 10", "urutan: 10"), "pengkinpeg/skp.md:4: kunci tidak dikenal: 'urutan'"),
        (("---\nid: skp", "id: skp"), "pengkinpeg/skp.md:1: berkas harus diawali front matter"),
    ],
)
def test_each_rule_names_the_file_and_line(change: tuple[str, str], expected: str) -> None:
    files = shipped()
    path = "pengkinpeg/skp.md"
    assert change[0] in files[path]
    files[path] = files[path].replace(change[0], change[1], 1)
    problems = problems_of(files)
    assert any(p.startswith(expected) for p in problems), problems


def test_a_topic_in_an_unknown_section_and_an_area_without_topics_are_refused() -> None:
    files = shipped()
    files["jahdis/cuti-besar.md"] = files["jahdis/cuti-besar.md"].replace("section: cuti", "section: libur")
    files = {p: t for p, t in files.items() if not p.startswith("pengkinpeg/") or p.endswith("_index.md")}
    problems = problems_of(files)
    assert any(p.startswith("jahdis/cuti-besar.md:4: bagian 'libur' tidak ada") for p in problems), problems
    assert any(p.startswith("pengkinpeg/_index.md:1: area ini belum punya topik") for p in problems), problems


def test_a_bundle_survives_its_json_form() -> None:
    bundle = content_files.build(shipped())
    again = content.Bundle.from_json(bundle.to_json())
    assert again.topics == bundle.topics
    assert again.areas == bundle.areas
    assert again.variants == bundle.variants
    assert again.calendar == bundle.calendar
    assert again.contact == bundle.contact
    assert again.topic("skp") == bundle.topic("skp")


def test_sinawai_content_validate_prints_every_problem_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["content", "validate", str(CONTENT)]) == 0
    # every topic file but the variants (they take a topic's place) and the calendar and contact files
    files = shipped()
    variants = sum(1 for text in files.values() if "\nvarian_dari:" in text)
    topics = sum(1 for path in files if "/" in path and not path.endswith("_index.md")) - variants
    assert f"Konten valid: {topics} topik" in capsys.readouterr().out
    broken = tmp_path / "content"
    for path, text in shipped().items():
        (broken / path).parent.mkdir(parents=True, exist_ok=True)
        (broken / path).write_text(text)
    (broken / "mutasi" / "pensiun.md").write_text("id: pensiun\n")
    (broken / "jahdis" / "rusak.md").write_bytes(b"---\nid: rusak\n\xff\xfe\n---\n")
    assert cli.main(["content", "validate", str(broken)]) == 1
    err = capsys.readouterr().err
    assert f"{broken}/jahdis/rusak.md:1: berkas bukan UTF-8" in err
    assert "Konten ditolak" in err
    (broken / "jahdis" / "rusak.md").unlink()
    assert cli.main(["content", "validate", str(broken)]) == 1
    assert f"{broken}/mutasi/pensiun.md:1: berkas harus diawali front matter" in capsys.readouterr().err
    assert cli.main(["content", "validate", str(tmp_path / "tidak-ada")]) == 2


def test_a_topic_osdm_confirmed_no_longer_says_it_awaits_confirmation() -> None:
    files = shipped()
    path = "pengkinpeg/skp.md"
    files[path] = files[path].replace("status: draft, perlu konfirmasi OSDM", "status: terkonfirmasi")
    bundle = content_files.build(files)
    confirmed = bundle.topic("skp")
    assert confirmed is not None
    assert not confirmed.draft
    assert content.DRAFT_NOTE not in content.answer_html(confirmed, bundle.area("pengkinpeg"))
    assert content.describe(bundle)["drafts"] == len(bundle.topics) - 1


def test_the_draft_notice_is_due_unless_the_chat_saw_a_draft_topic_recently() -> None:
    bundle = content_files.build(shipped())
    files = shipped()
    path = "pengkinpeg/skp.md"
    files[path] = files[path].replace("status: draft, perlu konfirmasi OSDM", "status: terkonfirmasi")
    partly_confirmed = content_files.build(files)
    assert content.draft_notice_due(bundle, []) is True
    assert content.draft_notice_due(bundle, ["cuti-tahunan"]) is False
    assert content.draft_notice_due(partly_confirmed, ["skp"]) is True  # a confirmed topic carried no notice
    assert content.draft_notice_due(bundle, ["topik-yang-sudah-dihapus"]) is True
    topic = bundle.topic("cuti-bersama")
    assert topic is not None
    assert content.DRAFT_NOTE in content.answer_html(topic, bundle.area("jahdis"))
    assert content.DRAFT_NOTE not in content.answer_html(topic, bundle.area("jahdis"), notice=False)


def test_cuti_bersama_is_stated_the_right_way_in_every_place_that_states_it() -> None:
    """PP 11/2017 Pasal 333: cuti bersama does not reduce a PNS's annual leave; days worked are added."""
    bundle = content_files.build(shipped())
    for topic_id in ("cuti-bersama", "cuti-tahunan"):
        topic = bundle.topic(topic_id)
        assert topic is not None
        assert "tidak mengurangi" in topic.text
        assert "tambahan" in topic.text
    # /cuti states it once, in its own cuti bersama line
    rules = " ".join(rule for _, _, rule in personal_data.LEAVE_KINDS) + " " + personal_data.JOINT_LEAVE_RULE
    assert "tidak mengurangi hak cuti tahunan" in personal_data.JOINT_LEAVE_RULE
    assert "ditambah" in personal_data.JOINT_LEAVE_RULE
    every_text = " ".join(t.text for t in bundle.topics) + rules
    assert "bersama mengurangi" not in every_text
    assert "struktural" not in every_text  # jabatan pimpinan tinggi, administrator, pengawas
