"""Pre-aggregated figures of the network, refreshed by a Celery beat task.

The pages never count a million rows per request: they read the newest snapshot (one
query) and say as of when. A snapshot holds language-neutral counts keyed by codes and
ids, plus the names they need, so rendering it costs no further queries.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .querysets import FigureSnapshotQuerySet


class FigureSnapshot(models.Model):
    """The network's figures at one moment (see figures.services.compute_figures)."""

    computed_at = models.DateTimeField(_("calculado el"), db_index=True)
    duration_ms = models.PositiveIntegerField(_("duración del cálculo (ms)"), default=0)
    data = models.JSONField(_("cifras"))

    objects = FigureSnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["-computed_at"]
        get_latest_by = "computed_at"
        verbose_name = _("instantánea de cifras")
        verbose_name_plural = _("instantáneas de cifras")

    def __str__(self):
        return self.computed_at.isoformat(timespec="minutes")
