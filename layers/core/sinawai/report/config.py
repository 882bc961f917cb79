"""The report's settings, from the shared ``Settings`` (each variable is read there, once for every feature):
the service's working hours and the service target a first answer is measured against."""

from __future__ import annotations

from collections.abc import Callable

from sinawai.common.working_hours import ServiceHours, WorkCalendar, WorkingHours, service_hours
from sinawai.platform.config import Settings
from sinawai.platform.errors import ConfigurationError
from sinawai.report.metrics import DEFAULT_SERVICE_TARGET_WORKING_HOURS

TARGET_ENV = "REPORT_SERVICE_TARGET_WORKING_HOURS"


def hours_source(settings: Settings, calendar: Callable[[], WorkCalendar] | None = None) -> ServiceHours:
    """WORKING_HOURS in SERVICE_TIMEZONE, with Indonesia's national holidays and the published calendar
    (``calendar``: the content store's) closed: the hours the consultation uses too."""
    return service_hours(settings.working_hours, settings.timezone, calendar)


def working_hours(settings: Settings, calendar: WorkCalendar | None = None) -> WorkingHours:
    """The working hours now, with ``calendar`` (cuti bersama, special hours) when one is given."""
    return hours_source(settings, (lambda: calendar) if calendar is not None else None).current()


def target_hours(settings: Settings) -> float:
    """REPORT_SERVICE_TARGET_WORKING_HOURS (default 8); ConfigurationError when it is not a number."""
    raw = settings.report_target_working_hours
    try:
        return float(raw) if raw else DEFAULT_SERVICE_TARGET_WORKING_HOURS
    except ValueError as e:
        raise ConfigurationError(f"{TARGET_ENV} must be a number of working hours, got {raw!r}") from e
