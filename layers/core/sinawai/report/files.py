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
from sinawai.report.metrics import Metrics
from sinawai.report.period import period_text
from sinawai.report.store import Built

CHART_DPI = 110


def chart_png(rep: Report) -> bytes:
    """Bars: consultations opened per day; line: median first response that day (working hours)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    days = list(range(len(rep.trend)))
    fig, bars_axis = plt.subplots(figsize=(8, 4.2), dpi=CHART_DPI)
    try:
        bars_axis.bar(days, [p.opened for p in rep.trend], color="#9ECAE9", label="Konsultasi baru")
        bars_axis.set_ylabel("Konsultasi baru")
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
            label="Median respons pertama",
        )
        line_axis.set_ylabel("Median respons pertama (jam kerja)")
        medians = [p.first_response_median for p in rep.trend if p.first_response_median is not None]
        line_axis.set_ylim(0, max([1.0, *medians]) * 1.3)
        step = max(1, len(days) // 10)
        bars_axis.set_xticks(days[::step], [p.day.strftime("%d/%m") for p in rep.trend[::step]])
        bars_axis.set_title(f"Sinawai: tren s.d. {tanggal(rep.period.last)}")
        fig.autofmt_xdate()
        handles = bars_axis.get_legend_handles_labels()[0] + line_axis.get_legend_handles_labels()[0]
        bars_axis.legend(handles=handles, loc="upper left", ncols=2, fontsize="small")
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png")
        return out.getvalue()
    finally:
        plt.close(fig)


def _local(moment: datetime | None, zone: ZoneInfo) -> str:
    if moment is None:
        return ""
    return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _summary_rows(rep: Report) -> list[list[Any]]:
    daily = rep.week is not None
    rows: list[list[Any]] = [
        ["Ukuran", "Nilai", "Hari sebelumnya" if daily else "Periode sebelumnya"]
        + (["Rata-rata 7 hari"] if daily else [])
    ]
    for h in rep.headlines():
        row: list[Any] = [h.label, _round(h.value), _round(h.previous)]
        if daily:
            row.append(_round(h.baseline))
        rows.append(row)
    m = rep.metrics
    rows.append([])
    rows.append(["Target layanan (jam kerja)", m.target_hours])
    rows.append(["Dijawab melewati target", m.answered_late])
    rows.append(["Menunggu melewati target", m.waiting_over_target])
    rows.append(["Tingkat penilaian (tiket ditutup yang dinilai)", _round(m.rating_response_rate)])
    for star in range(1, 6):
        rows.append([f"Penilaian {star}", m.rating_distribution[star]])
    for outcome, n in m.faq_outcomes.items():
        rows.append([f"Jawaban otomatis: {outcome}", n])
    return rows


def _consultation_rows(m: Metrics, built: Built, zone: ZoneInfo) -> list[list[Any]]:
    rows: list[list[Any]] = [["Tiket dijawab pertama kali", "Respons pertama (jam kerja)"]]
    rows += [[f"#{tid}", round(h, 2)] for tid, h in sorted(m.first_response_hours.items())]
    rows += [[], ["Tiket ditutup", "Penyelesaian (jam kerja)"]]
    rows += [[f"#{tid}", round(h, 2)] for tid, h in sorted(m.resolution_hours.items())]
    rows += [[], ["Menunggu jawaban", "Unit", "Dibuat (waktu layanan)", "Menunggu (jam kerja)"]]
    rows += [[f"#{w.ticket_id}", w.unit, _local(w.created_at, zone), round(w.hours, 2)] for w in m.waiting]
    rows += [[], ["Petugas", "Jawaban"]]
    rows += [[name, n] for name, n in m.staff_answers.items()]
    rows += [[], ["Penilaian rendah", "Nilai", "Komentar"]]
    rows += [[f"#{low.ticket_id}", low.rating, low.comment] for low in m.low_ratings]
    return rows


def workbook_xlsx(built: Built, zone: ZoneInfo) -> bytes:
    """One sheet for the summary, then one per service area with the period's detail."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    rep, detail = built.report, built.detail
    m = rep.metrics
    usage: list[list[Any]] = [["Layanan", "Pesan masuk"], *[[a, n] for a, n in m.usage_by_area.items()]]
    usage += [[], ["Perintah", "Jumlah"], *[[c, n] for c, n in m.usage_by_command.items()]]
    sheets: dict[str, list[list[Any]]] = {
        "Ringkasan": [[f"Laporan Sinawai: {period_text(rep.period)}"], [], *_summary_rows(rep)],
        "Umum": usage,
        "Registrasi": [["Waktu", "Peristiwa", "NIP (disamarkan)"]]
        + [[_local(a["waktu"], zone), a["event"], a["nip"]] for a in detail.audit],
        "Informasi": [["Bidang", "Topik", "Melalui", "Dilihat"]]
        + [[c["area"], c["topic"], c["via"], int(c["n"])] for c in detail.content]
        + [[], ["Jawaban otomatis ditawarkan", "Hasil", "Skor terbaik", "Tiket"]]
        + [
            [
                _local(f["offered_at"], zone),
                f["outcome"],
                float(f["best_score"]) if f["best_score"] is not None else None,
                f["ticket_id"],
            ]
            for f in detail.faq
        ],
        "Dokumen": [["Dokumen", "Kategori", "Cara kirim", "Jumlah"]]
        + [[d["document_id"], d["category"], d["method"], int(d["n"])] for d in detail.documents],
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
        sheet.column_dimensions["A"].width = 42
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
