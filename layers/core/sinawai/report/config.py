"""The report's settings, from the shared ``Settings`` (each variable is read there, once for every feature):
the service's working hours and the service target a first answer is measured against."""

from __future__ import annotations

from sinawai.common.working_hours import WorkingHours, indonesian_holidays
from sinawai.platform.config import Settings
from sinawai.platform.errors import ConfigurationError
from sinawai.report.metrics import DEFAULT_SERVICE_TARGET_WORKING_HOURS

TARGET_ENV = "REPORT_SERVICE_TARGET_WORKING_HOURS"


def working_hours(settings: Settings) -> WorkingHours:
    """WORKING_HOURS in SERVICE_TIMEZONE, with Indonesia's national holidays closed."""
    return WorkingHours.from_spec(
        settings.working_hours, timezone=settings.timezone, is_holiday=indonesian_holidays()
    )


def target_hours(settings: Settings) -> float:
    """REPORT_SERVICE_TARGET_WORKING_HOURS (default 8); ConfigurationError when it is not a number."""
    raw = settings.report_target_working_hours
    try:
        return float(raw) if raw else DEFAULT_SERVICE_TARGET_WORKING_HOURS
    except ValueError as e:
        raise ConfigurationError(f"{TARGET_ENV} must be a number of working hours, got {raw!r}") from e
