"""The report as the managers read it: each headline number against the day before and the 7-day
average (or the previous period), and the 30-day trend (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sinawai.common.working_hours import WorkingHours
from sinawai.report.metrics import Metrics, Titles, WorkingClock, aware, percentile
from sinawai.report.period import Period

TREND_DAYS = 30
TREND_WEEKS = 12  # a week's or a month's report: the trend by week over at least this many weeks
WORSE_THRESHOLD = 0.10  # "memburuk": worse than the baseline by more than 10 %


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
    ("first_response_median", "Separuh tiket dijawab dalam", "first_response_median", True, "hours"),
    ("first_response_p90", "90 % tiket dijawab dalam", "first_response_p90", True, "hours"),
    ("resolution_median", "Separuh tiket selesai dalam", "resolution_median", True, "hours"),
    ("over_target", "Melewati target layanan", "over_target", True, "count"),
    ("rating_average", "Kepuasan rata-rata", "rating_average", False, "score"),
    ("deflection_rate", "Terjawab otomatis tanpa petugas", "deflection_rate", False, "rate"),
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
    titles: Titles = field(default_factory=Titles)  # content areas' and topics' titles for the ids

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
    day: date  # the day, or the first day of the week
    opened: int
    first_response_median: float | None
    last: date | None = None  # the week's last day counted (a trend by week); None for a day

    @property
    def weekly(self) -> bool:
        return self.last is not None


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
    first = min([days[0], *(aware(c).astimezone(hours.zone).date() for c, _a in first_answers)])
    clock = WorkingClock(hours, first, days[-1])
    for created, answered in first_answers:
        local_day = aware(answered).astimezone(hours.zone).date()
        per_day.setdefault(local_day, []).append(clock.between(created, answered))
    return [
        TrendPoint(day, int(opened_by_day.get(day, 0)), percentile(per_day.get(day, []), 50)) for day in days
    ]


def by_week(period: Period) -> bool:
    """A week's or a month's report shows its trend by week; a day or a range by day."""
    return period.is_week or period.is_month


def trend_period(period: Period) -> Period:
    """The chart covers the period, and at least the TREND_DAYS days (TREND_WEEKS whole weeks for a week's
    or a month's report) that end with it."""
    if by_week(period):
        monday = period.last - timedelta(days=period.last.weekday())
        return Period(min(period.first, monday - timedelta(weeks=TREND_WEEKS - 1)), period.last)
    return Period(min(period.first, period.last - timedelta(days=TREND_DAYS - 1)), period.last)


def weekly(
    points: Sequence[TrendPoint],
    weeks: Sequence[Period],
    first_answers: Sequence[tuple[datetime, datetime]],
    hours: WorkingHours,
) -> list[TrendPoint]:
    """The daily points summed by week (``weeks``: whole calendar weeks, clipped to the days of
    ``points``), with the median first response of the tickets first answered in each week."""
    if not points:
        return []
    first_day, last_day = points[0].day, points[-1].day
    clock = WorkingClock(
        hours,
        min([first_day, *(aware(c).astimezone(hours.zone).date() for c, _a in first_answers)]),
        last_day,
    )
    result = []
    for week in weeks:
        start, end = max(week.first, first_day), min(week.last, last_day)
        opened = sum(p.opened for p in points if start <= p.day <= end)
        waited = [
            clock.between(created, answered)
            for created, answered in first_answers
            if start <= aware(answered).astimezone(hours.zone).date() <= end
        ]
        result.append(TrendPoint(start, opened, percentile(waited, 50), end))
    return result
