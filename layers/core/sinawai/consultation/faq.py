"""FAQ matching: which published topics answer a free-text question (pure; keywords and fuzzy matching).

A question is read as employees write it: informal and regional spellings become the standard word
(``gmn`` → bagaimana, ``tukin`` → tunkin, ``lahiran`` → lahir), words lose the common Indonesian affixes
(``kebanjiran`` → banjir, ``dipotong`` → potong), and a typo is forgiven (rapidfuzz ``ratio``). A topic's
keywords and title are read the same way. A keyword counts when every one of its words is in the question;
it is worth more the more specific its words are (a word found in one topic's keywords says more than
``cuti``, which is in a dozen) and when it is a phrase. A topic scores by its best keyword, plus a little for
each further word of the question it explains. Only topics at or above ``threshold`` (0-100) are offered,
best first; a question that asks staff to check a personal case (``mohon dicek``, ``belum keluar``) is
offered none: a topic cannot answer it.

``search`` is the same matcher for ``/cari``: one word is enough, and the topic's text counts too.

rapidfuzz is imported here only: it ships in the packages of the functions that match (consultation and
information), not in the shared layer.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from sinawai.information.content import Bundle, Topic

DEFAULT_THRESHOLD = 85.0
SEARCH_THRESHOLD = 80.0
MAX_OFFERED = 3
MAX_SEARCH_RESULTS = 8
MIN_QUESTION_WORDS = 2
# Words that say nothing about the topic: they would make every question look like every title.
_STOPWORDS = (
    "apa apakah bagaimana berapa bisa saya kami aku anda bapak ibu pak bu mohon tolong dan atau yang untuk "
    "dengan di ke dari ini itu ada tidak sudah belum akan jika kalau bila cara ingin mau tanya "
    "selamat pagi siang sore malam terima kasih info informasi mengenai tentang soal boleh dapat harus "
    "kapan mana dimana gimana kenapa mengapa siapa ya dong deh sih nih kah lah pun aja saja juga lagi "
    "sama seperti buat bagi oleh pada atas dalam agar supaya karena adalah yaitu jadi hari kalo perlu "
    "kah apakah lama setelah sebelum nya mas mbak admin kak min halo hai assalamualaikum"
)
STOPWORDS = frozenset(_STOPWORDS.split())
# Informal, abbreviated and regional spellings employees type, read as the word they stand for. A general
# lexicon of chat Indonesian and HR jargon (not the question table's words).
ALIASES: dict[str, str] = {
    "gmn": "bagaimana", "gmna": "bagaimana", "gimana": "bagaimana", "bgmn": "bagaimana", "piye": "bagaimana",
    "kumaha": "bagaimana", "brp": "berapa", "brapa": "berapa", "kpn": "kapan", "kapn": "kapan",
    "sy": "saya", "sya": "saya", "gw": "saya", "gue": "saya", "aq": "saya", "ak": "saya",
    "bs": "bisa", "bsa": "bisa", "dpt": "dapat", "dapet": "dapat", "ga": "tidak", "gak": "tidak",
    "nggak": "tidak", "ngga": "tidak", "enggak": "tidak", "tdk": "tidak", "gk": "tidak", "tak": "tidak",
    "udh": "sudah", "udah": "sudah", "sdh": "sudah", "blm": "belum", "blum": "belum", "yg": "yang",
    "krn": "karena", "karna": "karena", "utk": "untuk", "untk": "untuk", "dgn": "dengan", "dg": "dengan",
    "klo": "kalau", "kalo": "kalau", "kl": "kalau", "dmn": "dimana", "gmana": "bagaimana",
    "knp": "kenapa", "napa": "kenapa", "tp": "tapi", "jg": "juga", "sm": "sama", "pake": "pakai",
    "dr": "dari", "trs": "terus", "tgl": "tanggal", "bln": "bulan", "thn": "tahun", "taun": "tahun",
    "setaun": "setahun", "tahunn": "tahun", "hr": "hari", "mgg": "minggu", "org": "orang",
    "ortu": "orangtua", "sodara": "saudara", "bini": "istri", "laki": "suami", "misua": "suami",
    "tukin": "tunkin", "tpp": "tunkin", "lahiran": "lahir", "lairan": "lahir",
    "brojol": "lahir", "sesar": "caesar", "sc": "caesar", "cesar": "caesar", "caesarean": "caesar",
    "umroh": "umrah", "umro": "umrah", "hajji": "haji", "motong": "potong", "dipotongin": "potong",
    "ngurangin": "kurang", "ngurangi": "kurang", "mengurangi": "kurang", "dikurangi": "kurang",
    "pengurangan": "kurang", "ngajuin": "aju", "ngajukan": "aju", "ngajukeun": "aju", "diajukan": "aju",
    "mengajukan": "aju", "pengajuan": "aju", "dampingi": "damping", "nemenin": "damping",
    "kebanjiran": "banjir", "kebakaran": "bakar", "terbakar": "bakar", "rusakin": "rusak",
    "opname": "rawat", "dirawat": "rawat", "diopname": "rawat", "kuret": "gugur", "keguguran": "gugur",
    "pensiunan": "pensiun", "purnabakti": "pensiun", "p3k": "pppk",
    "ekinerja": "kinerja", "skp2": "skp", "diklat": "pelatihan", "bangkom": "pelatihan", "kursus": "pelatihan",
    "s2": "magister", "s3": "doktor", "nikah": "kawin", "menikah": "kawin",
    "pernikahan": "kawin", "perkawinan": "kawin", "meninggal": "wafat", "duka": "wafat",
}
# A question that asks the staff to look at the employee's own case: a topic cannot answer it.
PERSONAL_CASE = re.compile(
    r"\b(mohon|tolong|minta|harap)\s+(di)?cek\w*|\bdicek(kan|in)?\b|\bbelum\s+(keluar|terbit|cair|masuk|"
    r"diproses|turun)\b|\bsalah\s+(input|data|nama|tulis)\b"
)
_PREFIXES = ("meng", "meny", "peng", "peny", "mem", "men", "pem", "pen", "per", "ber", "ter", "me", "pe",
             "be", "di", "ke", "se")
_SUFFIXES = ("nya", "lah", "kah", "kan", "an", "i")
MIN_STEM = 4
FUZZY_MIN_LENGTH = 5
FUZZY_RATIO = 85.0
# A keyword of common words is worth GENERIC_WEIGHT of a perfect match; one unique to its topic, the whole.
GENERIC_WEIGHT = 0.85
PHRASE_BONUS = 5.0
EVIDENCE_BONUS = 3.0
MAX_EVIDENCE_BONUS = 9.0
TITLE_WEIGHT = 0.85
TEXT_WEIGHT = 0.8  # /cari only: a word found in the answer's text, not in its keywords


@dataclass(frozen=True)
class Match:
    topic: Topic
    score: float


def stem(word: str) -> str:
    """The word without one common suffix and one common prefix (``kebanjiran`` → banjir); short words stay."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            word = word[: -len(suffix)]
            break
    for prefix in _PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= MIN_STEM:
            return word[len(prefix) :]
    return word


