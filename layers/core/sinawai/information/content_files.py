"""The content folder OSDM edits (``content/``): parsed, checked and compiled into one Bundle.

Pure: no I/O here except reading the content folder (``load_folder``). Layout, one file per topic::

    content/<area>/_index.md     the area: front matter title, order, sections; the body is the intro
    content/<area>/<topic>.md    a topic: front matter id, title, section, order, keywords, status, sumber
    content/_kalender.md         the working calendar (cuti bersama, special hours): see calendar_file
    content/<area>/<topic>.md    a variant of a topic for PNS or PPPK: id, title, varian_dari (the base
                                 topic's id), jenis_asn, catatan (a one-line note), keywords, status, sumber

Front matter is ``key: value`` lines between two ``---`` lines. The body is a small Markdown: paragraphs,
``- `` bullets, ``**bold**`` and ``[text](https://link)``; everything else is text and is escaped. It is
rendered to Telegram HTML, the parse mode the functions send, and the limits are checked on what Telegram
counts: the text after parsing, in UTF-16 code units.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from sinawai.common.asn import ASN_TYPES
from sinawai.common.contact import FIELDS as CONTACT_FIELDS
from sinawai.common.contact import Contact, value_problem
from sinawai.common.numbers import parse_int
from sinawai.common.text_limits import callback_data_fits, utf16_len, visible_text
from sinawai.information import calendar_file
from sinawai.information.content import (
    AREAS,
    Area,
    Bundle,
    Section,
    Topic,
    answer_html,
    section_callback,
    topic_callback,
    with_notes,
)

# What an answer may take of Telegram's 4096: the FAQ offer wraps an answer with its own lines and buttons.
MAX_ANSWER_CHARS = 3500
MAX_INTRO_CHARS = 1000
MAX_TITLE_CHARS = 60  # a button label stays readable on a phone
MAX_ORDER = 1_000_000
ID_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$")
TOPIC_KEYS = frozenset({"id", "title", "section", "order", "keywords", "status", "sumber"})
# A variant of a topic for one employee type: it names its base topic and the type, and carries the one-line
# note that readers whose type is unknown read under the base; it takes the base's place in the menus.
VARIANT_KEYS = frozenset(
    {"id", "title", "varian_dari", "jenis_asn", "catatan", "keywords", "status", "sumber"}
)
MAX_NOTE_CHARS = 300
INDEX_KEYS = frozenset({"title", "order", "sections", "status"})
CONTACT_FILE = "_kontak.md"  # OSDM's contact details (sinawai.common.contact), at the folder's top

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]*)\)")


class ContentError(ValueError):
    """A content file breaks a rule; ``problems`` name the file and line of each."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str  # Indonesian: OSDM reads it

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


# ---- rendering ---------------------------------------------------------------------------------------


def _inline(text: str, path: str, line: int, problems: list[Problem]) -> str:
    """One line of body Markdown → Telegram HTML (escaped; bold and links)."""
    out: list[str] = []
    pos = 0
    for match in _LINK.finditer(text):
        out.append(_bold(html.escape(text[pos : match.start()], quote=False)))
        label, url = match.group(1), match.group(2)
        if not valid_url(url):
            problems.append(Problem(path, line, f"tautan tidak valid: {url!r} (harus https://…)"))
        out.append(f'<a href="{html.escape(url)}">{html.escape(label, quote=False)}</a>')
        pos = match.end()
    out.append(_bold(html.escape(text[pos:], quote=False)))
    rendered = "".join(out)
    if "](" in re.sub(r"<a [^>]*>.*?</a>", "", rendered):
        problems.append(Problem(path, line, "tautan tidak lengkap: tulis [teks](https://alamat)"))
    return rendered


def _bold(escaped: str) -> str:
    return _BOLD.sub(lambda m: f"<b>{m.group(1)}</b>", escaped)


def valid_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("https", "http") and bool(parts.netloc) and "." in parts.netloc and " " not in url


def render_body(lines: Iterable[tuple[int, str]], path: str, problems: list[Problem]) -> str:
    """Body lines (with their line numbers) → Telegram HTML: paragraphs, bullets, bold, links."""
    out: list[str] = []
    for number, raw in lines:
        line = raw.rstrip()
        if line.startswith(("- ", "* ")):
            out.append("• " + _inline(line[2:].strip(), path, number, problems))
        elif line.strip():
            out.append(_inline(line.strip(), path, number, problems))
        elif out and out[-1] != "":
            out.append("")
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out)


