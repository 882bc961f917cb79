"""The rules (pure) of ``/riwayat N`` (a ticket's whole exchange in the staff group, notes included) and
``/cari_tiket KATA`` (the group's tickets of the last 90 days by number, NIP or the question's words): what a
search asks, how an exchange is cut into pages, and what the employee was sent."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from sinawai.common.text_limits import MAX_MESSAGE_UTF16, utf16_len, visible_text
from sinawai.consultation import texts as t

SEARCH_WINDOW = timedelta(days=90)
SEARCH_LIMIT = 50  # tickets found at most (the latest first)
RESULTS_PER_PAGE = 8
SEARCH_MAX_BYTES = 40  # the words travel in the page buttons' callback data (64 bytes in all)
WORD_MIN = 2  # a shorter word matches nearly every question
NIP_SUFFIX_MIN = 3  # "the last digits of the NIP": at least this many
NIP_DIGITS = 18
# Room for a page of /riwayat: Telegram's limit, less the head line and a margin.
PAGE_UTF16 = MAX_MESSAGE_UTF16 - 400
ENTRY_UTF16 = 1500  # one long message is cut to this on its page
MAX_PAGE = 999

_WORD = re.compile(r"\w+")
_NOTE_COMMAND = re.compile(r"/catatan(?:@\w+)?(?:\s+|\Z)", re.IGNORECASE)


@dataclass(frozen=True)
class Search:
    """What ``/cari_tiket`` looks for: digits (a ticket number, a NIP or its last digits) or words."""

    digits: str | None
    words: tuple[str, ...]

    @property
    def key(self) -> str:
        """The search as its page buttons carry it (fits ``SEARCH_MAX_BYTES``)."""
        return self.digits if self.digits is not None else " ".join(self.words)


class SearchError(ValueError):
    """A search that cannot run; ``text`` says why (Indonesian HTML)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def parse_search(raw: str) -> Search:
    """``/cari_tiket``'s words: "#12" or "12" (digits: a ticket number or a NIP, full or its last digits), or
    the question's words (letters and digits; punctuation is ignored). Raises SearchError."""
    text = raw.strip()
    if not text:
        raise SearchError(t.SEARCH_USAGE)
    digits = text.lstrip("#")
    if re.fullmatch(r"[0-9]+", digits):
        if len(digits) > NIP_DIGITS:
            raise SearchError(t.SEARCH_TOO_LONG)
        return Search(digits, ())
    words = tuple(dict.fromkeys(w.lower() for w in _WORD.findall(text) if len(w) >= WORD_MIN))
    if not words:
        raise SearchError(t.SEARCH_TOO_SHORT)
    search = Search(None, words)
    if len(search.key.encode()) > SEARCH_MAX_BYTES:
        raise SearchError(t.SEARCH_TOO_LONG)
    return search


def like_pattern(word: str, *, suffix: bool = False) -> str:
    """A LIKE pattern matching ``word`` anywhere (or, with ``suffix``, at the end); wildcards escaped."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}" if suffix else f"%{escaped}%"


def pack_pages(entries: list[str], limit: int = PAGE_UTF16) -> list[list[str]]:
    """Entries (HTML) packed in order into pages whose visible text stays within ``limit`` UTF-16 units
    (with the blank line between two entries); at least one page (maybe empty)."""
    pages: list[list[str]] = [[]]
    used = 0
    for entry in entries:
        size = utf16_len(visible_text(entry)) + 2
        if pages[-1] and used + size > limit:
            pages.append([])
            used = 0
        pages[-1].append(entry)
        used += size
    return pages


def page_count(found: int) -> int:
    return max(1, -(-found // RESULTS_PER_PAGE))


def note_text(raw: str | None) -> str | None:
    """The note in a staff message kept as one: its text without the leading "!" or "/catatan"."""
    if raw is None:
        return None
    if raw.startswith("!"):
        return raw[1:].strip()
    command = _NOTE_COMMAND.match(raw)
    return raw[command.end() :].strip() if command else raw.strip()


def sent_answer_body(sent: str, ticket_id: int) -> str:
    """What the employee read of a staff answer sent as one message (its plain text, as logged): the
    answer without its header line and without the instruction said with the first answer."""
    body = sent.strip()
    header = visible_text(t.answer_header(ticket_id))
    if body.startswith(header):
        body = body[len(header) :]
    instruction = visible_text(t.ANSWER_INSTRUCTION)
    if body.rstrip().endswith(instruction):
        body = body.rstrip()[: -len(instruction)]
    return body.strip()
