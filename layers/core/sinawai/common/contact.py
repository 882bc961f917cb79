"""How to reach Biro OSDM: telephone, WhatsApp, Surel, the service room and its hours (pure).

Two sources, field by field: the deploy's parameters (``OSDM_CONTACT_*`` variables, set once by ops) and
``content/_kontak.md``, which OSDM edits and publishes like the topics (``sinawai content publish``). A
field the published file fills wins over the variable, so OSDM can change a number without a redeploy;
a field the file leaves out keeps the deploy's value. With nothing configured anywhere, /kontak still
says where to go (the bureau, in working hours) and no empty "Telepon:" line is ever shown.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace

from sinawai.common.working_hours import WorkingHoursError, parse_schedule

FIELDS = ("telepon", "whatsapp", "surel", "ruang", "jam")
LABELS = {
    "telepon": "Telepon",
    "whatsapp": "WhatsApp",
    "surel": "Surel",
    "ruang": "Ruang layanan",
    "jam": "Jam layanan",
}
MAX_VALUE_CHARS = 200
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ()\-.]{4,28}[0-9]$")
EMAIL_PATTERN = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+$")

# Appended to every "hubungi Biro OSDM": the details themselves are too long for a refusal's sentence.
SEE_CONTACT = "(lihat /kontak)"
CONTACT_BUTTON_LABEL = "📞 Kontak Biro OSDM"


@dataclass(frozen=True)
class Contact:
    telepon: str = ""
    whatsapp: str = ""
    surel: str = ""
    ruang: str = ""
    jam: str = ""
    note_html: str = ""  # the body of content/_kontak.md, rendered (already HTML)

    @property
    def empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))

    def over(self, base: Contact) -> Contact:
        """This contact's filled fields, the rest from ``base``."""
        return replace(base, **{f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)})

    def to_dict(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Contact:
        names = {f.name for f in fields(cls)}
        return cls(**{k: str(v).strip() for k, v in data.items() if k in names and v})


def value_problem(name: str, value: str) -> str | None:
    """Why ``value`` cannot be the contact field ``name`` (Indonesian, for OSDM), or None."""
    if len(value) > MAX_VALUE_CHARS:
        return f"{name} terlalu panjang (maksimal {MAX_VALUE_CHARS} karakter)"
    if name in ("telepon", "whatsapp") and not PHONE_PATTERN.match(value):
        return f"{name} harus nomor telepon dengan angka 0-9, misalnya 021-7863000 atau 0812-3456-7890"
    if name == "surel" and not EMAIL_PATTERN.match(value):
        return f"surel tidak valid: {value!r} (contoh: osdm@instansi.go.id)"
    return None


def whatsapp_link(number: str) -> str | None:
    """'0812-3456-7890' → 'https://wa.me/6281234567890' (Indonesian numbers written from 0 or +62)."""
    digits = "".join(ch for ch in number if ch in "0123456789")
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    return f"https://wa.me/{digits}" if len(digits) >= 8 else None


DAY_NAMES = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


def hours_text(spec: str | None, zone_suffix: str = "") -> str | None:
    """WORKING_HOURS as an employee reads it: 'Senin–Kamis 07.30–16.00, Jumat 07.30–16.30 WIB'."""
    if not spec:
        return None
    try:
        schedule = parse_schedule(spec)
    except WorkingHoursError:
        return None
    runs: list[tuple[int, int, str]] = []
    for day in sorted(schedule):
        # a lunch break makes two intervals: "07.30–12.00 dan 13.00–16.00"
        hours = " dan ".join(f"{opens:%H.%M}–{closes:%H.%M}" for opens, closes in schedule[day])
        if runs and runs[-1][1] == day - 1 and runs[-1][2] == hours:
            runs[-1] = (runs[-1][0], day, hours)
        else:
            runs.append((day, day, hours))
    parts = [
        (DAY_NAMES[a] if a == b else f"{DAY_NAMES[a]}–{DAY_NAMES[b]}") + f" {hours}" for a, b, hours in runs
    ]
    return ", ".join(parts) + (f" {zone_suffix}" if zone_suffix else "")


def contact_lines(contact: Contact) -> list[str]:
    """One HTML line per filled field, in a fixed order; nothing for an empty field."""
    lines: list[str] = []
    for name in FIELDS:
        value = getattr(contact, name)
        if not value:
            continue
        shown = html.escape(value)
        if name == "whatsapp" and (link := whatsapp_link(value)):
            shown = f'<a href="{link}">{shown}</a>'
        lines.append(f"• {LABELS[name]}: {shown}")
    return lines


def contact_text(contact: Contact, working_hours: str | None = None) -> str:
    """The /kontak page. ``working_hours``: the service's working hours as text, for when the contact
    names no hours of its own."""
    lines = contact_lines(contact)
    if not contact.jam and working_hours:
        lines.append(f"• {LABELS['jam']}: {html.escape(working_hours)}")
    head = "<b>Kontak Biro OSDM</b>\nBiro Organisasi dan Sumber Daya Manusia (OSDM)"
    if not contact_lines(contact):
        body = (
            "Detail telepon dan Surel Biro OSDM belum diumumkan melalui Sinawai. Silakan datang langsung ke "
            "Biro OSDM pada jam kerja, atau tanyakan melalui bagian kepegawaian unit kerja Anda."
        )
        text = "\n\n".join([head, body, *(["\n".join(lines)] if lines else [])])
    else:
        text = "\n\n".join([head, "Bapak/Ibu dapat menghubungi kami melalui:\n" + "\n".join(lines)])
    if contact.note_html:
        text += "\n\n" + contact.note_html
    return text + "\n\nPertanyaan kepegawaian juga dapat dikirim langsung melalui bot ini."
