"""Copy the uploads kept on the local filesystem to the object store, when a site switches
to STORAGE_BACKEND=s3 (README "Scaling out"): the private files of MEDIA_ROOT (photos,
Jornada materials...) into the private bucket ("default" storage), those of
MEDIA_ROOT/public (chapter logos) into the public one ("public" storage), under the same
names, so the rows pointing at them need no change.

Idempotent: a file already in its bucket (same name and size) is left alone, so the command
can be run again after an interruption, or before and after the switch. A name present in
the bucket with another size is reported and not overwritten. Nothing is deleted locally.
The large PNCS exports (EXPORTS_ROOT) are not copied: they expire within a day and can be
asked for again."""

import os
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError

from core.storage import storage_errors

PUBLIC_DIR = "public"


def local_files(root: Path, *, skip: str | None = None):
    """(storage name, path) of every file under `root`, names with "/" separators, sorted;
    the top-level directory `skip` left out."""
    found = []
    for directory, subdirs, files in os.walk(root):
        if skip and Path(directory) == root and skip in subdirs:
            subdirs.remove(skip)
        for filename in files:
            path = Path(directory) / filename
            found.append((path.relative_to(root).as_posix(), path))
    return sorted(found)


class Command(BaseCommand):
    help = (
        "Copy the local uploads (MEDIA_ROOT, MEDIA_ROOT/public) to the private and public "
        "buckets of STORAGE_BACKEND=s3, under the same names; files already there are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--source",
            default=None,
            help="the local MEDIA_ROOT to copy from (default: the MEDIA_ROOT setting)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be copied, copy nothing"
        )

    def handle(self, *args, source, dry_run, **options):
        if settings.STORAGE_BACKEND != "s3":
            raise CommandError(
                "STORAGE_BACKEND is not s3: set it and the STORAGE_*/AWS_* variables "
                "(.env.example) first; the buckets are where the files go."
            )
        root = Path(source or settings.MEDIA_ROOT)
        if not root.is_dir():
            raise CommandError(f"{root} is not a directory")
        plan = [
            ("private", storages["default"], local_files(root, skip=PUBLIC_DIR)),
            ("public", storages["public"], local_files(root / PUBLIC_DIR)),
        ]
        totals = {"copied": 0, "present": 0, "conflicts": 0}
        try:
            for label, storage, files in plan:
                for name, path in files:
                    totals[self.copy(label, storage, name, path, dry_run=dry_run)] += 1
        except storage_errors() as exc:
            raise CommandError(
                f"the object store did not answer ({exc.__class__.__name__}); nothing is lost: "
                "run the command again, files already copied are skipped"
            ) from exc
        verb = "to copy" if dry_run else "copied"
        self.stdout.write(
            f"{totals['copied']} {verb}, {totals['present']} already in the buckets, "
            f"{totals['conflicts']} conflicting"
        )
        if totals["conflicts"]:
            raise CommandError("some names are in a bucket with another size (listed above)")

    def copy(self, label, storage, name, path, *, dry_run) -> str:
        size = path.stat().st_size
        if storage.exists(name):
            if storage.size(name) == size:
                return "present"
            self.stderr.write(f"{label}: {name} is in the bucket with another size: not copied")
            return "conflicts"
        if dry_run:
            self.stdout.write(f"{label}: {name} ({size} bytes)")
            return "copied"
        with path.open("rb") as handle:
            stored = storage.save(name, File(handle, name=name))
        if stored != name:  # never: the name was free
            raise CommandError(f"{label}: {name} was stored as {stored}")
        self.stdout.write(f"{label}: {name}")
        return "copied"