def words(text: str) -> list[str]:
    """The question's words that can say something, each in its standard spelling and stemmed."""
    found = (ALIASES.get(w, w) for w in re.findall(r"[a-z0-9]+", text.lower()))
    return [stem(w) for w in found if w not in STOPWORDS and ALIASES.get(w, w) not in STOPWORDS]


def normalise(text: str) -> str:
    return " ".join(words(text))


def _word_quality(keyword_word: str, question_words: Sequence[str]) -> tuple[float, str | None]:
    """How well the best question word matches one keyword word (1.0 = the same word), and which."""
    best, which = 0.0, None
    for w in question_words:
        if w == keyword_word:
            return 1.0, w
        if min(len(w), len(keyword_word)) >= FUZZY_MIN_LENGTH:
            ratio = fuzz.ratio(keyword_word, w)
            if ratio >= FUZZY_RATIO and ratio / 100 > best:
                best, which = ratio / 100, w
    return best, which


@dataclass(frozen=True)
class _Index:
    """The bundle's keywords read like questions, and how many topics each word appears in."""

    phrases: dict[str, tuple[tuple[str, ...], ...]]
    titles: dict[str, tuple[str, ...]]
    texts: dict[str, frozenset[str]]
    topics_with: Counter[str]


def _index(bundle: Bundle) -> _Index:
    phrases: dict[str, tuple[tuple[str, ...], ...]] = {}
    titles: dict[str, tuple[str, ...]] = {}
    texts: dict[str, frozenset[str]] = {}
    topics_with: Counter[str] = Counter()
    for topic in bundle.topics:
        own = tuple(p for p in (tuple(words(k)) for k in topic.keywords) if p)
        phrases[topic.id] = own
        titles[topic.id] = tuple(words(topic.title))
        texts[topic.id] = frozenset(words(topic.text))
        topics_with.update({w for phrase in (*own, titles[topic.id]) for w in phrase})
    return _Index(phrases, titles, texts, topics_with)


