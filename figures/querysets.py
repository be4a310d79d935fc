"""Querysets of the figures app."""

from django.db import models


class FigureSnapshotQuerySet(models.QuerySet):
    def newest(self):
        """The most recent snapshot, or None (one query)."""
        return self.order_by("-computed_at", "-pk").first()

    def of_version(self, version: int):
        """Snapshots whose data has the shape `version` (figures.services.DATA_VERSION)."""
        return self.filter(data__version=version)

    def older_than_newest(self, keep: int):
        """Snapshots beyond the `keep` most recent ones (pruned after each refresh)."""
        keep_ids = self.order_by("-computed_at", "-pk").values_list("pk", flat=True)[:keep]
        return self.exclude(pk__in=list(keep_ids))
