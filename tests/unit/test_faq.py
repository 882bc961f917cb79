"""FAQ matching on the shipped content: typical questions find their topic, other questions find none."""

from __future__ import annotations

import pytest

from sinawai.consultation import faq
from sinawai.information import content, content_files
from tests.helpers import ROOT

BUNDLE = content_files.build(content_files.load_folder(ROOT / "content"))


@pytest.mark.parametrize(
    ("question", "best"),
    [
        ("Apakah sisa cuti tahunan saya bisa dibawa ke tahun depan?", "cuti-tahunan"),
        ("Berapa lama cuti melahirkan untuk anak ketiga?", "cuti-melahirkan"),
        ("hukuman disiplin apa saja yang ada?", "hukuman-disiplin"),
        ("Kapan periode kenaikan pangkat berikutnya?", "kenaikan-pangkat-reguler"),
        ("Kenapa tunkin saya bulan ini dipotong?", "tunjangan-kinerja"),
        ("Mohon info tunjngan kinerja bulan ini", "tunjangan-kinerja"),  # a typo is forgiven
        ("Berapa batas usia pensiun pejabat administrasi?", "pensiun"),
        ("Saya ingin pindah ke kementerian lain, bagaimana caranya?", "pindah-dan-rotasi"),
        ("Predikat kinerja saya Butuh Perbaikan, apa akibatnya?", "predikat-kinerja"),
        ("SKP saya belum dinilai atasan", "skp"),
    ],
)
def test_a_typical_question_finds_its_topic_first(question: str, best: str) -> None:
    matches = faq.best_matches(question, BUNDLE)
    assert matches
    assert matches[0].topic.id == best
    assert len(matches) <= faq.MAX_OFFERED
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)


@pytest.mark.parametrize(
    "question",
    [
        "Printer di ruang rapat lantai tiga rusak sejak kemarin.",
        "SK saya belum keluar padahal sudah 3 bulan, mohon dicek",
        "Kapan gaji ke-13 cair?",
        "Pertanyaan",
        "Selamat pagi",
    ],
)
def test_a_question_no_topic_answers_finds_none(question: str) -> None:
    assert faq.best_matches(question, BUNDLE) == []


def test_a_general_question_is_offered_several_topics() -> None:
    matches = faq.best_matches("Bagaimana cara mengajukan cuti? Saya perlu bulan depan.", BUNDLE)
    assert len(matches) == faq.MAX_OFFERED
    assert all(m.topic.section == "cuti" for m in matches)


def test_nothing_published_offers_nothing() -> None:
    assert faq.best_matches("Apakah sisa cuti tahunan bisa dibawa?", content.EMPTY) == []