# ---- parsing and validation --------------------------------------------------------------------------


@dataclass
class _File:
    path: str
    meta: dict[str, tuple[int, str]]  # key -> (line, value)
    body: list[tuple[int, str]]


def _split(path: str, text: str, problems: list[Problem]) -> _File | None:
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        problems.append(Problem(path, 1, "berkas harus diawali front matter: baris '---'"))
        return None
    meta: dict[str, tuple[int, str]] = {}
    for index in range(1, len(lines)):
        line = lines[index]
        number = index + 1
        if line.strip() == "---":
            body = [(i + 1, lines[i]) for i in range(index + 1, len(lines))]
            return _File(path, meta, body)
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if not sep or not key:
            problems.append(Problem(path, number, f"baris front matter harus 'kunci: nilai', bukan {line!r}"))
            continue
        if key in meta:
            problems.append(Problem(path, number, f"kunci {key!r} ditulis dua kali"))
        meta[key] = (number, value.strip())
    problems.append(Problem(path, len(lines), "front matter tidak ditutup dengan baris '---'"))
    return None


def _int(file: _File, key: str, default: int, problems: list[Problem]) -> int:
    if key not in file.meta:
        return default
    line, value = file.meta[key]
    number = parse_int(value, maximum=MAX_ORDER)
    if number is None:
        problems.append(
            Problem(
                file.path,
                line,
                f"{key} harus bilangan bulat 0 sampai {MAX_ORDER} yang ditulis dengan angka 0-9, "
                f"bukan {value!r}",
            )
        )
        return default
    return number


def _title(file: _File, problems: list[Problem]) -> str:
    line, title = file.meta.get("title", (1, ""))
    if not title:
        problems.append(Problem(file.path, line, "title wajib diisi"))
    elif len(title) > MAX_TITLE_CHARS:
        problems.append(
            Problem(
                file.path, line, f"title terlalu panjang: {len(title)} karakter (maksimal {MAX_TITLE_CHARS})"
            )
        )
    return title


def _unknown_keys(file: _File, allowed: frozenset[str], problems: list[Problem]) -> None:
    for key, (line, _) in file.meta.items():
        if key not in allowed:
            problems.append(Problem(file.path, line, f"kunci tidak dikenal: {key!r}"))


def _too_long_at(file: _File, prefix_chars: int, limit: int) -> int:
    """The body line at which the rendered message passes ``limit`` (the last line if it never does)."""
    total = prefix_chars
    for number, raw in file.body:
        total += utf16_len(visible_text(render_body([(number, raw)], file.path, []))) + 1
        if total > limit:
            return number
    return file.body[-1][0] if file.body else 1


def parse_area(area_id: str, path: str, text: str, problems: list[Problem]) -> Area | None:
    file = _split(path, text, problems)
    if file is None:
        return None
    _unknown_keys(file, INDEX_KEYS, problems)
    title = _title(file, problems)
    sections: list[Section] = []
    if "sections" in file.meta:
        line, value = file.meta["sections"]
        for item in filter(None, (s.strip() for s in value.split("|"))):
            section_id, sep, section_title = item.partition("=")
            section_id, section_title = section_id.strip(), section_title.strip()
            if not sep or not ID_PATTERN.match(section_id) or not section_title:
                problems.append(Problem(path, line, f"bagian harus 'id=Judul' dipisah '|', bukan {item!r}"))
                continue
            if len(section_title) > MAX_TITLE_CHARS:
                problems.append(Problem(path, line, f"judul bagian terlalu panjang: {section_title!r}"))
            sections.append(Section(section_id, section_title))
            if not callback_data_fits(section_callback(area_id, section_id)):
                problems.append(Problem(path, line, f"id bagian terlalu panjang: {section_id!r}"))
    intro = render_body(file.body, path, problems)
    if utf16_len(visible_text(intro)) > MAX_INTRO_CHARS:
        line = _too_long_at(file, 0, MAX_INTRO_CHARS)
        problems.append(
            Problem(path, line, f"pengantar terlalu panjang (maksimal {MAX_INTRO_CHARS} karakter)")
        )
    return Area(area_id, title, intro, _int(file, "order", 100, problems), tuple(sections))


