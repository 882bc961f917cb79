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

``offered`` also says whether the first topic may be shown as *the* answer, or the topics are only a
choice (buttons, no answer shown): a wrong answer shown first misleads more than a choice costs. The first
is the answer when it rests on more than one keyword common to many topics (``ANSWER_MIN_SCORE``), and
either beats the runner-up by more than the evidence bonus could add (``ANSWER_MARGIN``) or the runner-up
explains no distinctive word of the question that the first leaves unexplained: a question about two
things (``hukuman disiplin sedang … potong tukin``, ``pindah ke jabatan fungsional``) gets a choice.

``search`` is the same matcher for ``/cari``: one word is enough, and the topic's text counts too.

rapidfuzz is imported here only: it ships in the packages of the functions that match (consultation and
information), not in the shared layer.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from rapidfuzz import fuzz

from sinawai.information.content import Bundle, Topic

DEFAULT_THRESHOLD = 85.0
# /cari: every word of the query found in a topic (keywords, title or text), typos forgiven
SEARCH_THRESHOLD = 68.0
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
_ALIASES = """
    bagaimana: gmn gmna gimana bgmn piye kumaha gmana
    berapa: brp brapa
    kapan: kpn kapn
    saya: sy sya gw gue aq ak
    bisa: bs bsa
    dapat: dpt dapet
    tidak: ga gak nggak ngga enggak tdk gk tak
    sudah: udh udah sdh
    belum: blm blum
    yang: yg
    karena: krn karna
    untuk: utk untk
    dengan: dgn dg
    kalau: klo kalo kl
    dimana: dmn
    kenapa: knp napa
    tapi: tp
    juga: jg
    sama: sm
    pakai: pake
    dari: dr
    terus: trs
    tanggal: tgl
    bulan: bln
    tahun: thn taun tahunn
    setahun: setaun
    hari: hr
    minggu: mgg
    orang: org
    orangtua: ortu
    saudara: sodara
    istri: bini
    suami: laki misua
    tunkin: tukin tpp
    lahir: lahiran lairan brojol
    caesar: sesar sc cesar caesarean
    umrah: umroh umro
    haji: hajji
    potong: motong dipotongin
    kurang: ngurangin ngurangi mengurangi dikurangi pengurangan
    aju: ngajuin ngajukan ngajukeun diajukan mengajukan pengajuan
    damping: dampingi nemenin
    banjir: kebanjiran
    bakar: kebakaran terbakar
    rusak: rusakin
    rawat: opname dirawat diopname
    gugur: kuret keguguran
    pensiun: pensiunan purnabakti
    pppk: p3k
    kinerja: ekinerja
    pelatihan: diklat bangkom kursus
    magister: s2
    doktor: s3
    kawin: nikah menikah pernikahan perkawinan
    wafat: meninggal duka
"""
ALIASES: dict[str, str] = {
    spelling: word.strip()
    for word, _, spellings in (line.partition(":") for line in _ALIASES.strip().splitlines())
    for spelling in spellings.split()
}
# Words that say what the employee wants to do with a topic, not which topic: however few keywords hold
# them ("ambil cuti", "mengajukan cuti"), they are as specific as a word found in every topic.
ASKING_WORDS = frozenset({"ambil", "aju", "urus", "minta"})
# A question that asks the staff to look at the employee's own case: a topic cannot answer it.
PERSONAL_CASE = re.compile(
    r"\b(mohon|tolong|minta|harap)\s+(di)?cek\w*|\bdicek(kan|in)?\b|\bbelum\s+(keluar|terbit|cair|masuk|"
    r"diproses|turun)\b|\bsalah\s+(input|data|nama|tulis)\b"
)
# longest first: "meng" before "me"
_PREFIXES = (
    "meng",
    "meny",
    "peng",
    "peny",
    "mem",
    "men",
    "pem",
    "pen",
    "per",
    "ber",
    "ter",
    "me",
    "pe",
    "be",
    "di",
    "ke",
    "se",
)
_SUFFIXES = ("nya", "lah", "kah", "kan", "an", "i")
MIN_STEM = 4
FUZZY_MIN_LENGTH = 5
FUZZY_RATIO = 85.0
# A keyword of common words is worth GENERIC_WEIGHT of a perfect match; one unique to its topic, the whole.
GENERIC_WEIGHT = 0.85
PHRASE_BONUS = 5.0
EVIDENCE_BONUS = 3.0
MAX_EVIDENCE_BONUS = 9.0
# The first topic is shown as the answer only when it is clearly the one (see ``offered``).
ANSWER_MIN_SCORE = 90.0  # a lone keyword found in three or more topics ("cuti": 86.5) is not enough
ANSWER_MARGIN = MAX_EVIDENCE_BONUS + 1  # ahead on its best keyword, not only by collecting more words
DISTINCT_SPECIFICITY = 0.5  # a word in the keywords of at most two topics says which topic is meant
TITLE_WEIGHT = 0.85
TEXT_WEIGHT = 0.8  # /cari: a topic with every word of the query
SEARCH_FAQ_WEIGHT = 0.2  # /cari: then ordered by how well the FAQ would match it


