"""`sinawai content validate` on a bad number (hardening item 18): ``file:line: message`` and exit 1.

``"²".isdigit()`` is true and ``int("²")`` raises: ``order: ²`` printed a traceback instead of a problem.
Every bad ``order`` is a problem with its file and line, and nothing else is reported for it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sinawai import cli
from tests.helpers import ROOT


def copy_of_content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(ROOT / "content", target)
    return target


def set_order(path: Path, value: str) -> int:
    """Put ``order: value`` into the front matter of ``path``; returns its line number."""
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [line for line in lines if not line.startswith("order:")]
    lines.insert(1, f"order: {value}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 2


@pytest.mark.parametrize("value", ["²", "٣", "１２", "-1", "1e3", "9" * 30])
def test_content_validate_reports_a_unicode_digit_order_with_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    root = copy_of_content(tmp_path)
    # a topic, not a variant (a variant takes no order: that would be a second problem)
    topic = next(
        p
        for p in sorted((root / "jahdis").glob("*.md"))
        if p.name != "_index.md" and "varian_dari:" not in p.read_text()
    )
    line = set_order(topic, value)
    area_line = set_order(root / "mutasi" / "_index.md", value)
    assert cli.main(["content", "validate", str(root)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"{topic}:{line}: order harus bilangan bulat" in err
    assert f"{root / 'mutasi' / '_index.md'}:{area_line}: order harus bilangan bulat" in err
    assert "Konten ditolak: 2 masalah" in err


def test_content_validate_reports_an_unreadable_file_with_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_of_content(tmp_path)
    (root / "jahdis" / "folder.md").mkdir()  # a folder named like a topic is not a topic
    broken = root / "mutasi" / "rusak.md"
    broken.symlink_to(tmp_path / "tidak-ada.md")  # a link to nothing
    assert cli.main(["content", "validate", str(root)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"{broken}:1: berkas tidak dapat dibaca" in err
    assert "folder.md" not in err
