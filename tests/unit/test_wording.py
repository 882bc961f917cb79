"""What users read is formal Indonesian: no English words, no informal words, buttons that carry words.

The scan reads every string literal of the modules that hold user texts (the texts modules, the menus, the
keyboards, the notices to the staff group and the reports to managers), every topic OSDM publishes, and
the keyboards the bot sends, built here. Spans a user types or reads elsewhere are left out: commands
(``/tiket``), ``<code>`` spans, quoted names (a column header, an Excel menu), placeholders and links.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from telegram import InlineKeyboardMarkup

from sinawai.consultation import keyboards, texts
from sinawai.consultation.tickets import STATUS_LABELS
from sinawai.documents.handlers import BACK as DOCUMENTS_BACK
from sinawai.documents.handlers import HOME as DOCUMENTS_HOME
from sinawai.general import handlers as general_handlers
from sinawai.general import menu
from sinawai.information import announcements, content_files, pages
from sinawai.information.announcements import Announcement
from sinawai.information.content import Bundle
from sinawai.registration import guards
from sinawai.registration import service as registration_service
from sinawai.report import service as report_service

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "layers" / "core" / "sinawai"

# English words Indonesian has its own word for (in brackets: the word the bot uses), and informal words.
FORBIDDEN = {
    "reply": "balas",
    "polling": "jajak pendapat",
    "poll": "jajak pendapat",
    "link": "tautan",
    "links": "tautan",
    "email": "surel",
    "e-mail": "surel",
    "chat": "percakapan",
    "update": "perbarui",
    "upload": "unggah",
    "download": "unduh",
    "file": "berkas",
    "files": "berkas",
    "ticket": "tiket",
    "tickets": "tiket",
    "reset": "atur ulang",
    "caption": "keterangan",
    "sheet": "lembar kerja",
    "click": "tekan",
    "login": "masuk",
    "logout": "keluar",
    "online": "daring",
    "offline": "luring",
    "password": "kata sandi",
    "username": "nama pengguna",
    "submit": "kirim",
    "cancel": "batal",
    "delete": "hapus",
    "deploy": "pasang",
    "feedback": "masukan",
    "rating": "penilaian",
    "dashboard": "dasbor",
    "faq": "jawaban otomatis",
    "please": "silakan",
    "thanks": "terima kasih",
    "welcome": "selamat datang",
    "gimana": "bagaimana",
    "aja": "saja",
    "nggak": "tidak",
    "gak": "tidak",
    "enggak": "tidak",
    "udah": "sudah",
    "banget": "sekali",
    "dong": "",
    "sih": "",
    "yuk": "mari",
    "oke": "baik",
}
FORBIDDEN_RE = re.compile(
    r"(?<![\w-])(" + "|".join(re.escape(w) for w in sorted(FORBIDDEN, key=len, reverse=True)) + r")(?![\w-])",
    re.IGNORECASE,
)

# Where the bot's user texts live. Modules that also log or raise in English are read through what they
# render (the keyboards and pages below), not literal by literal.
TEXT_MODULES = (
    *sorted(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.glob("*/texts.py")),
    "consultation/staff_texts.py",
    "general/menu.py",
    "common/contact.py",
    "common/format_id.py",
    "consultation/keyboards.py",
    "information/pages.py",
    "registration/guards.py",
    "registration/personal_data.py",
    "registration/rules.py",
    "registration/passwords.py",
    "documents/rules.py",
    "router/commands.py",
    "report/digest.py",
    "report/comparison.py",
    "report/period.py",
    "report/files.py",
    "hr_import/notices.py",
    "hr_import/cells.py",
    "hr_import/parse.py",
    "hr_import/table.py",
    "privacy/export.py",
)

_NOT_PROSE = [
    re.compile(r"<code>.*?</code>", re.DOTALL),
    re.compile(r"<a [^>]*>"),
    re.compile(r"</?[a-z]+>"),
    re.compile(r"https?://\S+"),
    re.compile(r"\{[^{}]*\}"),  # str.format placeholders
    re.compile(r"(?<![\w.])/[a-z_]+"),  # commands, folder names
    re.compile(r"`[^`]*`"),
    re.compile(r'"[^"\n]*"'),  # a name the user reads elsewhere: a column header, an Excel menu
    re.compile(r"'[^'\n]*'"),
]
# No space and no capital: a dict key, a column name, callback data, a pattern; code, not text.
_CODE = re.compile(r"[^\sA-Z]*\Z")


def prose(text: str) -> str:
    """The text as a sentence a user reads, without the spans the user types or reads elsewhere."""
    for pattern in _NOT_PROSE:
        text = pattern.sub(" ", text)
    return text


def forbidden_words(text: str) -> list[str]:
    return [m.group(0) for m in FORBIDDEN_RE.finditer(prose(text))]


def literals(path: Path) -> Iterator[tuple[int, str]]:
    """Every string literal of a module but its docstrings (f-strings by their literal parts)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and not _CODE.match(node.value)
        ):
            yield node.lineno, node.value


