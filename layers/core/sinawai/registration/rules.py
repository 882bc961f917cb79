"""Registration rules (pure): NIP format, lockout policy, and the texts of the registration group."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

NIP_PATTERN = re.compile(r"^[0-9]{18}$")
NIP_EXAMPLE = "199001172015031001"


def normalize_nip(text: str) -> str:
    """NIPs are often written with spaces or dots ('19900117 201503 1 001'): keep only what is typed."""
    return re.sub(r"[\s.\-]", "", text.strip())


def nip_problem(nip: str) -> str | None:
    """Why ``nip`` is not a NIP (Indonesian, for the user), or None."""
    if NIP_PATTERN.match(nip):
        return None
    return (
        "NIP harus terdiri atas 18 digit angka, misalnya "
        f"<code>{NIP_EXAMPLE}</code> (tanggal lahir, bulan pengangkatan CPNS, jenis kelamin, nomor urut)."
    )


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = 5
    window: timedelta = timedelta(minutes=15)
    lockout: timedelta = timedelta(minutes=15)

    @classmethod
    def from_env(cls) -> LockoutPolicy:
        return cls(
            max_failures=int(os.environ.get("REGISTRATION_MAX_FAILURES", "5")),
            window=timedelta(minutes=float(os.environ.get("REGISTRATION_WINDOW_MINUTES", "15"))),
            lockout=timedelta(minutes=float(os.environ.get("REGISTRATION_LOCKOUT_MINUTES", "15"))),
        )

    def locked_until(self, last_lockout: datetime | None, now: datetime) -> datetime | None:
        if last_lockout is None:
            return None
        until = last_lockout + self.lockout
        return until if until > now else None

    def count_since(self, last_lockout: datetime | None, now: datetime) -> datetime:
        """Failures are counted inside the window, and never across a lockout that has ended."""
        start = now - self.window
        if last_lockout is not None and last_lockout + self.lockout > start:
            return last_lockout + self.lockout
        return start
