from django.contrib import admin

from .models import FigureSnapshot


@admin.register(FigureSnapshot)
class FigureSnapshotAdmin(admin.ModelAdmin):
    """Read-only: when the figures were computed and how long it took."""

    list_display = ["computed_at", "duration_ms"]
    fields = ["computed_at", "duration_ms"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
