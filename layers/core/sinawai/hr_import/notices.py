"""What the staff read about an import (pure): the staff group's message (HTML, under Telegram's limit),
the terminal's text, and the notes on the uploaded file."""

from __future__ import annotations

import html
from collections.abc import Iterable

from sinawai.common.format_id import mask_nip
from sinawai.hr_import.records import KIND_LABELS, ImportResult, Kind, Problem

# Rows listed in one Telegram message; the rest are counted ("… dan N baris lainnya").
MAX_ROWS_IN_MESSAGE = 30
TELEGRAM_TEXT_LIMIT = 4096
_MESSAGE_BUDGET = 3900  # room under Telegram's limit for the closing lines
DELETED_NOTE = "🗑️ Berkas sudah dihapus dari penyimpanan setelah diimpor."
DELETE_FAILED_NOTE = (
    "⚠️ Berkas belum dapat dihapus dari penyimpanan; berkas di folder imports/ terhapus otomatis dalam 1 hari."
)
KEPT_NOTE = (
    "Berkas yang ditolak tetap di penyimpanan dan terhapus otomatis dalam 1 hari. Setelah diperbaiki, "
    "unggah ulang ke folder yang sama."
)


def _grouped(problems: Iterable[Problem]) -> list[tuple[int | None, list[Problem]]]:
    groups: dict[int | None, list[Problem]] = {}
    for p in problems:
        groups.setdefault(p.line, []).append(p)
    return sorted(groups.items(), key=lambda item: -1 if item[0] is None else item[0])


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_message(result: ImportResult, *, note: str | None = None) -> str:
    """The result for the staff group: Indonesian, HTML (escaped), under Telegram's 4096 characters."""

    def e(text: str) -> str:
        return html.escape(text, quote=False)

    label = KIND_LABELS[result.kind]
    head: list[str] = []
    if result.imported:
        head += [
            f"✅ <b>Impor {e(label)} berhasil</b>",
            f"Berkas: <code>{e(_clip(result.file_name, 200))}</code>",
            f"Baris data: {result.rows_total}",
            f"• baru: {result.inserted}",
            f"• diperbarui: {result.updated}",
            f"• tidak berubah: {result.unchanged}",
        ]
        if result.full:
            head += [
                f"• dinonaktifkan: {result.deactivated}{_deactivated_list(result)}",
                f"• akun Telegram dilepas: {result.released}",
                "Mode lengkap: pegawai yang tidak ada di berkas dinonaktifkan dan akun Telegram-nya dilepas.",
            ]
    else:
        bad_rows = len(result.bad_lines)
        head += [
            f"❌ <b>Impor {e(label)} ditolak</b>: tidak ada data yang disimpan.",
            f"Berkas: <code>{e(_clip(result.file_name, 200))}</code>",
        ]
        if bad_rows:
            head.append(
                f"{len(result.problems)} kesalahan pada {bad_rows} baris "
                f"(dari {result.rows_total} baris data). "
                "Perbaiki baris berikut, lalu unggah ulang seluruh berkas:"
            )
        else:
            head.append("Perbaiki hal berikut, lalu unggah ulang berkasnya:")
    tail = [f"⚠️ {e(_clip(w, 300))}" for w in result.warnings]
    if note:
        tail.append(e(note))

    body: list[str] = []
    groups = _grouped(result.problems)
    used = sum(len(x) + 1 for x in head + tail)
    shown = 0
    for line, problems in groups:
        where = "" if line is None else f"<b>Baris {line}</b> — "
        entry = f"• {where}" + e(_clip("; ".join(p.text().rstrip(".") for p in problems) + ".", 400))
        if shown >= MAX_ROWS_IN_MESSAGE or used + len(entry) + 1 > _MESSAGE_BUDGET:
            break
        body.append(entry)
        used += len(entry) + 1
        shown += 1
    if shown < len(groups):
        body.append(f"… dan {len(groups) - shown} baris lainnya.")
    text = "\n".join([*head, *body, *tail])
    if len(text) > TELEGRAM_TEXT_LIMIT:  # a guard: head and tail are clipped, so the body fits the budget
        text = "\n".join([*head, f"… {len(groups)} baris bermasalah tidak dapat ditampilkan di sini."])
    return text


