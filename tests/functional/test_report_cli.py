"""`sinawai report`: the digest on the terminal and the files on disk; bad periods refused in Indonesian."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sinawai.platform.config import DatabaseSettings
from sinawai.platform.db import Database
from tests.helpers import db_env


def run(db: DatabaseSettings, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **db_env(db)}
    return subprocess.run(
        [sys.executable, "-m", "sinawai.cli", "report", *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=cwd,
    )


def test_the_report_of_a_past_range_is_printed_and_its_files_written(
    db: DatabaseSettings, tmp_path: Path
) -> None:
    database = Database(db)
    try:
        for hour in (1, 2):  # 08:00 and 09:00 WIB on 2 November 2026
            database.execute(
                "INSERT INTO pesan (waktu, direction, chat_id, chat_type, kind, command, command_group)"
                " VALUES (%s, 'in', 5550001, 'private', 'message', 'start', 'general')",
                (f"2026-11-02 0{hour}:00:00",),
            )
    finally:
        database.close()
    out = run(db, "--date", "2026-11-02", "--to", "2026-11-08", "--out", "arsip", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("📊 Laporan Mingguan Sinawai\nPekan 2 November 2026 – 8 November 2026")
    assert "• Pesan masuk: 2 (pekan sebelumnya 0)" in out.stdout
    folder = tmp_path / "arsip" / "reports" / "2026" / "11" / "02"  # a week: under its Monday
    assert sorted(p.name for p in folder.iterdir()) == [
        "laporan-mingguan-2026-11-02_2026-11-08.png",
        "laporan-mingguan-2026-11-02_2026-11-08.txt",
        "laporan-mingguan-2026-11-02_2026-11-08.xlsx",
    ]


def test_a_reversed_range_is_refused_and_nothing_written(db: DatabaseSettings, tmp_path: Path) -> None:
    out = run(db, "--date", "2026-11-08", "--to", "2026-11-02", cwd=tmp_path)
    assert out.returncode == 2
    assert "Tanggal awal (8 November 2026) jatuh setelah tanggal akhir (2 November 2026)" in out.stderr
    assert list(tmp_path.iterdir()) == []


def _seed_messages(db: DatabaseSettings, *moments: str) -> None:
    database = Database(db)
    try:
        for moment in moments:
            database.execute(
                "INSERT INTO pesan (waktu, direction, chat_id, chat_type, kind, command, command_group)"
                " VALUES (%s, 'in', 5550001, 'private', 'message', 'start', 'general')",
                (moment,),
            )
    finally:
        database.close()


def test_period_week_reports_the_whole_week_holding_the_date(db: DatabaseSettings, tmp_path: Path) -> None:
    # Wednesday 4 November 2026, 09:00 WIB, and Sunday 8 November, 23:00 WIB (still that week)
    _seed_messages(db, "2026-11-04 02:00:00", "2026-11-08 16:00:00")
    out = run(db, "--period", "week", "--date", "2026-11-04", "--out", "arsip", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("📊 Laporan Mingguan Sinawai\nPekan 2 November 2026 – 8 November 2026")
    assert "• Pesan masuk: 2 (pekan sebelumnya 0)" in out.stdout
    folder = tmp_path / "arsip" / "reports" / "2026" / "11" / "02"
    assert "laporan-mingguan-2026-11-02_2026-11-08.xlsx" in {p.name for p in folder.iterdir()}


def test_period_month_reports_the_calendar_month_with_its_trend_by_week(
    db: DatabaseSettings, tmp_path: Path
) -> None:
    _seed_messages(db, "2026-11-02 02:00:00", "2026-11-30 10:00:00", "2026-12-01 02:00:00")
    out = run(db, "--period", "month", "--date", "2026-11-17", "--out", "arsip", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(
        "📊 Laporan Bulanan Sinawai\nNovember 2026 (1 November 2026 – 30 November 2026)"
    )
    assert "• Pesan masuk: 2 (bulan sebelumnya 0)" in out.stdout  # 1 December belongs to the next month
    assert "Grafik tren 12 pekan" in out.stdout  # the trend by week, twelve weeks to the month's end
    folder = tmp_path / "arsip" / "reports" / "2026" / "11" / "01"
    assert {p.name for p in folder.iterdir()} == {
        "laporan-bulanan-2026-11.png",
        "laporan-bulanan-2026-11.txt",
        "laporan-bulanan-2026-11.xlsx",
    }


def test_period_week_with_to_or_a_bad_date_is_refused_and_nothing_written(
    db: DatabaseSettings, tmp_path: Path
) -> None:
    out = run(db, "--period", "week", "--date", "2026-11-02", "--to", "2026-11-08", cwd=tmp_path)
    assert out.returncode == 2
    assert "--to hanya dapat dipakai dengan --period day" in out.stderr
    out = run(db, "--period", "month", "--date", "2026-13-01", cwd=tmp_path)
    assert out.returncode == 2
    assert "tidak ada di kalender" in out.stderr
    out = run(db, "--period", "year", cwd=tmp_path)
    assert out.returncode == 2  # argparse: not a period
    assert list(tmp_path.iterdir()) == []
