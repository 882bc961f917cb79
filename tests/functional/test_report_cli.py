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
    folder = tmp_path / "arsip" / "reports" / "2026" / "11" / "08"
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
