from django.urls import path

from . import views

app_name = "messaging"

urlpatterns = [
    path("messages/", views.inbox, name="inbox"),
    path("members/<int:pk>/message/", views.write_to_member, name="write_to_member"),
    path("messages/preferences/", views.preferences, name="preferences"),
    path("messages/<int:pk>/", views.thread_detail, name="thread"),
    path("messages/<int:pk>/block/", views.block, name="block"),
    path("messages/<int:pk>/unblock/", views.unblock, name="unblock"),
    path("messages/<int:pk>/share/", views.share_email, name="share"),
    path("messages/<int:pk>/report/<int:message_pk>/", views.report, name="report"),
]
