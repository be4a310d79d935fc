from django.contrib import admin

from core.admin import ReadOnlyAdminMixin

from .models import FigureSnapshot


@admin.register(FigureSnapshot)
class FigureSnapshotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: when the figures were computed and how long it took."""

    deletable = True

    list_display = ["computed_at", "duration_ms"]
    fields = ["computed_at", "duration_ms"]
    readonly_fields = fields
