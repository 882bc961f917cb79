"""The evaluation report: periods, every metric's definition, comparisons and the digest text (pure).

This module is the one place where the report's metrics are defined (README, "The evaluation report",
lists them). It imports neither pymysql, boto3 nor telegram: ``report_store`` fetches the facts of a
period from MySQL, this module turns them into numbers and text, ``report_files`` draws the chart and
writes the workbook.

All durations are *working* hours (``WorkingHours``: the service's hours, weekends and national holidays
closed). Moments are naive UTC as stored, unless a name says local.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sinawai.common.format_id import MONTHS
from sinawai.common.numbers import parse_int
from sinawai.common.text_limits import MAX_MESSAGE_UTF16, cut_utf16, utf16_len
from sinawai.common.working_hours import DAY_NAMES, WorkingHours

MAX_PERIOD_DAYS = 366
TREND_DAYS = 30
LOW_RATING = 2  # ratings at or below this are listed with their comments
WORSE_THRESHOLD = 0.10  # "memburuk": worse than the baseline by more than 10 %
DEFAULT_SERVICE_TARGET_WORKING_HOURS = 8.0
TELEGRAM_TEXT_LIMIT = MAX_MESSAGE_UTF16
LIST_LIMIT = 3  # tickets waiting longest, low ratings, staff: how many the digest shows

AREA_LABELS = {
    "general": "Umum",
    "registration": "Registrasi & data pribadi",
    "information": "Informasi",
    "documents": "Dokumen",
    "consultation": "Konsultasi",
    "report": "Laporan",
    None: "Lainnya",
}
FAQ_OUTCOMES = ("terjawab", "diteruskan", "tanpa_kecocokan", "menunggu")


class PeriodError(ValueError):
    """A period the report cannot cover; the message is the Indonesian answer for the user."""


# ---- periods ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Whole local calendar days, ``first`` to ``last`` inclusive, in the service's timezone."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def is_day(self) -> bool:
        return self.first == self.last

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) in naive UTC, as the database stores times."""
        start = datetime.combine(self.first, datetime.min.time(), zone).astimezone(UTC)
        end = datetime.combine(self.last + timedelta(days=1), datetime.min.time(), zone).astimezone(UTC)
        return start.replace(tzinfo=None), end.replace(tzinfo=None)

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1))

    def week_before(self) -> Period:
        return Period(self.first - timedelta(days=7), self.first - timedelta(days=1))

    def each_day(self) -> Iterable[date]:
        for offset in range(self.days):
            yield self.first + timedelta(days=offset)


def tanggal_panjang(day: date) -> str:
    """date(2026, 11, 27) → 'Jumat, 27 November 2026'."""
    return f"{DAY_NAMES[day.weekday()]}, {day.day} {MONTHS[day.month - 1]} {day.year}"


