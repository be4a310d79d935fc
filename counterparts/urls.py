from django.urls import path

from . import engagement_views, request_views, views

app_name = "counterparts"

urlpatterns = [
    path("organizations/", views.organization_list, name="list"),
    # Fixed paths before the public page, which takes any slug.
    path("organizations/register/", views.register, name="register"),
    path("organizations/mine/", views.my_organizations, name="mine"),
    path("organizations/review/", views.review_list, name="review_list"),
    path("organizations/review/<int:pk>/", views.review, name="review"),
    path("organizations/invitations/<str:token>/", views.invitation, name="invitation"),
    path("organizations/manage/<int:pk>/", views.manage, name="manage"),
    path("organizations/manage/<int:pk>/edit/", views.edit, name="edit"),
    path(
        "organizations/manage/<int:pk>/people/<int:person_pk>/remove/",
        views.remove_person,
        name="remove_person",
    ),
    # Requests for expertise: the organisation's people, the PNCS's triage, the member.
    path(
        "organizations/manage/<int:pk>/requests/",
        request_views.request_list,
        name="request_list",
    ),
    path(
        "organizations/manage/<int:pk>/requests/new/",
        request_views.request_create,
        name="request_create",
    ),
    path(
        "organizations/manage/<int:pk>/requests/<int:request_pk>/",
        request_views.request_detail,
        name="request_detail",
    ),
    path(
        "organizations/manage/<int:pk>/requests/<int:request_pk>/edit/",
        request_views.request_edit,
        name="request_edit",
    ),
    path("organizations/triage/", request_views.triage_list, name="triage_list"),
    path("organizations/triage/<int:pk>/", request_views.triage, name="triage"),
    path(
        "organizations/triage/<int:pk>/invite/",
        request_views.triage_invite,
        name="triage_invite",
    ),
    path("organizations/invited/", request_views.member_invitations, name="member_invitations"),
    path(
        "organizations/invited/<int:pk>/",
        request_views.member_invitation,
        name="member_invitation",
    ),
    # Engagements and their outcomes (the impact ledger).
    path(
        "organizations/engagements/<int:pk>/",
        engagement_views.engagement_detail,
        name="engagement",
    ),
    path("organizations/<slug:slug>/", views.organization_detail, name="detail"),
]
