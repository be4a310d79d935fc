"""Root URLconf. Pages live under i18n_patterns: Spanish unprefixed, English under /en/."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import set_language

from announcements.views import moved_admin_page
from core.views import healthz, livez
from members.views import private_file, public_file

# allauth answers its rate limits with this view (core.views).
handler429 = "core.views.too_many_requests"

admin.site.site_header = "Red de Talentos Mexicanos"
admin.site.site_title = "Red de Talentos"
# The admin's own "View site" always led to the Spanish home: templates/admin/base_site.html
# links the home page in the admin's language instead.
admin.site.site_url = None

urlpatterns = [
    # Readiness (the database, cache and broker answer) and liveness (this process answers).
    path("healthz", healthz, name="healthz"),
    path("livez", livez, name="livez"),
    # Uploaded files, in every language and mode (members.files): the same URLs as the
    # storages' (PUBLIC_MEDIA_URL, MEDIA_URL in settings).
    path("media/public/<path:name>", public_file, name="media_public"),
    path("media/private/<path:name>", private_file, name="media_private"),
    # The partner API and its OAuth 2.0 token endpoint (api.urls): one URL in any language.
    path("", include("api.urls")),
]

urlpatterns += i18n_patterns(
    # Inside the prefixed patterns so the page being left resolves in its own language.
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("allauth.urls")),
    # The announcement admin before issue 19 moved it (bookmarks, old mails).
    re_path(
        r"^admin/chapters/(?P<model_name>announcement|delivery)/(?P<url>.*)$",
        moved_admin_page,
        name="moved_announcement_admin",
    ),
    path("admin/", admin.site.urls),
    path("", include("members.urls")),
    # Before chapters and pncs: the feeds live beside their pages (/chapters/<slug>/feed/).
    path("", include("news.urls")),
    path("", include("messaging.urls")),
    path("", include("chapters.urls")),
    path("", include("pncs.urls")),
    path("", include("programs.urls")),
    path("", include("counterparts.urls")),
    path("", include("internships.urls")),
    path("", include("announcements.urls")),
    path("", include("surveys.urls")),
    # figures: public page named "figures" (the footer links it) and /staff/figures/.
    path("", include("figures.urls")),
    prefix_default_language=False,
)
