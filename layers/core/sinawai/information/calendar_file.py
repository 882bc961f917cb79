"""The working calendar OSDM edits, ``content/_kalender.md``: parsed and checked (pure).

Cuti bersama and extra holidays close the office on top of the national holidays of the ``holidays``
package; special hours (Ramadan's shorter days) replace the usual hours for a range of dates. The file::

    ---
    title: Kalender kerja Biro OSDM
    status: perlu konfirmasi OSDM
    ---
    Any line that is not a "- " entry is a note for the reader and is ignored.

    ## Cuti bersama
    - 2026-12-24 | Cuti bersama Hari Raya Natal
    - 2027-03-09 s.d. 2027-03-12 | a range of dates: every day in it is closed

    ## Libur tambahan
    - 2026-12-31 | Hari jadi instansi

    ## Jam khusus
    - 2027-02-08 s.d. 2027-03-09 | sen-kam 08:00-15:00; jum 08:00-15:30 | Ramadan 1448 H

Every problem is reported with its line (Indonesian: OSDM reads it), and nothing of a file with a problem
is used.
"""

from __future__ import annotations

from datetime import date, timedelta

from sinawai.common.numbers import parse_int
from sinawai.common.working_hours import ClosedDay, SpecialHours, WorkCalendar, WorkingHoursError

CALENDAR_FILE = "_kalender.md"
SECTIONS = {"cuti bersama": "cuti_bersama", "libur tambahan": "libur", "jam khusus": "jam_khusus"}
FRONT_MATTER_KEYS = frozenset({"title", "status", "sumber"})
FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_CLOSED_RANGE_DAYS = 31  # the longest Lebaran break is far shorter: a longer range is a typo
MAX_SPECIAL_RANGE_DAYS = 92  # a Ramadan fits easily; a year typed wrong does not
RANGE_WORDS = (" s.d. ", " sampai ")

LineProblem = tuple[int, str]  # (line, Indonesian message)


def _date(text: str) -> date | str:
    """A YYYY-MM-DD date, or the Indonesian reason it is not one."""
    parts = text.strip().split("-")
    numbers = [parse_int(p) for p in parts]
    if [len(p) for p in parts] != [4, 2, 2] or None in numbers:
        return f"tanggal {text.strip()!r} harus ditulis TTTT-BB-HH, misalnya 2026-12-24"
    year, month, day = (n for n in numbers if n is not None)
    try:
        value = date(year, month, day)
    except ValueError:
        return f"tanggal {text.strip()!r} tidak ada di kalender"
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        return f"tahun {value.year} di luar {FIRST_YEAR}-{LAST_YEAR}: periksa tanggal {text.strip()!r}"
    return value


def _range(text: str, longest: int) -> tuple[date, date] | str:
    """``2026-12-24`` or ``2027-03-09 s.d. 2027-03-12`` → (first, last); or the Indonesian reason."""
    first_text, last_text = text, ""
    for word in RANGE_WORDS:
        if word in f" {text} ":
            first_text, _, last_text = f" {text} ".partition(word)
            break
    first = _date(first_text)
    if isinstance(first, str):
        return first
    if not last_text.strip():
        return first, first
    last = _date(last_text)
    if isinstance(last, str):
        return last
    if last < first:
        return f"rentang terbalik: {last.isoformat()} jatuh sebelum {first.isoformat()}"
    if (last - first).days + 1 > longest:
        days = (last - first).days + 1
        return f"rentang {days} hari terlalu panjang (maksimal {longest} hari): periksa tanggalnya"
    return first, last


