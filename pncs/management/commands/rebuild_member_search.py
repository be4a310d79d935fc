"""Rebuild the denormalised member search index from the profiles (bounded batches)."""

from django.core.management.base import BaseCommand

from pncs.search import REBUILD_BATCH, rebuild_index


class Command(BaseCommand):
    help = "Rebuild pncs.MemberSearchIndex (one row per profile) in batches."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=REBUILD_BATCH)

    def handle(self, *args, batch_size, **options):
        count = rebuild_index(batch_size=batch_size)
        self.stdout.write(f"member search index: {count} rows")