def render_key_problem(key: str, problem: str) -> str:
    """The staff group's message for an upload outside imports/<kind>/ (HTML)."""
    return (
        f"⚠️ <b>Berkas tidak diimpor</b>: <code>{html.escape(_clip(key, 300), quote=False)}</code>\n"
        f"{html.escape(problem, quote=False)}\n"
        "Tidak ada data yang disimpan. Berkas di folder imports/ terhapus otomatis dalam 1 hari."
    )


def _deactivated_list(result: ImportResult) -> str:
    """' (1990**********1001, …, dan N lainnya)': the first few deactivated NIPs, masked."""
    if not result.deactivated_nips:
        return ""
    shown = ", ".join(mask_nip(nip) for nip in result.deactivated_nips)
    more = result.deactivated - len(result.deactivated_nips)
    return f" ({shown}" + (f", dan {more} lainnya" if more > 0 else "") + ")"


def render_text(result: ImportResult) -> str:
    """The result for a terminal (plain text): counts, or every problem with its line number.

    A preview (``dry_run``) says what the import would do; nothing was stored."""
    label = KIND_LABELS[result.kind]
    mode = " mode lengkap" if result.full else ""
    counts = [
        f"  baris data    : {result.rows_total}",
        f"  baru          : {result.inserted}",
        f"  diperbarui    : {result.updated}",
        f"  tidak berubah : {result.unchanged}",
    ]
    if result.full:
        counts += [
            f"  dinonaktifkan : {result.deactivated}{_deactivated_list(result)}",
            f"  akun dilepas  : {result.released}",
        ]
    lines: list[str] = []
    if result.imported:
        if result.dry_run:
            lines.append(f"Ringkasan impor {label}{mode} (belum ada yang disimpan): {result.file_name}")
        else:
            lines.append(f"Impor {label}{mode} berhasil: {result.file_name}")
        lines += counts
    else:
        lines.append(f"Impor {label}{mode} DITOLAK: tidak ada data yang disimpan ({result.file_name}).")
        if result.dry_run and result.full and not result.bad_lines and result.deactivated:
            lines += counts  # refused by the guard: what the file would have done
        if result.bad_lines:
            lines.append(f"{len(result.problems)} kesalahan pada {len(result.bad_lines)} baris:")
        for problem in result.problems:
            where = "berkas" if problem.line is None else f"baris {problem.line}"
            lines.append(f"  {where}: {problem.text()}")
    lines += [f"Peringatan: {w}" for w in result.warnings]
    return "\n".join(lines)


# ---- a large file imported in parts (hr_import.fanout): one message at the start, edited at each quarter --


def render_started(kind: Kind, file_name: str, rows: int, parts: int) -> str:
    """The staff group's message when a large file starts (HTML); edited by ``render_progress``."""
    return (
        f"⏳ <b>Impor {html.escape(KIND_LABELS[kind], quote=False)} dimulai</b>\n"
        f"Berkas: <code>{html.escape(_clip(file_name, 200), quote=False)}</code>\n"
        f"Baris data: {rows}, diproses dalam {parts} bagian.\n"
        "Data baru disimpan setelah semua bagian selesai; jika satu bagian gagal, tidak ada yang disimpan. "
        "Hasilnya dikirim di sini."
    )


def render_progress(kind: Kind, file_name: str, rows: int, done: int, parts: int, percent: int) -> str:
    """The start message at a step: how many parts are done (the text differs at each step)."""
    return (
        f"⏳ <b>Impor {html.escape(KIND_LABELS[kind], quote=False)} berjalan</b>: {percent}%\n"
        f"Berkas: <code>{html.escape(_clip(file_name, 200), quote=False)}</code>\n"
        f"Baris data: {rows}. Bagian selesai: {done} dari {parts}.\n"
        "Data baru disimpan setelah semua bagian selesai. Hasilnya dikirim di sini."
    )


def render_failed(kind: Kind, file_name: str) -> str:
    """The staff group's message when a large file could not be finished: nothing was stored."""
    return (
        f"❌ <b>Impor {html.escape(KIND_LABELS[kind], quote=False)} gagal</b>: "
        "tidak ada data yang disimpan.\n"
        f"Berkas: <code>{html.escape(_clip(file_name, 200), quote=False)}</code>\n"
        "Sebagian berkas tidak dapat diproses setelah beberapa kali dicoba (gangguan sistem, bukan "
        "kesalahan isi berkas). Unggah ulang berkas yang sama ke folder yang sama; jika gagal lagi, hubungi "
        "tim operasional. Berkas di folder imports/ terhapus otomatis dalam 1 hari."
    )
