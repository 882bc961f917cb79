"""How long employees wait for a first answer (pure; no I/O): the median, in working time, of the tickets
opened in the last ``WINDOW`` that were answered, told in a new ticket's acknowledgement only when there
are at least ``MIN_ANSWERED`` of them (fewer say too little: then nothing is promised)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from statistics import median

WINDOW = timedelta(days=30)
MIN_ANSWERED = 10


def median_first_response(waits: Sequence[timedelta], minimum: int = MIN_ANSWERED) -> timedelta | None:
    """The median wait, or None when fewer than ``minimum`` tickets were answered."""
    if len(waits) < minimum:
        return None
    return timedelta(seconds=median(w.total_seconds() for w in waits))


def working_duration_text(duration: timedelta) -> str:
    """'25 menit', '1 jam', '3 jam 30 menit': rounded to 5 minutes below one hour, else to 30 minutes."""
    minutes = max(0, round(duration.total_seconds() / 60))
    if minutes < 5:
        return "kurang dari 5 menit"
    fives = 5 * int(minutes / 5 + 0.5)  # half up (round() would read 75 minutes as "1 jam")
    if fives < 60:
        return f"{fives} menit"
    halves = int(minutes / 30 + 0.5)
    hours, half = divmod(halves, 2)
    return f"{hours} jam 30 menit" if half else f"{hours} jam"
