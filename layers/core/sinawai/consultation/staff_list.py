"""A morning burst into the staff group (pure; no I/O): the compact list message that carries many new
tickets at once while the group's backlog is long (``CONSULTATION_BURST_THRESHOLD``).

Telegram takes about 20 posts a minute into one group; a ticket normally costs two (its header and the copy
of the question). In a burst, every new ticket waiting for the group is shown as one line of a list message
(number, area, the first line of the question) with one "Ambil #N" button; whoever takes it gets the full
ticket posted as a reply to the list. A line is struck through once its ticket is taken or closed.

The list always fits Telegram's limits: at most ``MAX_TICKETS`` lines, each line's longest form (taken,
with a long staff name) counted, the text measured in UTF-16 units after HTML parsing, callback data within
64 bytes.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sinawai.common.text_limits import (
    MAX_MESSAGE_UTF16,
    callback_data_fits,
    cut_utf16,
    utf16_len,
    visible_text,
)
from sinawai.consultation import areas, tickets
from sinawai.consultation import texts as t
from sinawai.consultation.tickets import Status
from sinawai.router.commands import CONSULTATION

MAX_TICKETS = 25  # lines per list message: a burst of 200 is 8 posts instead of 400
PREVIEW_UNITS = 80  # the first line of a question, cut to this many UTF-16 units
TAKEN_PREVIEW_UNITS = 40  # a struck line keeps less of the question: room for who took it
NAME_UNITS = 40  # the name of who took it, cut to this
BUTTONS_PER_ROW = 3
DEFAULT_BURST_THRESHOLD = 10  # posts that must wait for the group's window: half a minute of its pace


@dataclass(frozen=True)
class Burst:
    """When a new ticket goes as a list line: while more than ``threshold`` posts wait for the staff group
    (its undelivered outbox items); ``threshold`` 0: never.

    Once a list went out, the burst mode holds while any post waits and the list is younger than the
    group's window: a list drains the backlog at once, and without this the tickets still arriving would
    flip back to a header and a copy each, taking the slots the next list needs."""

    threshold: int
    window: timedelta  # the group's window (the pacing's)

    def lists(self, pending: int, listed_recently: bool = False) -> bool:
        """``pending``: posts waiting for the group; ``listed_recently``: a list went out in the window."""
        if self.threshold <= 0:
            return False
        return pending > self.threshold or (listed_recently and pending > 0)


@dataclass(frozen=True)
class ListEntry:
    ticket_id: int
    area: str
    status: Status
    taken_by: str | None  # the staff member who handles it now
    guest: bool
    text: str | None  # the question's text or caption as the employee wrote it
    media: str | None  # what it carried besides text (photo, document, ...)


def first_line(text: str | None, media: str | None) -> str:
    """The question's first line that has words; for one without words, what it carried."""
    for line in (text or "").splitlines():
        if line.strip():
            return " ".join(line.split())
    return t.BURST_MEDIA.get(media or "", t.BURST_NOTHING)


def _open(entry: ListEntry) -> bool:
    return tickets.takeable(entry.status)


def _head(entry: ListEntry) -> str:
    guest = f" · {t.BURST_GUEST}" if entry.guest else ""
    return f"#{entry.ticket_id} · {html.escape(areas.label(entry.area))}{guest}"


def _preview(entry: ListEntry, units: int) -> str:
    return html.escape(cut_utf16(first_line(entry.text, entry.media), units), quote=False)


def _mark(entry: ListEntry, who: str | None) -> str:
    if entry.status is Status.SELESAI and who is None:
        return t.BURST_CLOSED
    return t.BURST_TAKEN_BY.format(who=html.escape(cut_utf16(who or "-", NAME_UNITS), quote=False))


def line(entry: ListEntry) -> str:
    """The entry's line (HTML): open, or struck through with who took it (or that it was closed)."""
    if _open(entry):
        return f"<b>{_head(entry)}</b> · {_preview(entry, PREVIEW_UNITS)}"
    return (
        f"✅ <s>{_head(entry)} · {_preview(entry, TAKEN_PREVIEW_UNITS)}</s> · {_mark(entry, entry.taken_by)}"
    )


def _longest_units(entry: ListEntry) -> int:
    """The most UTF-16 units the entry's line can ever take (open, or taken by a long name)."""
    taken = f"✅ <s>{_head(entry)} · {_preview(entry, TAKEN_PREVIEW_UNITS)}</s> · " + t.BURST_TAKEN_BY.format(
        who="W" * NAME_UNITS
    )
    open_line = f"<b>{_head(entry)}</b> · {_preview(entry, PREVIEW_UNITS)}"
    return max(utf16_len(visible_text(taken)), utf16_len(visible_text(open_line))) + 1  # its newline


def _frame() -> str:
    return f"{t.BURST_LIST_TITLE}\n{t.BURST_LIST_HOW}\n"


def fitting(entries: Sequence[ListEntry]) -> int:
    """How many of ``entries`` (from the first) one list message takes: at most MAX_TICKETS, and never more
    than fit in 4096 units whatever happens to them later (always at least one)."""
    used = utf16_len(visible_text(_frame()))
    count = 0
    for entry in entries[:MAX_TICKETS]:
        used += _longest_units(entry)
        if used > MAX_MESSAGE_UTF16 and count > 0:
            break
        count += 1
    return count


def render(entries: Sequence[ListEntry]) -> str:
    """The list message's text (HTML) for its entries as they are now."""
    return _frame() + "\n" + "\n".join(line(entry) for entry in entries)


def take_data(ticket_id: int) -> str:
    """The same callback data as the header's Ambil: a take from a list is a take."""
    return f"{CONSULTATION}:ambil:{ticket_id}"


def takeable_ids(entries: Sequence[ListEntry]) -> list[int]:
    """The tickets that keep an "Ambil #N" button: those nobody has taken yet (and whose data fit)."""
    return [e.ticket_id for e in entries if _open(e) and callback_data_fits(take_data(e.ticket_id))]


def digest(text: str, button_ids: Sequence[int]) -> str:
    """What the list shows (text and buttons): an edit is sent only when this changes, so Telegram never
    answers "message is not modified"."""
    shown = json.dumps([text, list(button_ids)], ensure_ascii=False)
    return hashlib.sha256(shown.encode()).hexdigest()
