"""``sinawai documents upload|list``: the documents /dokumen offers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sinawai.cli.common import Subcommands, operator
from sinawai.platform.config import Settings


def _cmd_documents_upload(args: argparse.Namespace) -> int:
    import mimetypes

    from sinawai.documents import rules, store
    from sinawai.platform.db import Database

    path = Path(args.file)
    bucket = args.bucket or Settings.from_env().documents_bucket
    if not bucket:
        print("sinawai documents upload: set DOCUMENTS_BUCKET or --bucket.", file=sys.stderr)
        return 2
    try:
        category = rules.check_category(args.category)
        roles = rules.check_roles(args.roles.split(",")) if args.roles is not None else None
        data = path.read_bytes()
    except rules.DocumentInputError as e:
        print(f"sinawai documents upload: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(
            f"sinawai documents upload: berkas {path} tidak dapat dibaca: {e.strerror or e}.", file=sys.stderr
        )
        return 2
    if not data:
        print(f"sinawai documents upload: berkas {path} kosong.", file=sys.stderr)
        return 2
    mime = mimetypes.guess_type(path.name)[0]
    key = rules.s3_key_for(category, path.name)
    store.store_file(store.s3_client(), bucket, key, data, mime)
    db = Database()
    try:
        document = store.add(
            db,
            category=category,
            title=args.title,
            roles=roles,
            s3_key=key,
            file_name=path.name,
            mime_type=mime,
            size_bytes=len(data),
            telegram_file_id=None,
            added_by=f"cli:{operator()}",
        )
    except rules.DocumentInputError as e:
        print(f"sinawai documents upload: {e}", file=sys.stderr)
        return 2
    finally:
        db.close()
    link = " (lebih dari 50 MB: dikirim sebagai tautan)" if document.too_big_for_telegram else ""
    print(
        f"Dokumen #{document.id} '{document.title}' ({category}, untuk {', '.join(sorted(document.roles))}) "
        f"disimpan di s3://{bucket}/{key}{link}."
    )
    return 0


def _cmd_documents_list(_: argparse.Namespace) -> int:
    from sinawai.documents import store
    from sinawai.platform.db import Database

    db = Database()
    try:
        found = store.list_all(db)
    finally:
        db.close()
    for d in found:
        uploaded = "file_id tersimpan" if d.telegram_file_id else "belum diunggah ke Telegram"
        print(f"#{d.id}\t{d.category}\t{d.title}\t{','.join(sorted(d.roles))}\t{d.size_bytes} B\t{uploaded}")
    print(f"{len(found)} dokumen.")
    return 0


def add_commands(sub: Subcommands[argparse.ArgumentParser]) -> None:
    docs = sub.add_parser("documents", help="documents offered by /dokumen").add_subparsers(
        dest="action", required=True
    )
    p = docs.add_parser("upload", help="store a file in S3 and offer it in /dokumen")
    p.add_argument("category", help="slug: formulir, peraturan, templat-surat, ...")
    p.add_argument("title", help="the title employees see")
    p.add_argument("file", help="path of the file")
    p.add_argument(
        "--roles",
        help="who may see it, e.g. staf,admin (default: everyone for a new document; "
        "a new version of an existing title keeps its roles)",
    )
    p.add_argument("--bucket", help="instead of DOCUMENTS_BUCKET")
    p.set_defaults(func=_cmd_documents_upload)
    p = docs.add_parser("list", help="the documents and whether Telegram has their file")
    p.set_defaults(func=_cmd_documents_list)
