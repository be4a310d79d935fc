"""IME staff follow placements and applications in the admin; the review happens on the
PNCS's page (internships.views), which dates and mails each step. Students' CVs are not
shown here: they are served only to who may decide an application (internships.views)."""

from django.contrib import admin

from .models import Application, Placement


@admin.register(Placement)
class PlacementAdmin(admin.ModelAdmin):
    list_display = ("__str__", "institution", "country", "sector", "status", "seats", "deadline")
    list_filter = ("status", "sector", "country")
    search_fields = ("title_es", "title_en", "institution", "city", "field")
    readonly_fields = ("host", "status", "created_at", "submitted_at", "decided_at")
    list_select_related = ("sector",)


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ("placement", "status", "created_at", "decided_at")
    list_filter = ("status",)
    fields = ("placement", "status", "created_at", "decided_at")
    readonly_fields = fields
    list_select_related = ("placement",)

    def has_add_permission(self, request):
        return False
