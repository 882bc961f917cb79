"""The report's files: the 30-day trend chart (PNG, matplotlib) and the detail workbook (XLSX, openpyxl).

matplotlib and openpyxl are imported inside the functions: the core layer does not ship them, only the
ReportFunction's package (functions/report/requirements.txt) and the development setup do.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sinawai.common.format_id import tanggal
from sinawai.report import digest
from sinawai.report.comparison import Report
from sinawai.report.metrics import (
    AUDIT_LABELS,
    CHANNEL_LABELS,
    FAQ_OUTCOME_LABELS,
    SEND_METHOD_LABELS,
    TICKET_AREAS,
    Metrics,
    document_category,
    label,
)
from sinawai.report.period import period_text
from sinawai.report.store import Built

CHART_DPI = 110


def count_tick(value: float, _position: int | None = None) -> str:
    """A count axis' tick: whole numbers the Indonesian way (1.234); a fraction, never placed by the
    integer locator, is left blank rather than shown as a count of half a consultation."""
    return digest.angka(value) if abs(value - round(value)) < 1e-9 else ""


def hours_tick(value: float, _position: int | None = None) -> str:
    """The working-hours axis' tick, with a decimal comma: 2.5 → '2,5'."""
    return digest.desimal(value)


def chart_png(rep: Report) -> bytes:
    """Bars: consultations opened per day (week); line: median first response that day (working hours)."""
    from matplotlib import pyplot as plt

    fig = chart_figure(rep)
    try:
        out = io.BytesIO()
        fig.savefig(out, format="png")
        return out.getvalue()
    finally:
        plt.close(fig)


def chart_figure(rep: Report) -> Any:
    """The chart as a matplotlib figure (the caller closes it): its first axes the counts, its second the
    working hours."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    days = list(range(len(rep.trend)))
    fig, bars_axis = plt.subplots(figsize=(8, 4.2), dpi=CHART_DPI)
    try:
        from matplotlib.ticker import FuncFormatter, MaxNLocator

        weekly = bool(rep.trend) and rep.trend[0].weekly
        unit = "pekan" if weekly else "hari"
        bars_axis.bar(
            days, [p.opened for p in rep.trend], color="#9ECAE9", label=f"Konsultasi baru per {unit}"
        )
        bars_axis.set_ylabel(f"Konsultasi baru per {unit}")
        bars_axis.yaxis.set_major_locator(MaxNLocator(integer=True))
        bars_axis.yaxis.set_major_formatter(FuncFormatter(count_tick))
        # headroom above the tallest bar for the legend
        bars_axis.set_ylim(0, max([1, *(p.opened for p in rep.trend)]) * 1.3)
        line_axis = bars_axis.twinx()
        line_axis.plot(
            days,
            [
                p.first_response_median if p.first_response_median is not None else float("nan")
                for p in rep.trend
            ],
            color="#E45756",
            marker="o",
            markersize=3,
            label="Separuh tiket dijawab dalam (jam kerja)",
        )
        line_axis.set_ylabel("Separuh tiket dijawab dalam (jam kerja)")
        line_axis.yaxis.set_major_formatter(FuncFormatter(hours_tick))
        medians = [p.first_response_median for p in rep.trend if p.first_response_median is not None]
        line_axis.set_ylim(0, max([1.0, *medians]) * 1.3)
        step = max(1, len(days) // 10)
        bars_axis.set_xticks(days[::step], [p.day.strftime("%d/%m") for p in rep.trend[::step]])
        bars_axis.set_title(
            f"Konsultasi baru dan waktu jawaban pertama per {unit}\n"
            f"{len(rep.trend)} {unit} s.d. {tanggal(rep.period.last)}"
        )
        fig.autofmt_xdate()
        handles = bars_axis.get_legend_handles_labels()[0] + line_axis.get_legend_handles_labels()[0]
        bars_axis.legend(handles=handles, loc="upper left", ncols=2, fontsize="small")
        fig.tight_layout()
    except Exception:
        plt.close(fig)
        raise
    return fig


def _local(moment: datetime | None, zone: ZoneInfo) -> str:
    if moment is None:
        return ""
    return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


RATE_KEYS = frozenset({"deflection_rate"})
PERCENT_FORMAT = "0.0%"
HOURS_FORMAT = "0.00"


def _summary_rows(rep: Report) -> tuple[list[list[Any]], set[int]]:
    """The summary's rows, and the row numbers (1-based, under the title) whose values are rates."""
    period_word = {"daily": "Hari", "weekly": "Pekan", "monthly": "Bulan"}.get(rep.period.kind, "Periode")
    daily = rep.week is not None
    rows: list[list[Any]] = [
        ["Ukuran", "Nilai", f"{period_word} sebelumnya"] + (["Rata-rata 7 hari"] if daily else [])
    ]
    rates: set[int] = set()
    for h in rep.headlines():
        row: list[Any] = [h.label + (" (jam kerja)" if h.kind == "hours" else ""), _round(h.value)]
        row.append(_round(h.previous))
        if daily:
            row.append(_round(h.baseline))
        if h.kind == "rate":
            rates.add(len(rows) + 1)
        rows.append(row)
    m = rep.metrics
    rows.append([])
    rows.append(["Target layanan (jam kerja)", m.target_hours])
    rows.append(["Dijawab melewati target", m.answered_late])
    rows.append(["Menunggu melewati target", m.waiting_over_target])
    rates.add(len(rows) + 1)
    rows.append(["Tiket ditutup yang dinilai", _round(m.rating_response_rate)])
    for star in range(1, 6):
        rows.append([f"Penilaian {star}", m.rating_distribution[star]])
    for outcome, n in m.faq_outcomes.items():
        rows.append([f"Pertanyaan bebas: {label(FAQ_OUTCOME_LABELS, outcome)}", n])
    rows.append([])
    rows.append(["Tiket dialihkan ke petugas lain", m.handovers])
    rows.append(["Pengingat melewati target layanan", m.sla_breaches])
    return rows, rates


