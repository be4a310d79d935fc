"""Recompute the network's figures now (what the beat task does every 15 minutes)."""

from django.core.management.base import BaseCommand

from figures.services import refresh_figures


class Command(BaseCommand):
    help = "Recompute the pre-aggregated figures of /figures/ and /staff/figures/."

    def handle(self, *args, **options):
        snapshot = refresh_figures()
        self.stdout.write(
            f"figures snapshot {snapshot.pk} computed at {snapshot.computed_at:%Y-%m-%d %H:%M} "
            f"in {snapshot.duration_ms} ms"
        )