def _variant_fields(file: _File, problems: list[Problem]) -> tuple[str, str, str]:
    """(base topic id, type, note HTML) of a variant; ("", "", "") for a topic that is not one."""
    if "varian_dari" not in file.meta and "jenis_asn" not in file.meta:
        if "catatan" in file.meta:
            problems.append(
                Problem(file.path, file.meta["catatan"][0], "catatan hanya untuk topik varian (varian_dari)")
            )
        return "", "", ""
    for key in sorted(set(file.meta) - VARIANT_KEYS):
        problems.append(
            Problem(
                file.path,
                file.meta[key][0],
                f"kunci {key!r} tidak dipakai pada topik varian: varian tampil di tempat topik dasarnya",
            )
        )
    line, base = file.meta.get("varian_dari", (1, ""))
    if not base:
        problems.append(
            Problem(file.path, line, "varian_dari wajib diisi: id topik dasar, misalnya cuti-besar")
        )
    line, raw_type = file.meta.get("jenis_asn", (1, ""))
    jenis_asn = raw_type.upper()
    if not raw_type:
        problems.append(Problem(file.path, line, "jenis_asn wajib diisi pada topik varian: PNS atau PPPK"))
    elif jenis_asn not in ASN_TYPES:
        problems.append(Problem(file.path, line, f"jenis_asn harus PNS atau PPPK, bukan {raw_type!r}"))
    line, note = file.meta.get("catatan", (1, ""))
    note_html = _inline(note, file.path, line, problems)
    if not note:
        problems.append(
            Problem(
                file.path,
                line,
                "catatan wajib diisi: satu kalimat perbedaannya, yang dibaca di bawah topik dasar oleh "
                "pembaca yang jenis ASN-nya belum diketahui",
            )
        )
    elif utf16_len(visible_text(note_html)) > MAX_NOTE_CHARS:
        problems.append(
            Problem(file.path, line, f"catatan terlalu panjang (maksimal {MAX_NOTE_CHARS} karakter)")
        )
    return base, jenis_asn, note_html


def parse_topic(area: Area, path: str, text: str, problems: list[Problem]) -> Topic | None:
    file = _split(path, text, problems)
    if file is None:
        return None
    variant_of, jenis_asn, note = _variant_fields(file, problems)
    if not variant_of and not jenis_asn:
        _unknown_keys(file, TOPIC_KEYS, problems)
    line, topic_id = file.meta.get("id", (1, ""))
    if not ID_PATTERN.match(topic_id):
        problems.append(
            Problem(path, line, f"id {topic_id!r} tidak valid: huruf kecil, angka dan '-', 1-32 karakter")
        )
    elif not callback_data_fits(topic_callback(area.id, topic_id)):
        problems.append(Problem(path, line, f"id {topic_id!r} terlalu panjang untuk data tombol (64 byte)"))
    title = _title(file, problems)
    section = None
    if "section" in file.meta:
        section_line, section = file.meta["section"]
        if section not in {s.id for s in area.sections}:
            known = ", ".join(s.id for s in area.sections) or "(area ini tidak punya bagian)"
            problems.append(
                Problem(path, section_line, f"bagian {section!r} tidak ada di _index.md: {known}")
            )
    elif area.sections and not (variant_of or jenis_asn):
        problems.append(Problem(path, 1, "area ini memakai bagian: isi 'section: …' di front matter"))
    keywords = tuple(k.strip().lower() for k in file.meta.get("keywords", (0, ""))[1].split(",") if k.strip())
    status = file.meta.get("status", (0, ""))[1]
    body_html = render_body(file.body, path, problems)
    if not body_html.strip():
        problems.append(Problem(path, file.body[0][0] if file.body else 1, "jawaban kosong"))
    topic = Topic(
        id=topic_id,
        area=area.id,
        title=title,
        html=body_html,
        text=visible_text(body_html),
        keywords=keywords,
        section=section,
        order=_int(file, "order", 100, problems),
        status=status,
        variant_of=variant_of,
        jenis_asn=jenis_asn,
        note=note,
    )
    if "sumber" in file.meta:
        source = html.escape(file.meta["sumber"][1], quote=False)
        topic = Topic(**{**asdict(topic), "html": f"{body_html}\n\n<i>Dasar: {source}</i>"})
    message = answer_html(topic, area)
    length = utf16_len(visible_text(message))
    if length > MAX_ANSWER_CHARS:
        prefix = length - utf16_len(visible_text(body_html))
        at = _too_long_at(file, prefix, MAX_ANSWER_CHARS)
        problems.append(
            Problem(
                path,
                at,
                f"jawaban terlalu panjang: {length} karakter setelah dirender (maksimal {MAX_ANSWER_CHARS}); "
                "batas terlampaui pada baris ini. Pecah menjadi dua topik atau persingkat.",
            )
        )
    return topic


