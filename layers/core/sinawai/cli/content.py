"""``sinawai content validate|publish``: OSDM's information content, checked and published to S3."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sinawai.cli.common import Subcommands
from sinawai.platform.config import Settings


def _load_content(root: Path) -> Any:
    """The checked bundle, or None after printing every problem with its file and line."""
    from sinawai.information import content_files

    try:
        return content_files.build(content_files.load_folder(root))
    except content_files.ContentError as e:
        for problem in e.problems:
            print(f"{root / problem.path}:{problem.line}: {problem.message}", file=sys.stderr)
        print(f"Konten ditolak: {len(e.problems)} masalah. Tidak ada yang diterbitkan.", file=sys.stderr)
        return None


def _cmd_content_validate(args: argparse.Namespace) -> int:
    from sinawai.information import content

    root = Path(args.dir)
    if not root.is_dir():
        print(f"sinawai content: folder {root} tidak ada.", file=sys.stderr)
        return 2
    bundle = _load_content(root)
    if bundle is None:
        return 1
    info = content.describe(bundle)
    areas = ", ".join(f"{area} {n}" for area, n in info["areas"].items())
    print(
        f"Konten valid: {info['topics']} topik ({areas}); "
        f"{info['drafts']} masih draf menunggu konfirmasi OSDM."
    )
    return 0


def _cmd_content_publish(args: argparse.Namespace) -> int:
    from sinawai.deploy import content_publish
    from sinawai.information import content_store

    root = Path(args.dir)
    if not root.is_dir():
        print(f"sinawai content: folder {root} tidak ada.", file=sys.stderr)
        return 2
    bucket = args.bucket or Settings.from_env().documents_bucket
    if not bucket:
        print("sinawai content publish: set DOCUMENTS_BUCKET or --bucket.", file=sys.stderr)
        return 2
    bundle = _load_content(root)
    if bundle is None:
        return 1
    # the deploy's code path (Custom::ContentPublish): written only when the content differs
    result = content_publish.publish_bundle(bucket, bundle)
    if result.status == "unchanged":
        print(
            f"Konten tidak berubah: versi {result.version} ({result.topics} topik) sudah diterbitkan di "
            f"s3://{bucket}/{content_store.BUNDLE_KEY}. Tidak ada yang ditulis."
        )
        return 0
    version_id = result.s3_version_id
    print(
        f"Diterbitkan: {result.topics} topik, versi {result.version}, "
        f"s3://{bucket}/{content_store.BUNDLE_KEY}" + (f" (S3 version {version_id})" if version_id else "")
    )
    print("Fungsi membaca konten baru paling lambat setelah CONTENT_CACHE_SECONDS (bawaan 60 detik).")
    return 0


def add_commands(sub: Subcommands[argparse.ArgumentParser]) -> None:
    content_cmd = sub.add_parser("content", help="OSDM's information content").add_subparsers(
        dest="action", required=True
    )
    p = content_cmd.add_parser("validate", help="check the content files; every problem with file and line")
    p.add_argument("dir", nargs="?", default="content", help="the content folder (default: content)")
    p.set_defaults(func=_cmd_content_validate)
    p = content_cmd.add_parser(
        "publish", help="check, then publish to s3://DOCUMENTS_BUCKET/content/ (when the content changed)"
    )
    p.add_argument("dir", nargs="?", default="content", help="the content folder (default: content)")
    p.add_argument("--bucket", help="instead of DOCUMENTS_BUCKET")
    p.set_defaults(func=_cmd_content_publish)
