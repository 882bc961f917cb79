"""What a document is and the rules staff input must follow (pure: no database, S3 or Telegram).

A document is one row per (category, title): uploading the same title again replaces its file. Its roles
say who sees it in /dokumen; a file over Telegram's 50 MB upload limit is offered as a presigned link.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

PREFIX = "documents/"
ROLES = ("pegawai", "staf", "admin")
MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # Telegram's sendDocument limit for a bot
MAX_BOT_DOWNLOAD_BYTES = 20 * 1024 * 1024  # getFile: what a bot may download from Telegram
LINK_SECONDS = 900
CATEGORY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
MAX_TITLE_CHARS = 120


class DocumentInputError(ValueError):
    """What staff gave cannot become a document; the message (Indonesian) says what to do."""


@dataclass(frozen=True)
class Document:
    id: int
    category: str
    title: str
    roles: frozenset[str]
    s3_key: str
    file_name: str
    mime_type: str | None
    size_bytes: int
    telegram_file_id: str | None

    def visible_to(self, role: str) -> bool:
        return role in self.roles

    @property
    def too_big_for_telegram(self) -> bool:
        return self.size_bytes > MAX_UPLOAD_BYTES


def category_label(category: str) -> str:
    return category.replace("-", " ").capitalize()


def check_category(category: str) -> str:
    value = category.strip().lower()
    if not CATEGORY_PATTERN.match(value):
        raise DocumentInputError(
            f"Kategori {category!r} tidak valid: gunakan huruf kecil, angka dan tanda '-', "
            "paling banyak 32 karakter (contoh: formulir, peraturan, templat-surat)."
        )
    return value


def check_roles(roles: Iterable[str]) -> list[str]:
    chosen = [r.strip().lower() for r in roles if r.strip()]
    unknown = [r for r in chosen if r not in ROLES]
    if unknown or not chosen:
        raise DocumentInputError(
            f"Peran tidak valid: {', '.join(unknown) or '(kosong)'}; pilih {', '.join(ROLES)}."
        )
    return chosen


def check_title(title: str) -> str:
    """The title with its whitespace collapsed; refused when empty or too long."""
    title = " ".join(title.split())
    if not title:
        raise DocumentInputError("Judul dokumen wajib diisi.")
    if len(title) > MAX_TITLE_CHARS:
        raise DocumentInputError(
            f"Judul terlalu panjang ({len(title)} karakter; maksimal {MAX_TITLE_CHARS})."
        )
    return title


def s3_key_for(category: str, file_name: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", file_name).strip("_") or "dokumen"
    return f"{PREFIX}{category}/{uuid.uuid4().hex[:12]}-{safe[-100:]}"
