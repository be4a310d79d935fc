"""The chapter pages show their chapter's latest posts inside their cached sections
(chapters.page_cache): any change to a chapter's post forgets those pages (a cache
concern, hence a receiver; the flow itself lives in news.services)."""

from django.db.models.signals import post_delete, post_save

from chapters import page_cache


def _forget_chapter_pages(sender, instance, **kwargs):
    if instance.chapter_id:
        page_cache.invalidate()


def connect():
    from .models import Post

    post_save.connect(_forget_chapter_pages, sender=Post, dispatch_uid="news-chapter-pages")
    post_delete.connect(_forget_chapter_pages, sender=Post, dispatch_uid="news-chapter-pages-del")