ANNOUNCEMENT = Announcement(
    id=1,
    body="Apel pagi",
    posted_by_name="Petugas",
    staff_chat_id=-100,
    posted_at=datetime(2026, 11, 2, 1),
    broadcast_at=None,
)


def shipped_bundle() -> Bundle:
    return content_files.build(content_files.load_folder(ROOT / "content"))


def rendered_keyboards() -> Iterator[tuple[str, InlineKeyboardMarkup]]:
    """The keyboards the bot sends, built as the handlers build them."""
    bundle = shipped_bundle()
    yield "main menu", general_handlers.main_menu_markup()
    yield "back to the menu", general_handlers.back_markup()
    yield "unregistered /start", general_handlers.start_markup()
    yield "not registered", guards.daftar_markup()
    yield "wrong password", registration_service.help_markup()
    yield "personal menu", registration_service.personal_menu_markup()
    yield "staff ticket", keyboards.ticket_buttons(12)
    yield "rating", keyboards.rating_buttons(12)
    yield "skip the comment", keyboards.skip_comment_button(12)
    yield "faq offer", keyboards.faq_markup(7, bundle.topics[:3], 0)
    yield "which ticket", keyboards.choice_buttons(3, [12, 9], new_allowed=True)
    yield "/tiketsaya", keyboards.my_tickets_buttons([12, 9, 4, 1])
    yield "a ticket's exchange", keyboards.exchange_buttons(12, 1, 3)
    yield "documents", InlineKeyboardMarkup([[DOCUMENTS_BACK, DOCUMENTS_HOME]])
    staff_list = pages.staff_announcements_page([ANNOUNCEMENT], "Asia/Jakarta")[1]
    assert staff_list is not None
    yield "announcements in the staff group", staff_list
    yield "withdraw an announcement", pages.withdraw_confirm_page(ANNOUNCEMENT)[1]
    for area in bundle.areas:
        yield f"area {area.id}", pages.area_page(bundle, area)[1]
        for section in area.sections:
            page = pages.section_page(bundle, area, section.id)
            assert page is not None
            yield f"section {area.id}/{section.id}", page[1]
    for topic in bundle.topics:
        area = next(a for a in bundle.areas if a.id == topic.area)
        page = pages.topic_page(bundle, area, topic.id)
        assert page is not None
        yield f"topic {topic.id}", page[1]
    yield "/cari found", pages.search_page("cuti", bundle.topics[:2])[1]
    yield "/cari nothing", pages.search_page("xyz", [])[1]
    yield "not published", pages.not_published_page()[1]
    yield "/terkini", pages.terkini_page([ANNOUNCEMENT], "Asia/Jakarta")[1]


def labels(markup: InlineKeyboardMarkup) -> list[str]:
    return [button.text for row in markup.inline_keyboard for button in row]


def has_words(label: str) -> bool:
    return re.search(r"[A-Za-z]{2,}", label) is not None


@pytest.mark.parametrize("module", TEXT_MODULES)
def test_user_texts_have_no_english_or_informal_words(module: str) -> None:
    found = [
        f"{module}:{line}: {word!r} (use {FORBIDDEN[word.lower()]!r}) in {text[:80]!r}"
        for line, text in literals(PACKAGE / module)
        for word in forbidden_words(text)
    ]
    assert found == []


# The machinery's words, which staff cannot act on (issue 15, item 8): a staff text says what to do and whom
# to call ("hubungi admin Sinawai") instead. Read in the raw literal, <code> spans included: a command-line
# tool is nothing a staff member in the group can type.
TECHNICAL_RE = re.compile(
    r"\bS3\b|\bSQS\b|\bDLQ\b|\bCloudWatch\b|\bLambda\b|\bbucket\b|[A-Z]+_CHAT_ID\b"
    r"|\bsinawai (?:documents|content|pegawai|report|dlq|setup|smoke|migrate)\b"
)
# /idchat (general/menu.py) is answered to a group's admins only, for the set-up: it names the deploy
# parameter and the deploy command on purpose.
SETUP_MODULES = ("general/menu.py",)


