"""The evaluation report's metrics: the facts of a period and every metric's definition (pure).

This module is the one place where the report's metrics are defined (README, "The evaluation report",
lists them). It imports neither pymysql, boto3 nor telegram: ``report.store`` fetches the facts of a
period from MySQL, this module turns them into numbers, ``report.comparison`` sets them against the days
before, ``report.digest`` writes the text and ``report.files`` draws the chart and writes the workbook.

All durations are *working* hours (``WorkingHours``: the service's hours, weekends and national holidays
closed). Moments are naive UTC as stored, unless a name says local.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sinawai.common.working_hours import WorkingHours
from sinawai.report.period import Period

LOW_RATING = 2  # ratings at or below this are listed with their comments
DEFAULT_SERVICE_TARGET_WORKING_HOURS = 8.0

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
FAQ_OUTCOME_LABELS = {
    "terjawab": "Terjawab otomatis",
    "diteruskan": "Diteruskan ke petugas",
    "tanpa_kecocokan": "Tanpa jawaban yang cocok",
    "menunggu": "Belum dipilih",
}
AUDIT_LABELS = {
    "register_success": "Registrasi berhasil",
    "register_failure": "Registrasi gagal",
    "register_locked": "Registrasi ditolak (terkunci)",
    "lockout": "Akun terkunci",
    "unbind": "Akun dilepas dari Telegram",
}
CHANNEL_LABELS = {"command": "Perintah", "button": "Tombol menu", "faq": "Jawaban otomatis"}
# How a document reached the employee (document_send.method)
SEND_METHOD_LABELS = {
    "upload": "Unggah pertama",
    "file_id": "Kirim ulang (berkas tersimpan)",
    "link": "Tautan sementara",
}


def document_category(category: str | None) -> str:
    """A document category as the menu names it ("surat-edaran" → "Surat edaran"); none: "Lainnya"."""
    return (category or "lainnya").replace("-", " ").capitalize()


# The ticket areas of the staff tools (issue 15): a ticket without an ``area_set`` event is "umum".
TICKET_AREAS = ("renbangkompeg", "mutasi", "jahdis", "pengkinpeg", "umum")
TICKET_AREA_LABELS = {
    "renbangkompeg": "Renbangkompeg",
    "mutasi": "Mutasi",
    "jahdis": "Jahdis",
    "pengkinpeg": "Pengkinpeg",
    "umum": "Umum",
}
DEFAULT_TICKET_AREA = "umum"


@dataclass(frozen=True)
class Titles:
    """Names a reader understands for the ids the record keeps: content areas and topics as the published
    content bundle titles them (empty when it cannot be read: the ids are shown then)."""

    areas: Mapping[str, str] = field(default_factory=dict)
    topics: Mapping[str, str] = field(default_factory=dict)

    def area(self, area_id: str | None) -> str:
        if not area_id:
            return TICKET_AREA_LABELS[DEFAULT_TICKET_AREA]
        return self.areas.get(area_id) or TICKET_AREA_LABELS.get(area_id) or area_id

    def topic(self, topic_id: str | None) -> str:
        if not topic_id:
            return "(menu)"
        return self.topics.get(topic_id) or topic_id


def label(labels: Mapping[str, str], code: str | None) -> str:
    """A code's Indonesian label; an unknown code as it is (never blank)."""
    if code is None:
        return "–"
    return labels.get(code, code)


def ticket_area(area: str | None) -> str:
    """An ``area_set`` event's area, as the report groups it: unknown or missing → umum."""
    return area if area in TICKET_AREAS else DEFAULT_TICKET_AREA


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
    # from the staff tools' ticket events (issue 15; none yet → empty)
    canned_answers: Mapping[str, int] = field(default_factory=dict)  # topic id → answers
    ticket_areas: Mapping[int, str | None] = field(default_factory=dict)  # ticket opened → latest area
    sla_reminders: Sequence[str | None] = ()  # the area of each ``sla_reminded`` event
    handovers: int = 0


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
    canned_answers: dict[str, int] = field(default_factory=dict)  # topic id → answers, most first
    tickets_by_area: dict[str, int] = field(default_factory=dict)  # area id → tickets opened
    sla_by_area: dict[str, int] = field(default_factory=dict)  # area id → service-target reminders
    handovers: int = 0

    @property
    def sla_breaches(self) -> int:
        return sum(self.sla_by_area.values())

    @property
    def staff_tools_used(self) -> bool:
        """The staff tools left a trace: canned answers, areas set, reminders or hand-overs."""
        return bool(
            self.canned_answers
            or self.sla_by_area
            or self.handovers
            or any(area != DEFAULT_TICKET_AREA for area in self.tickets_by_area)
        )

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


def aware(moment: datetime) -> datetime:
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
        start, end = aware(start).astimezone(self.hours.zone), aware(end).astimezone(self.hours.zone)
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
    return WorkingClock(hours, aware(first).astimezone(hours.zone).date(), aware(facts.as_of).date())


def compute(facts: Facts, hours: WorkingHours, target_hours: float) -> Metrics:
    """Every metric of the period from its facts (definitions: README, "The evaluation report")."""
    as_of = aware(facts.as_of)
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
    closed_rated = sum(1 for t in facts.closed if t.rated_at is not None and aware(t.rated_at) <= as_of)
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
        canned_answers=_most_first(facts.canned_answers),
        tickets_by_area=_by_area(ticket_area(a) for a in facts.ticket_areas.values()),
        sla_by_area=_by_area(ticket_area(a) for a in facts.sla_reminders),
        handovers=facts.handovers,
    )


def _most_first(counts: Mapping[str, int]) -> dict[str, int]:
    return dict(sorted(((k, int(n)) for k, n in counts.items() if n), key=lambda kv: (-kv[1], kv[0])))


def _by_area(areas: Iterable[str]) -> dict[str, int]:
    """Counts per ticket area, in the areas' fixed order, areas without any left out."""
    counted: dict[str, int] = {}
    for area in areas:
        counted[area] = counted.get(area, 0) + 1
    return {area: counted[area] for area in TICKET_AREAS if area in counted}