@dataclass(frozen=True)
class Match:
    topic: Topic
    score: float
    # the question's words this topic's keywords and title explain (stems), each with how specific it is
    explains: tuple[tuple[str, float], ...] = ()


def stem(word: str) -> str:
    """The word without one common suffix and one prefix (``kebanjiran`` → banjir); short words stay."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            word = word[: -len(suffix)]
            break
    for prefix in _PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= MIN_STEM:
            return word[len(prefix) :]
    return word


class Word(NamedTuple):
    spelled: str  # in its standard spelling
    stem: str


def terms(text: str) -> list[Word]:
    """The words of ``text`` that can say something, each in its standard spelling and stemmed."""
    found = (ALIASES.get(w, w) for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOPWORDS)
    return [Word(w, stem(w)) for w in found if w not in STOPWORDS and len(w) > 1]  # a letter says nothing


def words(text: str) -> list[str]:
    """The stems of ``terms``: what a question says, as the matcher reads it."""
    return [w.stem for w in terms(text)]


def normalise(text: str) -> str:
    return " ".join(words(text))


def _word_quality(keyword_word: Word, question_words: Iterable[Word]) -> tuple[float, Word | None]:
    """How well the best question word matches one keyword word (1.0 = the same word), and which.

    A typo is compared as typed as well as stemmed: a stemmer cuts a misspelt word in the wrong place."""
    best, which = 0.0, None
    for w in question_words:
        if w.stem == keyword_word.stem or w.spelled == keyword_word.spelled:
            return 1.0, w
        if min(len(w.spelled), len(keyword_word.spelled)) >= FUZZY_MIN_LENGTH:
            ratio = max(fuzz.ratio(keyword_word.spelled, w.spelled), fuzz.ratio(keyword_word.stem, w.stem))
            if ratio >= FUZZY_RATIO and ratio / 100 > best:
                best, which = ratio / 100, w
    return best, which


@dataclass(frozen=True)
class _Index:
    """The bundle's keywords read like questions, and how many topics each word appears in."""

    phrases: dict[str, tuple[tuple[Word, ...], ...]]
    titles: dict[str, tuple[Word, ...]]
    texts: dict[str, frozenset[Word]]
    topics_with: Counter[str]  # stem -> how many topics have it in their keywords or title

    def specificity(self, word: Word) -> float:
        if word.stem in ASKING_WORDS:
            return 0.0
        return 1.0 / max(1, self.topics_with[word.stem])


def _index(bundle: Bundle) -> _Index:
    phrases: dict[str, tuple[tuple[Word, ...], ...]] = {}
    titles: dict[str, tuple[Word, ...]] = {}
    texts: dict[str, frozenset[Word]] = {}
    topics_with: Counter[str] = Counter()
    for topic in bundle.topics:
        own = tuple(p for p in (tuple(terms(k)) for k in topic.keywords) if p)
        phrases[topic.id] = own
        titles[topic.id] = tuple(terms(topic.title))
        texts[topic.id] = frozenset(terms(topic.text))
        topics_with.update({w.stem for phrase in (*own, titles[topic.id]) for w in phrase})
    return _Index(phrases, titles, texts, topics_with)


def _score(question_words: Sequence[Word], topic: Topic, index: _Index) -> float:
    return _evidence(question_words, topic, index)[0]