def _specificity(phrase: Iterable[str], index: _Index) -> float:
    """1.0 when a word of the phrase is in this topic only; near 0 when all its words are everywhere."""
    return max((1.0 / max(1, index.topics_with[w]) for w in phrase), default=0.0)


def _score(question_words: Sequence[str], topic: Topic, index: _Index, *, with_text: bool = False) -> float:
    best = 0.0
    explained: dict[str, float] = {}  # question word -> the most specific keyword word it matched
    for phrase in index.phrases.get(topic.id, ()):
        qualities = [_word_quality(k, question_words) for k in phrase]
        if not all(which for _, which in qualities):
            continue  # a keyword counts only when all its words are in the question
        quality = min(q for q, _ in qualities)
        specificity = _specificity(phrase, index)
        value = 100 * quality * (GENERIC_WEIGHT + (1 - GENERIC_WEIGHT) * specificity)
        if len(phrase) > 1:
            value += PHRASE_BONUS
        best = max(best, value)
        for k, (_, which) in zip(phrase, qualities, strict=True):
            assert which is not None
            explained[which] = max(explained.get(which, 0.0), 1.0 / max(1, index.topics_with[k]))
    title = index.titles.get(topic.id, ())
    if title:
        hits = [(k, _word_quality(k, question_words)) for k in title]
        found = [(k, q) for k, (q, which) in hits if which]
        coverage = sum(q for _, q in found) / len(title)
        best = max(best, 100 * coverage * TITLE_WEIGHT)
        for k, (_, which) in hits:
            if which:
                explained[which] = max(explained.get(which, 0.0), 1.0 / max(1, index.topics_with[k]))
    if with_text and not best:
        text = index.texts.get(topic.id, frozenset())
        quality = max((_word_quality(w, list(text))[0] for w in question_words), default=0.0)
        best = 100 * quality * TEXT_WEIGHT
    if not best:
        return 0.0
    # each further question word this topic explains is a little more evidence (the specific ones more)
    bonus = sum(EVIDENCE_BONUS * (0.5 + 0.5 * s) for s in explained.values()) - EVIDENCE_BONUS
    return round(best + min(MAX_EVIDENCE_BONUS, max(0.0, bonus)), 2)


def rank(question: str, bundle: Bundle) -> list[Match]:
    """Every topic with its score for ``question``, best first (ties in menu order)."""
    question_words = words(question)
    if not question_words:
        return []
    index = _index(bundle)
    scored = [Match(t, _score(question_words, t, index)) for t in bundle.topics]
    return sorted(scored, key=lambda m: -m.score)


def best_score(question: str, bundle: Bundle) -> float:
    ranked = rank(question, bundle)
    return ranked[0].score if ranked else 0.0


def best_matches(
    question: str, bundle: Bundle, *, threshold: float = DEFAULT_THRESHOLD, limit: int = MAX_OFFERED
) -> list[Match]:
    """The topics worth offering for ``question``, best first (empty: none matches well enough)."""
    if len(question.split()) < MIN_QUESTION_WORDS or PERSONAL_CASE.search(question.lower()):
        return []
    return [m for m in rank(question, bundle) if m.score >= threshold][:limit]


def search(
    query: str, bundle: Bundle, *, threshold: float = SEARCH_THRESHOLD, limit: int = MAX_SEARCH_RESULTS
) -> list[Match]:
    """``/cari``: the topics about ``query`` (one word is enough; the answers' text counts too), best first."""
    query_words = words(query)
    if not query_words:
        return []
    index = _index(bundle)
    scored = [Match(t, _score(query_words, t, index, with_text=True)) for t in bundle.topics]
    return [m for m in sorted(scored, key=lambda m: -m.score) if m.score >= threshold][:limit]
