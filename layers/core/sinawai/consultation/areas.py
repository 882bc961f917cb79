"""The areas of Biro OSDM a ticket belongs to (pure; no I/O): the four information areas of the content and
"umum" for everything else. A ticket's area comes from the FAQ's best topic when the question matched one,
or from the staff (``/area N jahdis``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

DEFAULT = "umum"

# id -> the name the staff read ("Bidang: ..."); the order is the order /area lists them in
LABELS = {
    "renbangkompeg": "Perencanaan & Pengembangan Kompetensi",
    "mutasi": "Mutasi",
    "jahdis": "Kesejahteraan & Disiplin",
    "pengkinpeg": "Kinerja Pegawai",
    DEFAULT: "Umum",
}

AREAS = tuple(LABELS)


def parse_area(raw: str) -> str | None:
    """An area id as the staff type it (any case, an optional leading '#'); None when no area has it."""
    key = raw.strip().lstrip("#").lower()
    return key if key in LABELS else None


def label(area: str | None) -> str:
    return LABELS.get(area or DEFAULT, LABELS[DEFAULT])


def area_of_topics(topic_ids: Sequence[str], area_of: Callable[[str], str | None]) -> str:
    """The area of the best (first) offered topic that still exists; "umum" when none matched."""
    for topic_id in topic_ids:
        area = area_of(topic_id)
        if area is not None:
            return area if area in LABELS else DEFAULT
    return DEFAULT