def _evidence(question_words: Sequence[Word], topic: Topic, index: _Index) -> tuple[float, dict[Word, float]]:
    """The topic's score for the question, and the question words it explains with their specificity."""
    best = 0.0
    explained: dict[Word, float] = {}  # question word -> the most specific keyword word it matched
    for phrase in index.phrases.get(topic.id, ()):
        qualities = [_word_quality(k, question_words) for k in phrase]
        if not all(which for _, which in qualities):
            continue  # a keyword counts only when all its words are in the question
        quality = min(q for q, _ in qualities)
        specificity = max(index.specificity(k) for k in phrase)
        value = 100 * quality * (GENERIC_WEIGHT + (1 - GENERIC_WEIGHT) * specificity)
        if len(phrase) > 1:
            value += PHRASE_BONUS
        best = max(best, value)
        for k, (_, which) in zip(phrase, qualities, strict=True):
            assert which is not None
            explained[which] = max(explained.get(which, 0.0), index.specificity(k))
    title = index.titles.get(topic.id, ())
    if title:
        hits = [(k, _word_quality(k, question_words)) for k in title]
        found = [(k, q) for k, (q, which) in hits if which]
        coverage = sum(q for _, q in found) / len(title)
        best = max(best, 100 * coverage * TITLE_WEIGHT)
        for k, (_, which) in hits:
            if which:
                explained[which] = max(explained.get(which, 0.0), index.specificity(k))
    if not best:
        return 0.0, {}
    # each further question word this topic explains is a little more evidence (the specific ones more)
    bonus = sum(EVIDENCE_BONUS * (0.5 + 0.5 * s) for s in explained.values()) - EVIDENCE_BONUS
    return round(best + min(MAX_EVIDENCE_BONUS, max(0.0, bonus)), 2), explained


def rank(question: str, bundle: Bundle) -> list[Match]:
    """Every topic with its score for ``question``, best first (ties in menu order)."""
    question_words = terms(question)
    if not question_words:
        return []
    index = _index(bundle)
    scored = []
    for topic in bundle.topics:
        score, explained = _evidence(question_words, topic, index)
        explains = tuple(sorted({w.stem: s for w, s in explained.items()}.items()))
        scored.append(Match(topic, score, explains))
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


@dataclass(frozen=True)
class Offered:
    """What the FAQ offers for a question: the matching topics, best first (none: the question goes to the
    staff), and whether the first is shown as the answer (``answered``) or all are a choice."""

    matches: tuple[Match, ...]
    answered: bool


def is_clear_answer(matches: Sequence[Match]) -> bool:
    """Whether the first of ``matches`` (best first, all offered) may be shown as the answer."""
    if not matches or matches[0].score < ANSWER_MIN_SCORE:
        return False
    if len(matches) == 1 or matches[0].score - matches[1].score >= ANSWER_MARGIN:
        return True
    first = {stem for stem, _ in matches[0].explains}
    return not any(
        stem not in first and specificity >= DISTINCT_SPECIFICITY for stem, specificity in matches[1].explains
    )


def offered(
    question: str, bundle: Bundle, *, threshold: float = DEFAULT_THRESHOLD, limit: int = MAX_OFFERED
) -> Offered:
    """The topics to offer for ``question`` and whether the first is the answer (see the module doc)."""
    matches = tuple(best_matches(question, bundle, threshold=threshold, limit=limit))
    return Offered(matches, is_clear_answer(matches))


def _coverage(query_words: Sequence[Word], topic: Topic, index: _Index) -> float:
    """How well every word of the query is found in the topic (its keywords, title or text): the worst."""
    words_of = index.texts.get(topic.id, frozenset()) | set(index.titles.get(topic.id, ()))
    words_of |= {w for phrase in index.phrases.get(topic.id, ()) for w in phrase}
    return min((_word_quality(w, words_of)[0] for w in query_words), default=0.0)


def search(
    query: str, bundle: Bundle, *, threshold: float = SEARCH_THRESHOLD, limit: int = MAX_SEARCH_RESULTS
) -> list[Match]:
    """``/cari``: the topics with every word of ``query`` (typos forgiven), best FAQ matches first."""
    query_words = terms(query)
    if not query_words:
        return []
    index = _index(bundle)
    scored = []
    for topic in bundle.topics:
        coverage = _coverage(query_words, topic, index)
        if coverage:
            value = 100 * coverage * TEXT_WEIGHT + SEARCH_FAQ_WEIGHT * _score(query_words, topic, index)
            scored.append(Match(topic, round(value, 2)))
    return [m for m in sorted(scored, key=lambda m: -m.score) if m.score >= threshold][:limit]
