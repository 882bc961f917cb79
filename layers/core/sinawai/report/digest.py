"""The managers' digest: Indonesian numbers, the summary text, captions and file names (pure)."""

from __future__ import annotations

import html
import re
from datetime import date

from sinawai.common.format_id import tanggal
from sinawai.common.text_limits import MAX_MESSAGE_UTF16, cut_utf16, utf16_len
from sinawai.report.comparison import STOCKS, Report
from sinawai.report.period import Period, period_text

TELEGRAM_TEXT_LIMIT = MAX_MESSAGE_UTF16
LIST_LIMIT = 3  # tickets waiting longest, low ratings, staff: how many the digest shows


def angka(value: float) -> str:
    """1234 → '1.234'."""
    return f"{round(value):,}".replace(",", ".")


def desimal(value: float, places: int = 1) -> str:
    """1234.56 → '1.234,6'."""
    text = f"{value:,.{places}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def persen(value: float) -> str:
    """0.355 → '35,5%'; whole percentages without decimals."""
    pct = value * 100
    return f"{angka(pct)}%" if abs(pct - round(pct)) < 0.05 else f"{desimal(pct)}%"


def jam(value: float) -> str:
    return f"{desimal(value)} jam kerja"


def formatted(value: float | None, kind: str) -> str:
    if value is None:
        return "–"
    if kind == "hours":
        return jam(value)
    if kind == "rate":
        return persen(value)
    if kind == "score":
        return f"{desimal(value)}/5"
    if abs(value - round(value)) > 1e-9:
        return desimal(value)
    return angka(value)


# ---- the digest ------------------------------------------------------------------------------------------


def _b(text: str, rich: bool) -> str:
    return f"<b>{text}</b>" if rich else text


def _e(text: str, rich: bool) -> str:
    return html.escape(text, quote=False) if rich else text


def digest(report: Report, *, rich: bool = True, list_limit: int = LIST_LIMIT) -> str:
    """The managers' summary: headline numbers, what got worse, tickets waiting longest, low ratings.

    ``rich``: Telegram HTML (escaped); otherwise plain text for a terminal. Always within Telegram's
    4096-character limit: lists shrink first, then the text is cut at a line.
    """
    for limit in range(list_limit, -1, -1):
        text = _digest(report, rich=rich, list_limit=limit)
        if utf16_len(text) <= TELEGRAM_TEXT_LIMIT:
            return text
    cut = cut_utf16(text, TELEGRAM_TEXT_LIMIT - 2, ellipsis="").rsplit("\n", 1)[0]
    return cut + "\n…"


TITLES = {
    "daily": "Laporan Harian Sinawai",
    "weekly": "Laporan Mingguan Sinawai",
    "monthly": "Laporan Bulanan Sinawai",
    "range": "Laporan Sinawai",
}
BEFORE = {
    "daily": "hari sebelumnya",
    "weekly": "pekan sebelumnya",
    "monthly": "bulan sebelumnya",
    "range": "periode sebelumnya",
}


