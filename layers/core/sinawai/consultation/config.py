"""The consultation's settings: the environment variables only this feature reads (names in DESIGN.md), and
the working hours of the shared ``Settings`` (``WORKING_HOURS`` is read there, once for every feature)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from sinawai.common.working_hours import ServiceHours, WorkCalendar, WorkingHours, service_hours
from sinawai.consultation import choices, faq, staff_list, tickets
from sinawai.platform.config import Settings


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


DEFAULT_MESSAGES_PER_MINUTE = 20
DEFAULT_SLA_HOURS = 8.0


def _sla_hours(settings: Settings) -> float:
    """Working hours a ticket may wait for its first answer before it is raised: its own variable, else the
    report's service target (the same promise), else 8. A value that is not a number falls back to 8."""
    raw = os.environ.get("CONSULTATION_SLA_REMINDER_HOURS", "").strip() or (
        settings.report_target_working_hours or ""
    )
    try:
        return max(0.0, float(raw)) if raw else DEFAULT_SLA_HOURS
    except ValueError:
        return DEFAULT_SLA_HOURS


def _forum_topics() -> str:
    """CONSULTATION_FORUM_TOPICS: "ticket" (true, 1, yes: a topic per ticket), "area" (a topic per area), or
    "off" (anything else: no topics)."""
    raw = os.environ.get("CONSULTATION_FORUM_TOPICS", "").strip().lower()
    if raw in ("1", "true", "yes"):
        return "ticket"
    return "area" if raw == "area" else "off"


# Slots are counted when the bot sends; Telegram counts when a post arrives: a little slack between them.
WINDOW_SLACK = 1.05


@dataclass(frozen=True)
class Pacing:
    """How many posts the staff group takes per sliding window."""

    messages: int
    window: timedelta

    @classmethod
    def from_env(cls) -> Pacing:
        messages = os.environ.get("STAFF_GROUP_MESSAGES_PER_MINUTE", "").strip()
        seconds = os.environ.get("STAFF_GROUP_WINDOW_SECONDS", "").strip()
        return cls(
            int(messages) if messages else DEFAULT_MESSAGES_PER_MINUTE,
            timedelta(seconds=float(seconds) if seconds else 60.0) * WINDOW_SLACK,
        )


@dataclass(frozen=True)
class ConsultationSettings:
    staff_group: int | None  # STAFF_GROUP_CHAT_ID: where tickets go (None: the service is not ready)
    service_hours: ServiceHours  # WORKING_HOURS, national holidays and the calendar OSDM publishes
    reopen_window: timedelta
    forum_topics: bool  # CONSULTATION_FORUM_TOPICS=true: one forum topic per ticket
    rate_limit_messages: int
    rate_limit_window: timedelta
    delivery_queue_url: str  # empty: the staff-group posts go out at once, not through the queue
    pacing: Pacing
    faq_threshold: float
    auto_close_working_days: int
    max_open_tickets: int = choices.DEFAULT_MAX_OPEN_TICKETS  # CONSULTATION_MAX_OPEN_TICKETS
    # CONSULTATION_SLA_REMINDER_HOURS, else REPORT_SERVICE_TARGET_WORKING_HOURS, else 8; 0: no reminders
    sla_reminder_hours: float = DEFAULT_SLA_HOURS
    # CONSULTATION_FORUM_TOPICS=area: one forum topic per area of Biro OSDM (forum_topics is then False)
    forum_topics_by_area: bool = False
    # CONSULTATION_BURST_THRESHOLD: above this many posts waiting for the staff group, new tickets go as
    # compact list messages (staff_list.py); 0: never
    burst_threshold: int = staff_list.DEFAULT_BURST_THRESHOLD

    @property
    def burst(self) -> staff_list.Burst:
        return staff_list.Burst(self.burst_threshold, self.pacing.window)

    @property
    def hours(self) -> WorkingHours:
        """The working hours with the calendar published now (cuti bersama, special hours)."""
        return self.service_hours.current()

    @property
    def zone(self) -> ZoneInfo:
        return self.service_hours.zone

    @classmethod
    def from_env(
        cls, settings: Settings, calendar: Callable[[], WorkCalendar] | None = None
    ) -> ConsultationSettings:
        """``calendar``: the published working calendar (the content store's), asked when hours are used."""
        return cls(
            staff_group=settings.staff_group_chat_id,
            service_hours=service_hours(settings.working_hours, settings.timezone, calendar),
            reopen_window=timedelta(
                hours=_int_env("CONSULTATION_REOPEN_HOURS", tickets.DEFAULT_REOPEN_HOURS)
            ),
            forum_topics=_forum_topics() == "ticket",
            rate_limit_messages=_int_env(
                "CONSULTATION_RATE_LIMIT_MESSAGES", tickets.DEFAULT_RATE_LIMIT_MESSAGES
            ),
            rate_limit_window=timedelta(
                seconds=_int_env("CONSULTATION_RATE_LIMIT_SECONDS", tickets.DEFAULT_RATE_LIMIT_SECONDS)
            ),
            delivery_queue_url=os.environ.get("STAFF_DELIVERY_QUEUE_URL", "").strip(),
            pacing=Pacing.from_env(),
            faq_threshold=float(os.environ.get("FAQ_MATCH_THRESHOLD", "").strip() or faq.DEFAULT_THRESHOLD),
            auto_close_working_days=_int_env(
                "CONSULTATION_AUTO_CLOSE_WORKING_DAYS", tickets.DEFAULT_AUTO_CLOSE_WORKING_DAYS
            ),
            max_open_tickets=max(
                1, _int_env("CONSULTATION_MAX_OPEN_TICKETS", choices.DEFAULT_MAX_OPEN_TICKETS)
            ),
            sla_reminder_hours=_sla_hours(settings),
            forum_topics_by_area=_forum_topics() == "area",
            burst_threshold=max(
                0, _int_env("CONSULTATION_BURST_THRESHOLD", staff_list.DEFAULT_BURST_THRESHOLD)
            ),
        )
