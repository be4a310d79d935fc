from django.urls import path

from . import engagement_views, pipeline_views, request_views, views

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
    path("organizations/engagements/", engagement_views.engagement_list, name="engagements"),
    path(
        "organizations/engagements/<int:pk>/",
        engagement_views.engagement_detail,
        name="engagement",
    ),
    path(
        "organizations/engagements/<int:pk>/start/",
        engagement_views.engagement_start,
        name="engagement_start",
    ),
    path(
        "organizations/engagements/<int:pk>/complete/",
        engagement_views.engagement_complete,
        name="engagement_complete",
    ),
    path(
        "organizations/engagements/<int:pk>/cancel/",
        engagement_views.engagement_cancel,
        name="engagement_cancel",
    ),
    path(
        "organizations/engagements/<int:pk>/milestones/",
        engagement_views.milestone_add,
        name="milestone_add",
    ),
    path(
        "organizations/engagements/<int:pk>/milestones/<int:milestone_pk>/",
        engagement_views.milestone_done,
        name="milestone_done",
    ),
    path(
        "organizations/engagements/<int:pk>/goals/",
        engagement_views.engagement_goals,
        name="engagement_goals",
    ),
    path(
        "organizations/engagements/<int:pk>/sessions/",
        engagement_views.session_add,
        name="session_add",
    ),
    path(
        "organizations/engagements/<int:pk>/outcome/",
        engagement_views.outcome_record,
        name="outcome_record",
    ),
    # The coordinator's pipeline, its export and the yearly report of a PNCS.
    path("organizations/pipeline/", pipeline_views.pipeline_view, name="pipeline"),
    path(
        "organizations/pipeline/export.csv",
        pipeline_views.pipeline_export,
        name="pipeline_export",
    ),
    path(
        "organizations/pipeline/report/<int:pncs_pk>/<int:year>.<str:extension>",
        pipeline_views.yearly_report,
        name="yearly_report",
    ),
    path("organizations/<slug:slug>/", views.organization_detail, name="detail"),
]
