"""``sinawai content validate|publish|rollback``: OSDM's information content, checked and published to S3,
and an earlier publication made current again (the bucket is versioned)."""

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
        f"Konten valid: {info['topics']} topik ({areas})"
        + (f" dan {info['variants']} varian per jenis ASN" if info["variants"] else "")
        + "; "
        f"{info['drafts']} masih draf menunggu konfirmasi OSDM."
    )
    print(
        f"Kalender kerja: {info['closed_days']} hari tutup (cuti bersama dan libur tambahan), "
        f"{info['special_hours']} rentang jam khusus."
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


def _choose(versions: list[Any], wanted: str | None) -> Any:
    """The version to restore: ``wanted`` (an S3 version id, or a content version), or by default the
    newest earlier publication whose content differs from the current one. None when there is none."""
    current = next((v for v in versions if v.is_current), None)
    if wanted:
        by_id = [v for v in versions if v.s3_version_id == wanted]
        return (by_id or [v for v in versions if v.content_version == wanted] or [None])[0]
    for v in versions:
        if not v.is_current and (current is None or v.content_version != current.content_version):
            return v
    return None


def _cmd_content_rollback(args: argparse.Namespace) -> int:
    from zoneinfo import ZoneInfo

    from sinawai.information import content_store

    settings = Settings.from_env()
    bucket = args.bucket or settings.documents_bucket
    if not bucket:
        print("sinawai content rollback: set DOCUMENTS_BUCKET or --bucket.", file=sys.stderr)
        return 2
    zone = ZoneInfo(settings.timezone)
    versions = content_store.published_versions(bucket)
    where = f"s3://{bucket}/{content_store.BUNDLE_KEY}"
    if not versions:
        print(f"Belum ada konten yang diterbitkan di {where}.", file=sys.stderr)
        return 1
    print(f"Versi {where} (terbaru di atas):")
    for v in versions:
        local = v.published_at.astimezone(zone)
        notes = ["saat ini"] if v.is_current else []
        if v.restored_from:
            notes.append(f"pemulihan dari {v.restored_from}")
        print(
            f"  {'*' if v.is_current else ' '} {local:%Y-%m-%d %H:%M:%S} {local.tzname()}  "
            f"konten {v.content_version or '?':<12}  S3 {v.s3_version_id}"
            + (f"  ({'; '.join(notes)})" if notes else "")
        )
    if args.list:
        return 0
    if all(v.s3_version_id == "null" for v in versions):
        print("Versioning bucket tidak aktif: tidak ada versi lama untuk dipulihkan.", file=sys.stderr)
        return 1
    target = _choose(versions, args.version)
    if target is None:
        if args.version:
            print(
                f"sinawai content rollback: versi {args.version!r} tidak ada (pakai S3 version id atau versi "
                "konten dari daftar di atas). Tidak ada yang diubah.",
                file=sys.stderr,
            )
            return 2
        print("Tidak ada terbitan sebelumnya yang isinya berbeda. Tidak ada yang diubah.", file=sys.stderr)
        return 1
    current = next((v for v in versions if v.is_current), None)
    if current is not None and (
        target.s3_version_id == current.s3_version_id or target.content_version == current.content_version
    ):
        print(f"Konten {target.content_version} sudah versi saat ini. Tidak ada yang diubah.")
        return 0
    label = f"konten {target.content_version} (S3 {target.s3_version_id})"
    if args.dry_run:
        print(f"Uji coba: {label} akan menjadi versi saat ini. Tidak ada yang diubah.")
        return 0
    new_id = content_store.restore(bucket, target)
    print(f"Dipulihkan: {label} kini menjadi versi saat ini (S3 {new_id}).")
    print("Fungsi membaca konten ini paling lambat setelah CONTENT_CACHE_SECONDS (bawaan 60 detik).")
    print(
        "Perhatian: pemasangan ulang (`sam deploy`) atau `sinawai content publish` berikutnya menerbitkan "
        "lagi isi folder content/ bila berbeda; perbaiki juga content/ di repositori."
    )
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
    p = content_cmd.add_parser(
        "rollback",
        help="list the published versions of content/bundle.json and make an earlier one current again",
        description="Lists the bucket's versions of content/bundle.json (newest first), then copies VERSION "
        "(an S3 version id or a content version from the list; by default the newest earlier publication "
        "with different content) back as the current one. The copy is a new version: nothing is lost.",
    )
    p.add_argument("version", nargs="?", metavar="VERSION", help="S3 version id or content version")
    p.add_argument("--bucket", help="instead of DOCUMENTS_BUCKET")
    p.add_argument("--list", action="store_true", help="only list the versions")
    p.add_argument("--dry-run", action="store_true", help="say what would be restored; change nothing")
    p.set_defaults(func=_cmd_content_rollback)