def parse_contact(path: str, text: str, problems: list[Problem]) -> Contact:
    """``_kontak.md``: front matter telepon, whatsapp, surel, ruang, jam (each optional); the body is an
    optional note shown under the details on /kontak."""
    file = _split(path, text, problems)
    if file is None:
        return Contact()
    _unknown_keys(file, frozenset(CONTACT_FIELDS), problems)
    values: dict[str, str] = {}
    for key in CONTACT_FIELDS:
        if key in file.meta and file.meta[key][1]:
            line, value = file.meta[key]
            problem = value_problem(key, value)
            if problem is not None:
                problems.append(Problem(path, line, problem))
            values[key] = value
    note = render_body(file.body, path, problems)
    if utf16_len(visible_text(note)) > MAX_INTRO_CHARS:
        limit = f"maksimal {MAX_INTRO_CHARS} karakter"
        problems.append(Problem(path, 1, f"catatan kontak terlalu panjang ({limit})"))
    return Contact(**values, note_html=note)


def build(files: Mapping[str, str]) -> Bundle:
    """Check and compile content files (relative path → text); raise ContentError listing every problem."""
    problems: list[Problem] = []
    areas: dict[str, Area] = {}
    contact = Contact()
    if CONTACT_FILE in files:
        contact = parse_contact(CONTACT_FILE, files[CONTACT_FILE], problems)
    for path, text in sorted(files.items()):
        parts = Path(path).parts
        if len(parts) >= 2 and parts[-1] == "_index.md":
            area_id = parts[-2]
            if area_id not in AREAS:
                problems.append(Problem(path, 1, f"area {area_id!r} tidak dikenal: {', '.join(AREAS)}"))
                continue
            area = parse_area(area_id, path, text, problems)
            if area is not None:
                areas[area_id] = area
    for area_id in AREAS:
        if area_id not in areas:
            problems.append(Problem(f"{area_id}/_index.md", 1, "berkas area tidak ada"))
    topics: list[Topic] = []
    seen: dict[str, str] = {}
    for path, text in sorted(files.items()):
        parts = Path(path).parts
        if (
            parts[-1] == "_index.md"
            or not parts[-1].endswith(".md")
            or path in (calendar_file.CALENDAR_FILE, CONTACT_FILE)
        ):
            continue
        if len(parts) < 2 or parts[-2] not in areas:
            problems.append(Problem(path, 1, "topik harus berada di folder salah satu area"))
            continue
        topic = parse_topic(areas[parts[-2]], path, text, problems)
        if topic is None:
            continue
        if topic.id in seen:
            line = next(
                (n for n, raw in enumerate(text.splitlines(), 1) if raw.split(":", 1)[0].strip() == "id"), 1
            )
            problems.append(Problem(path, line, f"id {topic.id!r} sudah dipakai oleh {seen[topic.id]}"))
        seen[topic.id] = path
        topics.append(topic)
    topics, variants = _check_variants(topics, seen, files, areas, problems)
    for area in areas.values():
        if not any(t.area == area.id for t in topics):
            problems.append(Problem(f"{area.id}/_index.md", 1, "area ini belum punya topik"))
        for section in area.sections:
            if not any(t.area == area.id and t.section == section.id for t in topics):
                problems.append(
                    Problem(f"{area.id}/_index.md", 1, f"bagian {section.id!r} belum punya topik")
                )
    calendar, calendar_problems = calendar_file.parse(files.get(calendar_file.CALENDAR_FILE, ""))
    problems += [Problem(calendar_file.CALENDAR_FILE, line, message) for line, message in calendar_problems]
    if problems:
        raise ContentError(problems)
    ordered_areas = tuple(sorted(areas.values(), key=lambda a: (a.order, AREAS.index(a.id))))
    area_rank = {a.id: n for n, a in enumerate(ordered_areas)}
    ordered_topics = tuple(sorted(topics, key=lambda t: (area_rank[t.area], t.order, t.title)))
    digest = hashlib.sha256("\0".join(f"{p}\0{t}" for p, t in sorted(files.items())).encode()).hexdigest()
    return Bundle(
        ordered_areas,
        ordered_topics,
        version=digest[:12],
        calendar=calendar,
        variants=tuple(variants),
        contact=contact.to_dict(),
    )


