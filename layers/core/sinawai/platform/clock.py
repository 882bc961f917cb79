"""The one clock: UTC without tzinfo, as MySQL's DATETIME(6) columns store it."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
