from django.urls import path

from .views import data, directory, merge, profile, site, workbench

app_name = "members"

urlpatterns = [
    path("", site.home, name="home"),
    path("privacy/", site.privacy_notice, name="privacy"),
    path("contact/", site.contact, name="contact"),
    path("privacy/accept/", data.privacy_accept, name="privacy_accept"),
    path("members/", directory.directory, name="directory"),
    path("members/<int:pk>/", profile.profile_detail, name="profile"),
    path("members/countries/", profile.country_suggestions, name="country_suggestions"),
    path("me/", profile.me, name="me"),
    path("me/welcome/", profile.onboarding, name="onboarding"),
    path("me/edit/", profile.profile_edit, name="profile_edit"),
    path("me/preferences/", profile.preferences, name="preferences"),
    path("me/expertise-suggestions/", profile.expertise_suggestions, name="expertise_suggestions"),
    path("me/data/", data.my_data, name="my_data"),
    path("me/data/choices/", data.privacy_choices, name="choices"),
    path("me/data/export/", data.export_data, name="export"),
    path("me/data/arco/", data.arco_request, name="arco_request"),
    path("me/data/delete/", data.delete_account_view, name="delete"),
    path("me/data/merge/", merge.merge_start, name="merge_start"),
    path("merge/confirm/<str:token>/", merge.merge_confirm, name="merge_confirm"),
    path("staff/todo/", workbench.workbench, name="workbench"),
]
