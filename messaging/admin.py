"""IME staff review reported messages; the threads themselves stay private to their parties
(no admin page lists them)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import MessageReport


@admin.register(MessageReport)
class MessageReportAdmin(admin.ModelAdmin):
    list_display = ("created_at", "reason", "status", "thread_topic")
    list_filter = ("status", "reason")
    date_hierarchy = "created_at"
    fields = ("reason", "details", "reported_text", "created_at", "status", "staff_note")
    readonly_fields = ("reason", "details", "reported_text", "created_at")
    list_select_related = ("message__thread",)

    @admin.display(description=_("conversación"))
    def thread_topic(self, obj):
        return obj.message.thread.topic

    @admin.display(description=_("mensaje reportado"))
    def reported_text(self, obj):
        return obj.message.body

    def has_add_permission(self, request):
        return False
