"""The published information content: areas, sections and topics as the functions read them (pure).

``content_files`` builds a Bundle from the files OSDM edits in ``content/``; ``content_store`` publishes it
to S3 and reads it back. Here: the bundle itself, the callback data of its menus (one place builds it), and
the message that shows a topic.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from sinawai.common.text_limits import visible_text
from sinawai.common.working_hours import EMPTY_CALENDAR, WorkCalendar
from sinawai.router.commands import INFORMATION

AREAS = ("renbangkompeg", "mutasi", "jahdis", "pengkinpeg")
DRAFT_NOTE = "ℹ️ Informasi ini masih menunggu konfirmasi Biro OSDM."
# The draft notice is said once per conversation: not again to a chat that was shown a draft topic this
# recently (a disclaimer under every answer is read by nobody).
DRAFT_NOTICE_GAP_HOURS = 2


@dataclass(frozen=True)
class Section:
    id: str
    title: str


@dataclass(frozen=True)
class Area:
    id: str
    title: str
    intro_html: str
    order: int
    sections: tuple[Section, ...] = ()


@dataclass(frozen=True)
class Topic:
    id: str
    area: str
    title: str
    html: str  # the answer message body, Telegram HTML
    text: str  # the same, as plain text: what the FAQ matcher reads
    keywords: tuple[str, ...] = ()
    section: str | None = None
    order: int = 100
    status: str = ""
    # A variant (content_files: "varian_dari", "jenis_asn", "catatan") is the same topic as its base for
    # readers of one employee type: a registered PPPK reads it in place of the base; a reader whose type is
    # unknown reads the base with the variant's note (HTML) under it.
    variant_of: str = ""
    jenis_asn: str = ""
    note: str = ""

    @property
    def draft(self) -> bool:
        status = self.status.lower()
        return "draft" in status or "perlu konfirmasi" in status


@dataclass(frozen=True)
class Bundle:
    """Everything the functions read: areas in menu order, topics in menu order, and a version."""

    areas: tuple[Area, ...]
    topics: tuple[Topic, ...]
    version: str = ""
    published_at: str = ""
    # content/_kalender.md: cuti bersama, extra holidays, special hours
    calendar: WorkCalendar = EMPTY_CALENDAR
    variants: tuple[Topic, ...] = ()  # never in a menu or matched on their own: see ``for_reader``
    _by_id: dict[str, Topic] = field(default_factory=dict, compare=False, repr=False)
    # content/_kontak.md's fields (sinawai.common.contact.Contact.to_dict): empty when the file is absent
    contact: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_id.update({t.id: t for t in self.topics})

    def area(self, area_id: str) -> Area | None:
        return next((a for a in self.areas if a.id == area_id), None)

    def topic(self, topic_id: str) -> Topic | None:
        return self._by_id.get(topic_id)

    def topics_of(self, area_id: str, section: str | None = None) -> list[Topic]:
        return [t for t in self.topics if t.area == area_id and (section is None or t.section == section)]

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "version": self.version,
            "published_at": self.published_at,
            "areas": [asdict(a) for a in self.areas],
            "topics": [asdict(t) for t in self.topics],
            "calendar": self.calendar.to_dict(),
            "variants": [asdict(t) for t in self.variants],
        }
        if self.contact:
            data["contact"] = self.contact
        return json.dumps(data, ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, raw: str | bytes) -> Bundle:
        data = json.loads(raw)
        areas = tuple(
            Area(
                id=a["id"],
                title=a["title"],
                intro_html=a["intro_html"],
                order=int(a["order"]),
                sections=tuple(Section(s["id"], s["title"]) for s in a.get("sections") or ()),
            )
            for a in data["areas"]
        )
        topics = tuple(_topic_from_json(t) for t in data["topics"])
        variants = tuple(_topic_from_json(t) for t in data.get("variants") or ())
        return cls(
            areas,
            topics,
            data.get("version", ""),
            data.get("published_at", ""),
            WorkCalendar.from_dict(data.get("calendar")),
            variants,
            contact={str(k): str(v) for k, v in (data.get("contact") or {}).items()},
        )

    def variants_of(self, topic_id: str) -> list[Topic]:
        return [v for v in self.variants if v.variant_of == topic_id]


def _topic_from_json(t: dict[str, Any]) -> Topic:
    return Topic(
        id=t["id"],
        area=t["area"],
        title=t["title"],
        html=t["html"],
        text=t["text"],
        keywords=tuple(t.get("keywords") or ()),
        section=t.get("section"),
        order=int(t.get("order", 100)),
        status=t.get("status") or "",
        variant_of=t.get("variant_of") or "",
        jenis_asn=t.get("jenis_asn") or "",
        note=t.get("note") or "",
    )


EMPTY = Bundle((), ())


# ---- callback data: one place builds it, one place reads it ------------------------------------------


def area_callback(area: str) -> str:
    return f"{INFORMATION}:{area}"


def section_callback(area: str, section: str) -> str:
    return f"{INFORMATION}:{area}:s:{section}"


def topic_callback(area: str, topic_id: str) -> str:
    return f"{INFORMATION}:{area}:t:{topic_id}"


def answer_html(topic: Topic, area: Area | None, *, notice: bool = True) -> str:
    """The message that shows a topic: where it is, the answer, and (``notice``) whether OSDM has confirmed
    it."""
    where = f"{html.escape(area.title)} › " if area else ""
    parts = [f"<i>{where}{html.escape(topic.title)}</i>", "", topic.html]
    if topic.draft and notice:
        parts += ["", f"<i>{DRAFT_NOTE}</i>"]
    return "\n".join(parts)


def draft_notice_due(bundle: Bundle, recently_viewed: Iterable[str]) -> bool:
    """Whether a draft topic shown now carries the notice: not when the chat saw a draft topic recently."""
    return not any(
        (topic := bundle.topic(topic_id)) is not None and topic.draft for topic_id in recently_viewed
    )


def describe(bundle: Bundle) -> dict[str, Any]:
    return {
        "version": bundle.version,
        "areas": {a.id: len(bundle.topics_of(a.id)) for a in bundle.areas},
        "topics": len(bundle.topics),
        "drafts": sum(1 for t in bundle.topics if t.draft),
        "closed_days": len(bundle.calendar.closed),
        "special_hours": len(bundle.calendar.special),
        "variants": len(bundle.variants),
    }


# ---- one topic, as the reader's employee type reads it ---------------------------------------------------

NOTE_LABEL = "Untuk {jenis_asn}:"


def with_notes(topic: Topic, variants: list[Topic]) -> Topic:
    """The base topic with each variant's note under it: what a reader whose type is unknown reads."""
    if not variants:
        return topic
    notes = "\n".join(f"<b>{NOTE_LABEL.format(jenis_asn=v.jenis_asn)}</b> {v.note}" for v in variants)
    return replace(topic, html=f"{topic.html}\n\n{notes}", text=f"{topic.text}\n\n{visible_text(notes)}")


def for_reader(bundle: Bundle, topic: Topic, jenis_asn: str | None) -> Topic:
    """``topic`` as a reader of type ``jenis_asn`` (PNS/PPPK; None: unknown, e.g. not registered) reads it:
    the variant for that type in its place (keeping the base's id, area and section, so buttons, views and
    offers stay the base's), the base itself when there is none, and for an unknown type the base with the
    notes of its variants."""
    variants = bundle.variants_of(topic.id)
    if jenis_asn is None:
        return with_notes(topic, variants)
    variant = next((v for v in variants if v.jenis_asn == jenis_asn), None)
    if variant is None:
        return topic
    return replace(
        variant,
        id=topic.id,
        area=topic.area,
        section=topic.section,
        order=topic.order,
        keywords=topic.keywords,
        variant_of="",
        jenis_asn="",
        note="",
    )