def _consultation_rows(m: Metrics, built: Built, zone: ZoneInfo) -> list[list[Any]]:
    titles = built.report.titles
    rows: list[list[Any]] = [["Tiket dijawab pertama kali", "Respons pertama (jam kerja)"]]
    rows += [[f"#{tid}", round(h, 2)] for tid, h in sorted(m.first_response_hours.items())]
    rows += [[], ["Tiket ditutup", "Penyelesaian (jam kerja)"]]
    rows += [[f"#{tid}", round(h, 2)] for tid, h in sorted(m.resolution_hours.items())]
    rows += [[], ["Menunggu jawaban", "Unit", "Dibuat (waktu layanan)", "Menunggu (jam kerja)"]]
    rows += [[f"#{w.ticket_id}", w.unit, _local(w.created_at, zone), round(w.hours, 2)] for w in m.waiting]
    rows += [[], ["Petugas", "Jawaban"]]
    rows += [[name, n] for name, n in m.staff_answers.items()]
    rows += [[], ["Jawaban dari materi informasi", "Jumlah"]]
    rows += [[titles.topic(topic), n] for topic, n in m.canned_answers.items()]
    rows += [[], ["Bidang", "Konsultasi baru", "Pengingat melewati target"]]
    for area in TICKET_AREAS:
        if area in m.tickets_by_area or area in m.sla_by_area:
            rows.append([titles.area(area), m.tickets_by_area.get(area, 0), m.sla_by_area.get(area, 0)])
    rows += [[], ["Penilaian rendah", "Nilai", "Komentar"]]
    rows += [[f"#{low.ticket_id}", low.rating, low.comment] for low in m.low_ratings]
    return rows


def _width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, float):
        return len(f"{value:.2f}")
    return max((len(part) for part in str(value).split("\n")), default=0)


def workbook_xlsx(built: Built, zone: ZoneInfo) -> bytes:
    """One sheet for the summary, then one per service area with the period's detail: labels instead of
    codes, rates in a percent format, columns as wide as their text, the header row frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    rep, detail = built.report, built.detail
    titles = rep.titles
    m = rep.metrics
    usage: list[list[Any]] = [["Layanan", "Pesan masuk"], *[[a, n] for a, n in m.usage_by_area.items()]]
    usage += [[], ["Perintah", "Jumlah"], *[[c, n] for c, n in m.usage_by_command.items()]]
    summary, rates = _summary_rows(rep)
    sheets: dict[str, list[list[Any]]] = {
        "Ringkasan": [*summary, [], [f"Laporan Sinawai: {period_text(rep.period)}"]],
        "Umum": usage,
        "Registrasi": [["Waktu", "Peristiwa", "NIP (disamarkan)"]]
        + [[_local(a["waktu"], zone), label(AUDIT_LABELS, a["event"]), a["nip"]] for a in detail.audit],
        "Informasi": [["Bidang", "Topik", "Melalui", "Dilihat"]]
        + [
            [titles.area(c["area"]), titles.topic(c["topic"]), label(CHANNEL_LABELS, c["via"]), int(c["n"])]
            for c in detail.content
        ]
        + [[], ["Pertanyaan bebas", "Hasil", "Skor kecocokan terbaik", "Tiket"]]
        + [
            [
                _local(f["offered_at"], zone),
                label(FAQ_OUTCOME_LABELS, f["outcome"]),
                float(f["best_score"]) if f["best_score"] is not None else None,
                f"#{f['ticket_id']}" if f["ticket_id"] is not None else None,
            ]
            for f in detail.faq
        ],
        "Dokumen": [["Dokumen", "Kategori", "Cara kirim", "Jumlah"]]
        + [
            [
                d["title"] or f"Dokumen {d['document_id']} (sudah dihapus)",
                document_category(d["category"]),
                label(SEND_METHOD_LABELS, d["method"]),
                int(d["n"]),
            ]
            for d in detail.documents
        ],
        "Konsultasi": _consultation_rows(m, built, zone),
    }
    book = Workbook()
    first = True
    for title, rows in sheets.items():
        sheet = book.active if first and book.active is not None else book.create_sheet()
        first = False
        sheet.title = title
        for row in rows:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        widths: dict[int, int] = {}
        for row in rows:
            for column, value in enumerate(row, start=1):
                widths[column] = max(widths.get(column, 0), _width(value))
        for column, width in widths.items():
            sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 10), 80)
        for row_cells in sheet.iter_rows(min_row=2):
            for cell in row_cells:
                if isinstance(cell.value, float):
                    cell.number_format = HOURS_FORMAT
    sheet = book["Ringkasan"]
    for number in rates:
        for cell in sheet[number][1:]:
            if cell.value is not None:
                cell.number_format = PERCENT_FORMAT
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def files_of(built: Built, zone: ZoneInfo) -> dict[str, tuple[bytes, str]]:
    """File name → (content, MIME type), as sent and archived."""
    stem = digest.file_stem(built.report.period)
    return {
        f"{stem}.png": (chart_png(built.report), "image/png"),
        f"{stem}.xlsx": (
            workbook_xlsx(built, zone),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        f"{stem}.txt": (digest.digest(built.report, rich=False).encode(), "text/plain; charset=utf-8"),
    }
