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


# ---- how employees write: informal spellings, affixes, typos, specific words ---------------------------


@pytest.mark.parametrize(
    ("question", "best"),
    [
        ("tukin bulan ini dipotong knp ya", "tunjangan-kinerja"),  # "tukin": the common spelling of tunkin
        ("istri mau lahiran, suami dapet cuti?", "cuti-istri-melahirkan"),  # informal "lahiran", "dapet"
        ("rumah kebanjiran apa bisa cuti", "cuti-musibah"),  # "kebanjiran" → banjir
        ("cuti krn keguguran brp lama", "cuti-keguguran"),  # a specific word beats the generic "cuti"
        ("cuti bersama motong cuti tahunan?", "cuti-bersama"),
        ("batas usia pensuin brp tahun", "pensiun"),  # a typo is forgiven
    ],
)
def test_informal_questions_find_their_topic_first(question: str, best: str) -> None:
    matches = faq.best_matches(question, BUNDLE)
    assert matches, question
    assert matches[0].topic.id == best


def test_a_word_found_in_one_topic_outweighs_a_word_found_in_many() -> None:
    generic = next(m for m in faq.rank("cuti keguguran", BUNDLE) if m.topic.id == "cuti-tahunan")
    specific = next(m for m in faq.rank("cuti keguguran", BUNDLE) if m.topic.id == "cuti-keguguran")
    assert specific.score > generic.score


@pytest.mark.parametrize(
    "question",
    [
        "SK kenaikan pangkat saya belum keluar, mohon dicek",
        "tolong cek cuti tahunan saya",
        "tunkin saya belum cair bulan ini",
        "data saya salah input di kepegawaian",
    ],
)
def test_a_personal_case_is_offered_no_topic(question: str) -> None:
    """A topic cannot check a personal case: the question goes to the staff at once."""
    assert faq.best_matches(question, BUNDLE) == []


def test_the_light_stemmer_strips_common_affixes_and_keeps_short_words() -> None:
    assert faq.stem("kebanjiran") == "banjir"
    assert faq.stem("dipotong") == "potong"
    assert faq.stem("melahirkan") == "lahir"
    assert faq.stem("cuti") == "cuti"
    assert faq.words("gmn cara ngajuin cuti taun ini") == ["aju", "cuti", "tahun"]


# ---- /cari: the same matcher, one word is enough --------------------------------------------------------


def test_search_finds_topics_from_one_word_with_a_typo() -> None:
    assert faq.best_matches("pensiun", BUNDLE) == []  # one word is too little for an FAQ answer
    found = [m.topic.id for m in faq.search("pensuin", BUNDLE)]
    assert found[0] == "pensiun"
    assert {"masa-persiapan-pensiun", "taspen"} <= set(found)


def test_search_reads_the_answers_text_when_no_keyword_matches() -> None:
    found = [m.topic.id for m in faq.search("kloter", BUNDLE)]  # in the cuti besar answer only
    assert found == ["cuti-besar"]


def test_search_lists_at_most_a_screenful_best_first() -> None:
    found = faq.search("cuti", BUNDLE)
    assert 3 <= len(found) <= faq.MAX_SEARCH_RESULTS
    assert found[0].topic.id == "cuti-tahunan"
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)


@pytest.mark.parametrize("query", ["apa", "zzzzqqq", "printer rusak", "!!!"])
def test_search_finds_nothing_for_words_no_topic_has(query: str) -> None:
    assert faq.search(query, BUNDLE) == []


# ---- the answer or a choice: a wrong answer shown first misleads more than a choice costs ------------------


@pytest.mark.parametrize(
    ("question", "topics"),
    [
        # two things asked at once: each topic explains a distinctive word the other leaves out
        ("mutasi ke jabatan fungsional syaratnya apa", {"pindah-dan-rotasi", "perubahan-jabatan"}),
        ("tunkin dipotong kalau kena hukuman disiplin sedang?", {"tunjangan-kinerja", "hukuman-disiplin"}),
        # only a word common to many topics matched: no topic is "the" answer
        ("Saya mau tanya soal cuti", {"cuti-tahunan", "cuti-besar", "cuti-sakit"}),
    ],
)
def test_a_question_no_topic_clearly_answers_gets_a_choice_and_no_answer(
    question: str, topics: set[str]
) -> None:
    found = faq.offered(question, BUNDLE)
    assert not found.answered
    assert {m.topic.id for m in found.matches} == topics


@pytest.mark.parametrize(
    ("question", "best"),
    [
        ("Berapa lama cuti melahirkan untuk anak ketiga?", "cuti-melahirkan"),  # far ahead of the rest
        # "mengajukan"/"mengambil" say what the employee wants to do, not which leave: cuti besar is the topic
        ("Bagaimana cara mengajukan cuti besar?", "cuti-besar"),
        ("Apakah saya bisa mengambil cuti besar untuk ibadah haji tahun depan?", "cuti-besar"),
        ("rumah saya kebakaran, bisa ambil cuti?", "cuti-musibah"),
    ],
)
def test_a_question_one_topic_clearly_answers_is_answered(question: str, best: str) -> None:
    found = faq.offered(question, BUNDLE)
    assert found.answered
    assert found.matches[0].topic.id == best


def _match(topic_id: str, score: float, explains: dict[str, float]) -> faq.Match:
    topic = BUNDLE.topic(topic_id)
    assert topic is not None
    return faq.Match(topic, score, tuple(explains.items()))


def test_the_first_topic_is_the_answer_when_far_enough_ahead_or_the_runner_up_adds_nothing_distinctive() -> (
    None
):
    first = {"cuti": 0.1, "lahir": 0.5}
    assert faq.is_clear_answer([_match("cuti-melahirkan", 100.0, first)])  # alone
    # close behind, and the runner-up explains a word (in one topic's keywords) the first leaves out
    close = [_match("cuti-melahirkan", 100.0, first), _match("cuti-sakit", 95.0, {"rawat": 1.0})]
    assert not faq.is_clear_answer(close)
    # the same runner-up a margin behind: the first is the answer
    far = [close[0], _match("cuti-sakit", 100.0 - faq.ANSWER_MARGIN, {"rawat": 1.0})]
    assert faq.is_clear_answer(far)
    # close behind, but it only explains words the first explains too, or common ones
    common = [close[0], _match("cuti-tahunan", 99.0, {"cuti": 0.1, "tahun": 0.25})]
    assert faq.is_clear_answer(common)
    # a first topic matched by a lone keyword common to many topics is never the answer
    assert not faq.is_clear_answer([_match("cuti-tahunan", faq.ANSWER_MIN_SCORE - 1, {"cuti": 0.1})])
    assert not faq.is_clear_answer([])


def test_words_of_asking_are_not_specific_to_a_topic() -> None:
    """ "ambil cuti" is a keyword of one topic, but "ambil" says nothing about which leave is meant."""
    ranked = faq.rank("ambil cuti besar", BUNDLE)
    explains = dict(next(m for m in ranked if m.topic.id == "cuti-tahunan").explains)
    assert explains.get("ambil") == 0.0
    assert ranked[0].topic.id == "cuti-besar"