def technical_words(text: str) -> list[str]:
    return [m.group(0) for m in TECHNICAL_RE.finditer(text)]


@pytest.mark.parametrize("module", [m for m in TEXT_MODULES if m not in SETUP_MODULES])
def test_user_and_staff_texts_name_no_machinery(module: str) -> None:
    found = [
        f"{module}:{line}: {word!r} in {text[:80]!r}"
        for line, text in literals(PACKAGE / module)
        for word in technical_words(text)
    ]
    assert found == []


def test_the_staff_notices_outside_the_texts_modules_name_no_machinery() -> None:
    shown = {
        "report digest not sent": report_service.STAFF_NOTICE
        + report_service.STAFF_REASON_REFUSED
        + report_service.STAFF_REASON_NOT_SET,
    }
    assert {name: technical_words(text) for name, text in shown.items() if technical_words(text)} == {}
    assert "admin Sinawai" in report_service.STAFF_NOTICE


def test_the_machinery_scan_finds_what_it_is_for() -> None:
    assert technical_words("tidak ditemukan di S3 ({key})") == ["S3"]
    assert technical_words("periksa pengaturan MANAGERS_CHAT_ID") == ["MANAGERS_CHAT_ID"]
    assert technical_words("unggah dengan <code>sinawai documents upload</code>") == ["sinawai documents"]
    assert technical_words("hubungi admin Sinawai; penyimpanan Sinawai") == []


def test_the_published_topics_have_no_english_or_informal_words() -> None:
    bundle = shipped_bundle()
    shown = [(a.id, a.title + " " + a.intro_html) for a in bundle.areas]
    shown += [(s.id, s.title) for a in bundle.areas for s in a.sections]
    shown += [(t.id, t.title + " " + t.html) for t in (*bundle.topics, *bundle.variants)]
    assert [(where, forbidden_words(text)) for where, text in shown if forbidden_words(text)] == []


def test_the_scan_finds_what_it_is_for() -> None:
    """The words the first round left, and the spans that are not prose."""
    assert forbidden_words("Balas (reply) pesan tiket ini") == ["reply"]
    assert forbidden_words("misalnya lokasi, kontak atau Polling") == ["Polling"]
    assert forbidden_words("melalui chat pribadi; kirim e-mail") == ["chat", "e-mail"]
    assert forbidden_words("gimana aja, nggak") == ["gimana", "aja", "nggak"]
    assert forbidden_words("ketik /idchat, lalu <code>sam deploy --guided</code>") == []
    assert forbidden_words('kolom "password" sebagai Teks, {caption}') == []
    assert forbidden_words("Surel, berkas, unggah, tautan, kata sandi") == []
    assert forbidden_words("chatbot, re-upload") == []  # whole words only


@pytest.mark.parametrize(("name", "markup"), list(rendered_keyboards()), ids=lambda v: str(v)[:40])
def test_every_button_carries_words_not_only_an_emoji_or_a_number(
    name: str, markup: InlineKeyboardMarkup
) -> None:
    for label in labels(markup):
        assert has_words(label), f"{name}: {label!r}"
        assert forbidden_words(label) == [], f"{name}: {label!r}"


def test_every_home_button_has_one_label_and_every_back_button_says_kembali() -> None:
    home = menu.BACK_TO_MENU
    seen_home = seen_back = 0
    for name, markup in rendered_keyboards():
        for row in markup.inline_keyboard:
            for button in row:
                if button.callback_data == home.callback_data:
                    assert button.text == "🏠 Menu Utama", name
                    seen_home += 1
                elif button.text.startswith("⬅️"):
                    assert button.text == "⬅️ Kembali", name
                    seen_back += 1
                else:
                    assert "Menu" not in button.text, f"{name}: {button.text!r} looks like a home button"
    assert seen_home > 10
    assert seen_back > 10


def test_statuses_are_words() -> None:
    for label in (*STATUS_LABELS.values(), *texts.EMPLOYEE_STATUS.values()):
        assert has_words(label), label
    assert texts.RATING_LABELS[1].endswith("Sangat kurang")
    assert texts.RATING_LABELS[5].endswith("Sangat baik")


def test_broadcast_and_summary_are_formal_indonesian() -> None:
    summary = announcements.summary_text(1, dict.fromkeys(("sent", "blocked", "failed"), 0))
    for text in (announcements.broadcast_text(ANNOUNCEMENT), summary):
        assert forbidden_words(text) == [], text