def _digest(report: Report, *, rich: bool, list_limit: int) -> str:
    m = report.metrics
    period = report.period
    daily = report.week is not None
    lines = [f"📊 {_b(TITLES[period.kind], rich)}", _e(period_text(period), rich), ""]
    if m.quiet:
        lines.append(
            "Tidak ada aktivitas layanan pada periode ini: tidak ada pesan masuk atau keluar dan tidak ada "
            "konsultasi yang berubah."
        )
        if m.backlog:
            lines.append(f"Konsultasi yang masih terbuka: {angka(m.backlog)}.")
        return "\n".join(lines)
    by_key = {h.key: h for h in report.headlines()}
    before = BEFORE[period.kind]
    lines.append(f"{_b('Angka utama', rich)} ({before}" + (", rata-rata 7 hari)" if daily else ")"))

    def line(key: str, extra: str = "") -> str:
        h = by_key[key]
        notes = [f"{before} {formatted(h.previous, h.kind)}"]
        if daily and key not in STOCKS:
            notes.append(f"rata-rata {formatted(h.baseline, h.kind)}")
        return f"• {h.label}: {formatted(h.value, h.kind)}{extra} ({', '.join(notes)})"

    lines += [line("messages_in"), line("messages_out"), line("active_users"), line("opened")]
    lines.append(
        f"• Dijawab {angka(m.answered)} · ditutup {angka(m.closed)} · masih terbuka {angka(m.backlog)}"
    )
    lines.append(
        line("first_response_median")
        + f"; 90 % tiket dijawab dalam {formatted(m.first_response_p90, 'hours')}"
    )
    lines.append(
        line("resolution_median") + f"; 90 % tiket selesai dalam {formatted(m.resolution_p90, 'hours')}"
    )
    lines.append(
        f"• Melewati target {desimal(m.target_hours)} jam kerja: {angka(m.over_target)} "
        f"({angka(m.answered_late)} dijawab terlambat, {angka(m.waiting_over_target)} masih menunggu)"
    )
    if m.rating_count:
        rate = (
            f", {persen(m.rating_response_rate)} tiket ditutup dinilai"
            if m.rating_response_rate is not None
            else ""
        )
        lines.append(line("rating_average", f" dari {angka(m.rating_count)} penilaian{rate}"))
    else:
        lines.append("• Kepuasan: belum ada penilaian")
    if m.faq_questions:
        lines.append(
            line(
                "deflection_rate",
                f", {angka(m.faq_outcomes['terjawab'])} dari {angka(m.faq_questions)} pertanyaan",
            )
        )
    lines.append(
        f"• Registrasi baru {angka(m.registrations)} · gagal {angka(m.failed_attempts)} · "
        f"terkunci {angka(m.lockouts)}"
    )
    lines.append(line("documents_sent"))

    worse = report.worse()
    if worse:
        lines += ["", _b("Yang memburuk", rich)]
        for h in worse:
            baseline = "rata-rata 7 hari" if daily and h.key not in STOCKS else before
            lines.append(
                f"• {h.label}: {formatted(h.value, h.kind)} ({baseline} {formatted(h.baseline, h.kind)})"
            )
    if m.waiting and list_limit:
        lines += ["", _b("Menunggu jawaban paling lama", rich)]
        for w in m.waiting[:list_limit]:
            unit = f" ({w.unit})" if w.unit else ""
            lines.append(_e(f"• #{w.ticket_id}{unit}: {jam(w.hours)}", rich))
    if m.low_ratings and list_limit:
        lines += ["", _b("Penilaian rendah", rich)]
        for low in m.low_ratings[:list_limit]:
            comment = f'"{_shorten(low.comment, 160)}"' if low.comment else "(tanpa komentar)"
            lines.append(_e(f"• #{low.ticket_id}, {low.rating}/5: {comment}", rich))
    if m.staff_answers and list_limit:
        staff = ", ".join(f"{name} {angka(n)}" for name, n in list(m.staff_answers.items())[:list_limit])
        lines += ["", f"{_b('Jawaban petugas', rich)}: {_e(staff, rich)}"]
    lines += _staff_tools(report, rich=rich, list_limit=list_limit)
    unit = "pekan" if report.trend and report.trend[0].weekly else "hari"
    lines += ["", f"Grafik tren {len(report.trend)} {unit} dan rincian (XLSX) menyusul."]
    return "\n".join(lines)


def _staff_tools(report: Report, *, rich: bool, list_limit: int) -> list[str]:
    """What the staff tools made countable: answers taken from the content, tickets per area, service-target
    reminders per area and hand-overs; only the figures that are not zero, nothing when none is."""
    m, titles = report.metrics, report.titles
    if not m.staff_tools_used:
        return []
    lines = ["", _b("Kerja petugas", rich)]
    if m.canned_answers and list_limit:
        topics = ", ".join(
            f"{titles.topic(topic)} {angka(n)}" for topic, n in list(m.canned_answers.items())[:list_limit]
        )
        total = angka(sum(m.canned_answers.values()))
        lines.append(_e(f"• Jawaban dari materi informasi: {total} ({topics})", rich))
    if m.tickets_by_area:
        areas = " · ".join(f"{titles.area(a)} {angka(n)}" for a, n in m.tickets_by_area.items())
        lines.append(_e(f"• Konsultasi baru per bidang: {areas}", rich))
    if m.sla_by_area:
        areas = " · ".join(f"{titles.area(a)} {angka(n)}" for a, n in m.sla_by_area.items())
        lines.append(_e(f"• Pengingat melewati target layanan: {angka(m.sla_breaches)} ({areas})", rich))
    if m.handovers:
        lines.append(f"• Tiket dialihkan ke petugas lain: {angka(m.handovers)}")
    return lines


def plain(text: str) -> str:
    """An answer written for Telegram HTML, for a terminal: tags dropped, entities unescaped."""
    return html.unescape(re.sub(r"</?(b|i|code)>", "", text))


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def chart_caption(report: Report) -> str:
    weekly = bool(report.trend) and report.trend[0].weekly
    unit = "pekan" if weekly else "hari"
    return (
        f"Tren {len(report.trend)} {unit} s.d. {tanggal(report.period.last)}: konsultasi baru per {unit} dan "
        "waktu separuh tiket dijawab (jam kerja)."
    )


def workbook_caption(report: Report) -> str:
    return f"Rincian laporan {period_text(report.period)}: satu lembar per layanan."


def file_stem(period: Period) -> str:
    if period.is_day:
        return f"laporan-harian-{period.first.isoformat()}"
    if period.is_week:
        return f"laporan-mingguan-{period.first.isoformat()}_{period.last.isoformat()}"
    if period.is_month:
        return f"laporan-bulanan-{period.first:%Y-%m}"
    return f"laporan-{period.first.isoformat()}_{period.last.isoformat()}"


def archive_prefix(day: date) -> str:
    return f"reports/{day:%Y/%m/%d}/"


def archive_prefix_of(period: Period) -> str:
    """Where a period's files go: a week or a month under its first day (as the scheduled runs archive
    them), a day or a range under its last day."""
    return archive_prefix(period.first if period.kind in ("weekly", "monthly") else period.last)