def tanggal(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def period_text(period: Period) -> str:
    if period.is_day:
        return tanggal_panjang(period.first)
    return f"{tanggal(period.first)} – {tanggal(period.last)} ({period.days} hari)"


def _parse_date(text: str) -> date:
    parts = text.strip().split("-")
    numbers = [n for n in (parse_int(p) for p in parts) if n is not None]
    if len(numbers) != 3 or [len(p) for p in parts] != [4, 2, 2]:
        raise PeriodError(
            f"Tanggal <code>{html.escape(text)}</code> tidak dapat dibaca. Gunakan format TTTT-BB-HH, "
            "misalnya <code>/laporan 2026-11-01</code>."
        )
    try:
        return date(*numbers)
    except ValueError as e:
        raise PeriodError(f"Tanggal <code>{html.escape(text)}</code> tidak ada di kalender.") from e


def parse_period(args: Sequence[str], today: date) -> Period:
    """The period asked for: none → yesterday; one date → that day; two dates → that range (inclusive).

    ``today`` is the local date now. Refused (PeriodError): more than two arguments, a malformed or
    non-existent date, a start after the end, a start after today, a range over MAX_PERIOD_DAYS days.
    """
    if len(args) > 2:
        raise PeriodError(
            "Format perintah: <code>/laporan</code> (kemarin), <code>/laporan TTTT-BB-HH</code> (satu hari) "
            "atau <code>/laporan TTTT-BB-HH TTTT-BB-HH</code> (rentang tanggal)."
        )
    if not args:
        yesterday = today - timedelta(days=1)
        return Period(yesterday, yesterday)
    first = _parse_date(args[0])
    last = _parse_date(args[1]) if len(args) == 2 else first
    if last < first:
        raise PeriodError(
            f"Tanggal awal ({tanggal(first)}) jatuh setelah tanggal akhir ({tanggal(last)}). "
            "Tuliskan tanggal awal lebih dahulu."
        )
    if first > today:
        raise PeriodError(f"Tanggal {tanggal(first)} belum terjadi; belum ada data untuk dilaporkan.")
    period = Period(first, last)
    if period.days > MAX_PERIOD_DAYS:
        raise PeriodError(
            f"Rentang {period.days} hari terlalu panjang; laporan paling banyak mencakup "
            f"{MAX_PERIOD_DAYS} hari (satu tahun)."
        )
    return period


def daily_report_date(scheduled_time: datetime, zone: ZoneInfo) -> date:
    """The day the 07:00 schedule reports on: the local calendar day before its scheduled time."""
    return scheduled_time.astimezone(zone).date() - timedelta(days=1)


# ---- the facts of a period (filled by report_store) --------------------------------------------------------


@dataclass(frozen=True)
class TicketFact:
    id: int
    unit: str | None
    created_at: datetime
    first_answer_at: datetime | None
    closed_at: datetime | None
    rating: int | None
    rated_at: datetime | None
    rating_comment: str | None


@dataclass(frozen=True)
class Facts:
    """What happened in a period, as stored; ``as_of`` is the moment the backlog is measured at."""

    period: Period
    as_of: datetime
    messages_in: int = 0
    messages_out: int = 0
    active_users: int = 0
    registrations: int = 0
    failed_attempts: int = 0
    lockouts: int = 0
    usage_by_area: Mapping[str | None, int] = field(default_factory=dict)
    usage_by_command: Mapping[str, int] = field(default_factory=dict)
    faq_outcomes: Mapping[str, int] = field(default_factory=dict)
    content_views: Mapping[str, int] = field(default_factory=dict)
    documents_sent: int = 0
    documents_by_category: Mapping[str, int] = field(default_factory=dict)
    opened: Sequence[TicketFact] = ()
    first_answered: Sequence[TicketFact] = ()
    closed: Sequence[TicketFact] = ()
    rated: Sequence[TicketFact] = ()
    backlog_count: int = 0  # tickets open at ``as_of``
    waiting: Sequence[TicketFact] = ()  # of those, the ones without a first answer at ``as_of``
    staff_answers: Mapping[str, int] = field(default_factory=dict)


# ---- metrics ---------------------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float | None:
    """The p-th percentile by linear interpolation between closest ranks (Excel's PERCENTILE.INC)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Waiting:
    ticket_id: int
    unit: str | None
    created_at: datetime
    hours: float  # working hours waited for a first answer, up to the period's end


@dataclass(frozen=True)
class LowRating:
    ticket_id: int
    rating: int
    comment: str | None


@dataclass(frozen=True)
class Metrics:
    period: Period
    messages_in: int
    messages_out: int
    active_users: int
    registrations: int
    failed_attempts: int
    lockouts: int
    usage_by_area: dict[str, int]
    usage_by_command: dict[str, int]
    faq_outcomes: dict[str, int]
    deflection_rate: float | None
    content_views: dict[str, int]
    opened: int
    answered: int
    closed: int
    backlog: int
    waiting: list[Waiting]
    first_response_median: float | None
    first_response_p90: float | None
    resolution_median: float | None
    resolution_p90: float | None
    target_hours: float
    answered_late: int
    waiting_over_target: int
    rating_count: int
    rating_average: float | None
    rating_distribution: dict[int, int]
    closed_rated: int
    rating_response_rate: float | None
    low_ratings: list[LowRating]
    staff_answers: dict[str, int]
    documents_sent: int
    documents_by_category: dict[str, int]
    first_response_hours: dict[int, float]  # per ticket first answered in the period
    resolution_hours: dict[int, float]  # per ticket closed in the period

    @property
    def over_target(self) -> int:
        return self.answered_late + self.waiting_over_target

    @property
    def faq_questions(self) -> int:
        """Questions the FAQ step decided: answered by it, forwarded to staff, or not matched at all."""
        return sum(n for outcome, n in self.faq_outcomes.items() if outcome != "menunggu")

    @property
    def oldest_waiting_hours(self) -> float | None:
        return self.waiting[0].hours if self.waiting else None

    @property
    def quiet(self) -> bool:
        """Nothing at all happened: no message either way, no ticket moved."""
        return not (
            self.messages_in
            or self.messages_out
            or self.opened
            or self.answered
            or self.closed
            or self.rating_count
            or self.documents_sent
        )


def _hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


class WorkingClock:
    """``WorkingHours.working_time_between`` in hours, fast over long spans: the whole days in between are
    summed from a prefix table of each day's working hours (a ticket open for a year costs two lookups,
    not 365 calendar checks)."""

    def __init__(self, hours: WorkingHours, first: date, last: date) -> None:
        self.hours = hours
        self.first = first
        self._prefix = [0.0]  # _prefix[i]: working hours of the days first … first + i - 1
        day = first
        while day <= last:
            self._prefix.append(self._prefix[-1] + self._day(day))
            day += timedelta(days=1)

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, datetime.min.time(), self.hours.zone)

    def _day(self, day: date) -> float:
        return _hours(
            self.hours.working_time_between(self._midnight(day), self._midnight(day + timedelta(1)))
        )

    def _whole_days(self, first: date, last: date) -> float:
        """Working hours of the days ``first`` … ``last`` (inclusive; zero when first > last)."""
        if first > last:
            return 0.0
        start, end = (first - self.first).days, (last - self.first).days + 1
        if start < 0 or end >= len(self._prefix):
            return sum(self._day(first + timedelta(n)) for n in range((last - first).days + 1))
        return self._prefix[end] - self._prefix[start]

    def between(self, start: datetime, end: datetime) -> float:
        start, end = _aware(start).astimezone(self.hours.zone), _aware(end).astimezone(self.hours.zone)
        if end <= start:
            return 0.0
        if start.date() == end.date():
            return _hours(self.hours.working_time_between(start, end))
        first_day_end = self._midnight(start.date() + timedelta(1))
        head = _hours(self.hours.working_time_between(start, first_day_end))
        tail = _hours(self.hours.working_time_between(self._midnight(end.date()), end))
        return head + self._whole_days(start.date() + timedelta(1), end.date() - timedelta(1)) + tail


def _clock_for(facts: Facts, hours: WorkingHours) -> WorkingClock:
    moments = [t.created_at for group in (facts.first_answered, facts.closed, facts.waiting) for t in group]
    first = min(moments, default=facts.as_of)
    return WorkingClock(hours, _aware(first).astimezone(hours.zone).date(), _aware(facts.as_of).date())


def compute(facts: Facts, hours: WorkingHours, target_hours: float) -> Metrics:
    """Every metric of the period from its facts (definitions: README, "The evaluation report")."""
    as_of = _aware(facts.as_of)
    clock = _clock_for(facts, hours)

    def worked(start: datetime, end: datetime) -> float:
        return clock.between(start, end)

    first_response = {
        t.id: worked(t.created_at, t.first_answer_at) for t in facts.first_answered if t.first_answer_at
    }
    resolution = {t.id: worked(t.created_at, t.closed_at) for t in facts.closed if t.closed_at}
    waiting = sorted(
        (Waiting(t.id, t.unit, t.created_at, worked(t.created_at, as_of)) for t in facts.waiting),
        key=lambda w: (-w.hours, w.created_at, w.ticket_id),
    )
    ratings = [t.rating for t in facts.rated if t.rating is not None]
    distribution = {n: ratings.count(n) for n in range(1, 6)}
    closed_rated = sum(1 for t in facts.closed if t.rated_at is not None and _aware(t.rated_at) <= as_of)
    faq = {outcome: int(facts.faq_outcomes.get(outcome, 0)) for outcome in FAQ_OUTCOMES}
    decided = faq["terjawab"] + faq["diteruskan"] + faq["tanpa_kecocokan"]
    low = [
        LowRating(t.id, t.rating, t.rating_comment)
        for t in sorted(facts.rated, key=lambda t: (t.rating or 0, t.id))
        if t.rating is not None and t.rating <= LOW_RATING
    ]
    area_usage = {
        AREA_LABELS.get(area, str(area)): n
        for area, n in sorted(facts.usage_by_area.items(), key=lambda kv: (-kv[1], str(kv[0])))
    }
    return Metrics(
        period=facts.period,
        messages_in=facts.messages_in,
        messages_out=facts.messages_out,
        active_users=facts.active_users,
        registrations=facts.registrations,
        failed_attempts=facts.failed_attempts,
        lockouts=facts.lockouts,
        usage_by_area=area_usage,
        usage_by_command=dict(sorted(facts.usage_by_command.items(), key=lambda kv: (-kv[1], kv[0]))),
        faq_outcomes=faq,
        deflection_rate=faq["terjawab"] / decided if decided else None,
        content_views=dict(sorted(facts.content_views.items(), key=lambda kv: (-kv[1], kv[0]))),
        opened=len(facts.opened),
        answered=len(facts.first_answered),
        closed=len(facts.closed),
        backlog=facts.backlog_count,
        waiting=waiting,
        first_response_median=percentile(list(first_response.values()), 50),
        first_response_p90=percentile(list(first_response.values()), 90),
        resolution_median=percentile(list(resolution.values()), 50),
        resolution_p90=percentile(list(resolution.values()), 90),
        target_hours=target_hours,
        answered_late=sum(1 for h in first_response.values() if h > target_hours),
        waiting_over_target=sum(1 for w in waiting if w.hours > target_hours),
        rating_count=len(ratings),
        rating_average=sum(ratings) / len(ratings) if ratings else None,
        rating_distribution=distribution,
        closed_rated=closed_rated,
        rating_response_rate=closed_rated / len(facts.closed) if facts.closed else None,
        low_ratings=low,
        staff_answers=dict(sorted(facts.staff_answers.items(), key=lambda kv: (-kv[1], kv[0]))),
        documents_sent=facts.documents_sent,
        documents_by_category=dict(
            sorted(facts.documents_by_category.items(), key=lambda kv: (-kv[1], kv[0]))
        ),
        first_response_hours=first_response,
        resolution_hours=resolution,
    )


# ---- comparisons -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    """A number of the digest: its value, and how it compares (None: no comparison possible)."""

    key: str
    label: str
    value: float | None
    previous: float | None
    baseline: float | None  # the 7-day average (a day), or the previous period (a longer period)
    higher_is_worse: bool
    kind: str  # count | hours | rate | score
    judged: bool = True  # False: a volume, neither better nor worse when it moves

    @property
    def worse(self) -> bool:
        """Worse than the baseline by more than WORSE_THRESHOLD (relative; any rise from zero counts)."""
        if not self.judged or self.value is None or self.baseline is None:
            return False
        if self.higher_is_worse:
            if self.baseline == 0:
                return self.value > 0
            return self.value > self.baseline * (1 + WORSE_THRESHOLD)
        return self.value < self.baseline * (1 - WORSE_THRESHOLD)


# (key, label, attribute, higher_is_worse, kind): the headline numbers, in the digest's order.
HEADLINES: tuple[tuple[str, str, str, bool | None, str], ...] = (
    ("messages_in", "Pesan masuk", "messages_in", None, "count"),
    ("messages_out", "Pesan keluar", "messages_out", None, "count"),
    ("active_users", "Pengguna aktif", "active_users", None, "count"),
    ("opened", "Konsultasi baru", "opened", None, "count"),
    ("answered", "Konsultasi dijawab", "answered", None, "count"),
    ("closed", "Konsultasi ditutup", "closed", None, "count"),
    ("backlog", "Masih terbuka", "backlog", True, "count"),
    ("first_response_median", "Respons pertama (median)", "first_response_median", True, "hours"),
    ("first_response_p90", "Respons pertama (p90)", "first_response_p90", True, "hours"),
    ("resolution_median", "Penyelesaian (median)", "resolution_median", True, "hours"),
    ("over_target", "Melewati target layanan", "over_target", True, "count"),
    ("rating_average", "Kepuasan rata-rata", "rating_average", False, "score"),
    ("deflection_rate", "Terjawab FAQ tanpa petugas", "deflection_rate", False, "rate"),
    ("registrations", "Registrasi baru", "registrations", None, "count"),
    ("failed_attempts", "Percobaan registrasi gagal", "failed_attempts", True, "count"),
    ("lockouts", "Akun terkunci", "lockouts", True, "count"),
    ("documents_sent", "Dokumen terkirim", "documents_sent", None, "count"),
)
# What stands at the end of a day (not a flow during it) is compared with the day before only.
STOCKS = frozenset({"backlog", "over_target"})
# Counts are averaged per day over the week; times, rates and scores are taken over the whole week.
AVERAGED_PER_DAY = {key for key, *_rest, kind in HEADLINES if kind == "count"} - STOCKS


def _value(metrics: Metrics, attribute: str) -> float | None:
    value = getattr(metrics, attribute)
    return None if value is None else float(value)


@dataclass(frozen=True)
class Report:
    metrics: Metrics
    previous: Metrics
    week: Metrics | None  # the 7 days before a daily report's day; None for longer periods
    trend: list[TrendPoint]

    @property
    def period(self) -> Period:
        return self.metrics.period

    def headlines(self) -> list[Headline]:
        result = []
        for key, label, attribute, higher_is_worse, kind in HEADLINES:
            value = _value(self.metrics, attribute)
            previous = _value(self.previous, attribute)
            if self.week is not None:
                baseline = _value(self.week, attribute)
                if baseline is not None and key in AVERAGED_PER_DAY:
                    baseline /= self.week.period.days
                if key in STOCKS:
                    baseline = previous
            else:
                baseline = previous
            judged = higher_is_worse is not None
            result.append(
                Headline(key, label, value, previous, baseline, bool(higher_is_worse), kind, judged)
            )
        return result

    def worse(self) -> list[Headline]:
        """The judged numbers that are worse than their baseline."""
        return [h for h in self.headlines() if h.judged and h.worse]


# ---- the 30-day trend ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    day: date
    opened: int
    first_response_median: float | None


def trend(
    days: Sequence[date],
    opened_by_day: Mapping[date, int],
    first_answers: Sequence[tuple[datetime, datetime]],
    hours: WorkingHours,
) -> list[TrendPoint]:
    """Consultations opened per local day, and the median first-response time of the tickets first
    answered that day (working hours)."""
    per_day: dict[date, list[float]] = {}
    if not days:
        return []
    first = min([days[0], *(_aware(c).astimezone(hours.zone).date() for c, _a in first_answers)])
    clock = WorkingClock(hours, first, days[-1])
    for created, answered in first_answers:
        local_day = _aware(answered).astimezone(hours.zone).date()
        per_day.setdefault(local_day, []).append(clock.between(created, answered))
    return [
        TrendPoint(day, int(opened_by_day.get(day, 0)), percentile(per_day.get(day, []), 50)) for day in days
    ]


def trend_period(period: Period) -> Period:
    """The chart covers the period, and at least the TREND_DAYS days that end with it."""
    return Period(min(period.first, period.last - timedelta(days=TREND_DAYS - 1)), period.last)


# ---- Indonesian numbers ----------------------------------------------------------------------------------


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


def _digest(report: Report, *, rich: bool, list_limit: int) -> str:
    m = report.metrics
    period = report.period
    daily = report.week is not None
    title = "Laporan Harian Sinawai" if daily else "Laporan Sinawai"
    lines = [f"📊 {_b(title, rich)}", _e(period_text(period), rich), ""]
    if m.quiet:
        lines.append(
            "Tidak ada aktivitas layanan pada periode ini: tidak ada pesan masuk atau keluar dan tidak ada "
            "konsultasi yang berubah."
        )
        if m.backlog:
            lines.append(f"Konsultasi yang masih terbuka: {angka(m.backlog)}.")
        return "\n".join(lines)
    by_key = {h.key: h for h in report.headlines()}
    before = "kemarin" if daily else "periode sebelumnya"
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
    lines.append(line("first_response_median", f", p90 {formatted(m.first_response_p90, 'hours')}"))
    lines.append(line("resolution_median", f", p90 {formatted(m.resolution_p90, 'hours')}"))
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
    lines += ["", f"Grafik tren {len(report.trend)} hari dan rincian (XLSX) menyusul."]
    return "\n".join(lines)


def plain(text: str) -> str:
    """An answer written for Telegram HTML, for a terminal: tags dropped, entities unescaped."""
    return html.unescape(re.sub(r"</?(b|i|code)>", "", text))


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def chart_caption(report: Report) -> str:
    return (
        f"Tren {len(report.trend)} hari s.d. {tanggal(report.period.last)}: konsultasi baru dan "
        "median respons pertama (jam kerja)."
    )


def workbook_caption(report: Report) -> str:
    return f"Rincian laporan {period_text(report.period)}: satu lembar per layanan."


def file_stem(period: Period) -> str:
    if period.is_day:
        return f"laporan-harian-{period.first.isoformat()}"
    return f"laporan-{period.first.isoformat()}_{period.last.isoformat()}"


def archive_prefix(day: date) -> str:
    return f"reports/{day:%Y/%m/%d}/"
