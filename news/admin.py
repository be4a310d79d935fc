"""IME's admin of the news: correcting posts, tags, and who is a trusted author. Reviewing
happens on the site (news:review_list), where approving and returning go through the
services."""

from django.contrib import admin

from .models import Post, Tag, TrustedAuthor


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title_es", "scope", "sector", "chapter", "status", "published_at"]
    list_filter = ["status", "scope", "sector"]
    search_fields = ["title_es", "title_en", "slug"]
    date_hierarchy = "published_at"
    list_select_related = ["sector", "chapter"]
    fields = [
        "scope",
        "sector",
        "chapter",
        "title_es",
        "title_en",
        "summary_es",
        "summary_en",
        "body_es",
        "body_en",
        "image",
        "tags",
        "published_at",
        "status",
        "rejection_reason",
        "slug",
        "author",
        "submitted_at",
        "reviewed_by",
        "reviewed_at",
    ]
    readonly_fields = [
        "image",
        "slug",
        "author",
        "submitted_at",
        "reviewed_by",
        "reviewed_at",
    ]
    autocomplete_fields = ["chapter", "tags"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(TrustedAuthor)
class TrustedAuthorAdmin(admin.ModelAdmin):
    list_display = ["user", "granted_by", "granted_at"]
    autocomplete_fields = ["user"]
    readonly_fields = ["granted_by", "granted_at"]
    search_fields = ["user__email"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)
