from django.urls import path

from . import views

app_name = "announcements"

urlpatterns = [
    # One-click unsubscribe from announcements (RFC 8058): public, signed token. The same
    # path as when it was chapters:unsubscribe: links in mail already sent keep working.
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
