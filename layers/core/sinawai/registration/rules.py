"""Registration rules (pure): NIP format, lockout policy, and the texts of the registration group."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

NIP_PATTERN = re.compile(r"^[0-9]{18}$")
NIP_EXAMPLE = "199001172015031001"
NIP_DIGITS = 18
# "NIP. 19900117 201503 1 001", "NIP: ...", "nip ...": the label decrees print before the number
_NIP_LABEL = re.compile(r"^\s*nip\b\s*[.:]?\s*", re.IGNORECASE)
# One piece of a NIP as printed: ASCII digits with the separators decrees use (dots, dashes)
_NIP_PIECE = re.compile(r"^[0-9][0-9.\-]*$")
_ASCII_DIGITS = frozenset("0123456789")


def normalize_nip(text: str) -> str:
    """NIPs are written as printed on decrees ('NIP. 19900117 201503 1 001', '19900117.201503.1.001',
    '19900117-201503-1-001'): drop the label and the separators. Only ASCII digits make a NIP (a
    full-width or Arabic-Indic digit stays and is refused by ``nip_problem``)."""
    return re.sub(r"[\s.\-]", "", _NIP_LABEL.sub("", text.strip(), count=1))


def split_nip(args: str) -> tuple[str, str]:
    """The arguments of ``/daftar`` → (the NIP as typed, the rest: the password or the one-time code).

    The NIP may be spaced as on a decree ('19900117 201503 1 001 Sandi#1'): pieces of digits are taken
    until 18 digits are in; what follows is the secret, exactly as typed (inner spaces kept). A first
    piece that is no NIP at all is taken as the NIP, so the answer says what a NIP looks like."""
    text = _NIP_LABEL.sub("", args.strip(), count=1)
    digits = 0
    end = 0
    for match in re.finditer(r"\S+", text):
        token = match.group()
        if digits >= NIP_DIGITS or not _NIP_PIECE.match(token):
            break
        digits += sum(ch in _ASCII_DIGITS for ch in token)
        end = match.end()
    if end == 0:
        first = re.match(r"\S+", text)
        end = first.end() if first else 0
    return text[:end].strip(), text[end:].strip()


def nip_problem(nip: str) -> str | None:
    """Why ``nip`` is not a NIP (Indonesian, for the user), or None."""
    if NIP_PATTERN.match(nip):
        return None
    if any(ch.isdigit() and ch not in _ASCII_DIGITS for ch in nip):
        return (
            "NIP harus ditulis dengan angka biasa 0-9 (papan ketik standar), misalnya "
            f"<code>{NIP_EXAMPLE}</code>; spasi, titik dan tanda hubung boleh."
        )
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

    def count_since(
        self, last_lockout: datetime | None, now: datetime, cleared_at: datetime | None = None
    ) -> datetime:
        """Failures are counted inside the window, never across a lockout that has ended, and never from
        before a staff reset cleared the lock (``cleared_at``): the code gets the full count of tries."""
        start = now - self.window
        if last_lockout is not None and last_lockout + self.lockout > start:
            start = last_lockout + self.lockout
        if cleared_at is not None and cleared_at > start:
            start = cleared_at
        return start


# ---- the reset request's button in the staff group -----------------------------------------------------

# A request older than this no longer issues a code from its button: the employee asks again (a week
# covers a request sent before a long weekend; the staff still check who asked, as for /resetsandi).
REQUEST_BUTTON_VALIDITY = timedelta(days=7)
RESET_BUTTON_ACTION = "resetkode"


def reset_callback_data(group: str, request_id: int) -> str:
    """The button's data: the router's group prefix, the action and the request (its audit row id);
    at most 64 bytes as Telegram allows."""
    data = f"{group}:{RESET_BUTTON_ACTION}:{request_id}"
    if len(data.encode()) > 64:
        raise ValueError(f"callback data too long: {data!r}")
    return data


def request_expired(requested_at: datetime, now: datetime) -> bool:
    return now - requested_at > REQUEST_BUTTON_VALIDITY
