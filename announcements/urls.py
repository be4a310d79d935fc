from django.urls import path

from . import views

app_name = "announcements"

urlpatterns = [
    # One-click unsubscribe from announcements (RFC 8058): public, signed token. The same
    # path as when it was chapters:unsubscribe: links in mail already sent keep working.
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    # The one-click refusal of an invitation (issue 26): public, signed token.
    path("invitation/<str:token>/refuse/", views.refuse_invitation, name="refuse_invitation"),
]