def _check_variants(
    parsed: list[Topic],
    paths: Mapping[str, str],
    files: Mapping[str, str],
    areas: Mapping[str, Area],
    problems: list[Problem],
) -> tuple[list[Topic], list[Topic]]:
    """Split the topics from their variants and check each variant against its base: the base exists in the
    same area and is no variant itself, one variant per type, and the base with every note still fits.
    A variant's keywords join its base's, so the FAQ finds the base by them too."""
    topics = {t.id: t for t in parsed if not (t.variant_of or t.jenis_asn)}
    variants = [t for t in parsed if t.variant_of or t.jenis_asn]
    seen: dict[tuple[str, str], str] = {}
    for variant in variants:
        path = paths[variant.id]

        def problem(key: str, message: str, path: str = path) -> None:
            problems.append(Problem(path, _key_line(files[path], key), message))

        if not variant.variant_of:
            continue  # reported already: varian_dari is empty
        base = topics.get(variant.variant_of)
        if base is None:
            is_variant = any(v.id == variant.variant_of for v in variants)
            why = "adalah varian juga: sebutkan topik dasarnya" if is_variant else "tidak ada"
            problem("varian_dari", f"topik dasar {variant.variant_of!r} {why}")
            continue
        if base.area != variant.area:
            problem(
                "varian_dari",
                f"topik dasar {base.id!r} ada di area {base.area}: letakkan varian di folder itu",
            )
        key = (base.id, variant.jenis_asn)
        if key in seen:
            problem("jenis_asn", f"topik {base.id!r} sudah punya varian {variant.jenis_asn}: {seen[key]}")
        seen[key] = path
    for base_id in sorted({v.variant_of for v in variants if v.variant_of in topics}):
        base = topics[base_id]
        own = [v for v in variants if v.variant_of == base_id]
        keywords = dict.fromkeys(base.keywords + tuple(k for v in own for k in v.keywords))
        topics[base_id] = replace(base, keywords=tuple(keywords))
        area = areas.get(base.area)
        length = utf16_len(visible_text(answer_html(with_notes(base, own), area)))
        alone = utf16_len(visible_text(answer_html(base, area)))
        if length > MAX_ANSWER_CHARS >= alone:  # a base too long by itself is reported already
            problems.append(
                Problem(
                    paths[base_id],
                    1,
                    f"jawaban beserta catatan variannya terlalu panjang: {length} karakter (maksimal "
                    f"{MAX_ANSWER_CHARS}); persingkat jawaban atau catatan varian",
                )
            )
    return [topics.get(t.id, t) for t in parsed if not (t.variant_of or t.jenis_asn)], variants


def _key_line(text: str, key: str) -> int:
    """The line of a front matter key (1 when it is missing)."""
    lines = text.splitlines()
    return next((n for n, raw in enumerate(lines, 1) if raw.partition(":")[0].strip().lower() == key), 1)


def load_folder(root: Path) -> dict[str, str]:
    """Every ``*.md`` under ``root`` by relative path; a file that is not UTF-8 is a problem of its own."""
    files: dict[str, str] = {}
    problems: list[Problem] = []
    for path in sorted(root.rglob("*.md")):
        relative = str(path.relative_to(root))
        top_level = len(path.relative_to(root).parts) < 2
        if (top_level and relative not in (calendar_file.CALENDAR_FILE, CONTACT_FILE)) or path.is_dir():
            continue  # content/README.md and the like: notes for authors, not topics
        try:
            files[relative] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            problems.append(Problem(relative, 1, "berkas bukan UTF-8: simpan ulang sebagai UTF-8"))
        except OSError as e:
            problems.append(Problem(relative, 1, f"berkas tidak dapat dibaca: {e.strerror or e}"))
    if problems:
        raise ContentError(problems)
    return files
