from django.urls import path

from core.replica import replica_reads

from . import feeds, views

app_name = "news"

urlpatterns = [
    path("news/", views.post_list, name="list"),
    # Fixed paths first: a post's slug never takes one of them (models.RESERVED_SLUGS).
    path("news/feed/atom/", replica_reads(feeds.NetworkAtomFeed()), name="feed_atom"),
    path("news/feed/rss/", replica_reads(feeds.NetworkFeed()), name="feed_rss"),
    path("news/manage/", views.manage_home, name="manage"),
    path("news/manage/new/", views.post_create, name="create"),
    path("news/manage/<int:pk>/edit/", views.post_edit, name="edit"),
    path("news/manage/<int:pk>/submit/", views.post_submit, name="submit"),
    path("news/manage/<int:pk>/withdraw/", views.post_withdraw, name="withdraw"),
    path("news/manage/review/", views.review_list, name="review_list"),
    path("news/manage/review/<int:pk>/", views.review, name="review"),
    path("news/<slug:slug>/", views.post_detail, name="detail"),
    # The feeds of a sector's PNCS and of a chapter, beside their pages (/pncs/<slug>/,
    # /chapters/<slug>/), which take no deeper path: Atom at feed/, RSS at feed/rss/.
    # Heavy reads like the network's feeds: from the read replica when there is one.
    path("pncs/<slug:slug>/feed/", replica_reads(feeds.SectorAtomFeed()), name="sector_feed"),
    path("pncs/<slug:slug>/feed/rss/", replica_reads(feeds.SectorFeed()), name="sector_feed_rss"),
    path("chapters/<slug:slug>/feed/", replica_reads(feeds.ChapterAtomFeed()), name="chapter_feed"),
    path(
        "chapters/<slug:slug>/feed/rss/",
        replica_reads(feeds.ChapterFeed()),
        name="chapter_feed_rss",
    ),
]