def _front_matter(lines: list[str], problems: list[LineProblem]) -> int:
    """Check the optional front matter; return the index of the first line after it."""
    if not lines or lines[0].strip() != "---":
        return 0
    found: list[LineProblem] = []
    for index in range(1, len(lines)):
        line = lines[index]
        if line.strip() == "---":
            problems += found
            return index + 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, _ = line.partition(":")
        if not sep or key.strip().lower() not in FRONT_MATTER_KEYS:
            found.append(
                (
                    index + 1,
                    f"baris front matter harus 'title:', 'status:' atau 'sumber:', bukan {line.strip()!r}",
                )
            )
    problems.append((len(lines), "front matter tidak ditutup dengan baris '---'"))
    return len(lines)


def parse(text: str) -> tuple[WorkCalendar, list[LineProblem]]:
    """The calendar in ``text`` and every problem in it as (line, message); the calendar is empty when there
    is any problem."""
    problems: list[LineProblem] = []
    lines = text.splitlines()
    section: str | None = None
    closed: dict[date, ClosedDay] = {}
    closed_at: dict[date, int] = {}
    special: list[tuple[int, SpecialHours]] = []
    for index in range(_front_matter(lines, problems), len(lines)):
        number, line = index + 1, lines[index].strip()
        if line.startswith("## "):
            heading = line[3:].strip().lower()
            section = SECTIONS.get(heading)
            if section is None:
                problems.append(
                    (
                        number,
                        f"judul bagian {line[3:].strip()!r} tidak dikenal: ## Cuti bersama, "
                        "## Libur tambahan atau ## Jam khusus",
                    )
                )
            continue
        if not line.startswith(("- ", "* ")):
            continue  # a note for the reader
        if section is None:
            problems.append(
                (
                    number,
                    "entri harus berada di bawah judul ## Cuti bersama, ## Libur tambahan atau ## Jam khusus",
                )
            )
            continue
        fields = [f.strip() for f in line[2:].split("|")]
        if section == "jam_khusus":
            if len(fields) != 3 or not all(fields):
                problems.append(
                    (
                        number,
                        "jam khusus ditulis 'TANGGAL s.d. TANGGAL | JAM | keterangan', misalnya "
                        "'2027-02-08 s.d. 2027-03-09 | sen-kam 08:00-15:00; jum 08:00-15:30 | Ramadan'",
                    )
                )
                continue
            span = _range(fields[0], MAX_SPECIAL_RANGE_DAYS)
            if isinstance(span, str):
                problems.append((number, span))
                continue
            try:
                hours = SpecialHours.of(span[0], span[1], fields[1], fields[2])
            except WorkingHoursError as e:
                problems.append((number, e.pesan))
                continue
            for other_line, other in special:
                if hours.first <= other.last and other.first <= hours.last:
                    problems.append((number, f"rentang jam khusus tumpang tindih dengan baris {other_line}"))
                    break
            else:
                special.append((number, hours))
            continue
        if len(fields) != 2 or not all(fields):
            problems.append(
                (
                    number,
                    "tanggal ditulis 'TANGGAL | keterangan', misalnya "
                    "'2026-12-24 | Cuti bersama Hari Raya Natal'",
                )
            )
            continue
        span = _range(fields[0], MAX_CLOSED_RANGE_DAYS)
        if isinstance(span, str):
            problems.append((number, span))
            continue
        day = span[0]
        while day <= span[1]:
            if day in closed_at:
                problems.append(
                    (number, f"tanggal {day.isoformat()} sudah ditulis pada baris {closed_at[day]}")
                )
            else:
                closed[day], closed_at[day] = ClosedDay(day, section, fields[1]), number
            day += timedelta(days=1)
    if problems:
        return WorkCalendar(), problems
    ordered = tuple(s for _, s in sorted(special, key=lambda item: item[1].first))
    return WorkCalendar(dict(sorted(closed.items())), ordered), []


def status_of(text: str) -> str:
    """The front matter's status ('perlu konfirmasi OSDM' until OSDM has checked the dates)."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return ""
    for line in lines[1:]:
        if line.strip() == "---":
            break
        key, _, value = line.partition(":")
        if key.strip().lower() == "status":
            return value.strip()
    return ""
