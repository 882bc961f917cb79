"""FAQ matching: which published topics answer a free-text question (keywords and fuzzy matching).

A topic scores by its best keyword found in the question (``partial_ratio``: a keyword inside a longer
question, typos forgiven) and by how much of its title the question shares (``token_set_ratio``). Only
topics at or above ``threshold`` are offered, best first. rapidfuzz is imported here only: it ships in the
ConsultationFunction's own package, not in the shared layer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from sinawai.information.content import Bundle, Topic

DEFAULT_THRESHOLD = 85.0
MAX_OFFERED = 3
# Words that say nothing about the topic: they would make every question look like every title.
_STOPWORDS = (
    "apa apakah bagaimana berapa bisa saya kami aku anda bapak ibu pak bu mohon tolong dan atau yang untuk "
    "dengan di ke dari ini itu ada tidak sudah belum akan jika kalau bila cara mengajukan ingin mau tanya "
    "selamat pagi siang sore malam terima kasih info informasi mengenai tentang soal boleh dapat harus"
)
STOPWORDS = frozenset(_STOPWORDS.split())
MIN_QUESTION_WORDS = 2
SINGLE_WORD_WEIGHT = 0.9
TITLE_WEIGHT = 0.85


@dataclass(frozen=True)
class Match:
    topic: Topic
    score: float


def normalise(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return " ".join(w for w in words if w not in STOPWORDS)


def score(question: str, topic: Topic) -> float:
    q = normalise(question)
    if not q:
        return 0.0
    words = q.split()
    best = 0.0
    for keyword in topic.keywords:
        k = normalise(keyword)
        if len(k) < 2:
            continue
        if " " not in k:
            # One word: compared with each word of the question (a typo is forgiven, a substring is not).
            # Worth less than a phrase: "cuti" alone says less than "cuti melahirkan".
            found = max(fuzz.ratio(k, w) for w in words) if len(k) > 3 else (100.0 if k in words else 0.0)
            ratio = found * SINGLE_WORD_WEIGHT
        elif len(k) <= len(q):
            # A phrase inside a longer question; a phrase that matches is worth more than a single word.
            ratio = fuzz.partial_ratio(k, q)
            ratio = min(100.0, ratio + 5.0) if ratio >= 95 else ratio
        else:
            ratio = fuzz.partial_ratio(q, k) * 0.9
        best = max(best, ratio)
    title = normalise(topic.title)
    if title:
        best = max(best, fuzz.token_set_ratio(title, q) * TITLE_WEIGHT)
    return round(best, 2)


def best_matches(
    question: str, bundle: Bundle, *, threshold: float = DEFAULT_THRESHOLD, limit: int = MAX_OFFERED
) -> list[Match]:
    """The topics worth offering for ``question``, best first (empty: none matches well enough)."""
    if len(normalise(question).split()) < 1 or len(question.split()) < MIN_QUESTION_WORDS:
        return []
    scored = [Match(t, score(question, t)) for t in bundle.topics]
    good = sorted((m for m in scored if m.score >= threshold), key=lambda m: (-m.score, m.topic.order))
    return good[:limit]
