from django.urls import path

from . import officers, programme, proposals, views

app_name = "chapters"

urlpatterns = [
    path("chapters/", views.chapter_list, name="list"),
    path("chapters/<slug:slug>/", views.chapter_detail, name="detail"),
    path("chapters/memberships/decide/", views.membership_decide, name="membership_decide"),
    path("chapters/<slug:slug>/officers/", officers.officers, name="officers"),
    path("chapters/<slug:slug>/officers/<int:pk>/end/", officers.officer_end, name="officer_end"),
    path("chapters/<slug:slug>/programme/", programme.programme, name="programme"),
    path("chapters/<slug:slug>/programme/<int:pk>/edit/", programme.line_edit, name="line_edit"),
    path(
        "chapters/<slug:slug>/programme/<int:pk>/delete/",
        programme.line_delete,
        name="line_delete",
    ),
    path("chapters/<slug:slug>/statutes/", programme.statutes, name="statutes"),
    path("chapters/<slug:slug>/report/", programme.report, name="report"),
    path("chapters/<slug:slug>/report.csv", programme.report_csv, name="report_csv"),
    path("chapters/<slug:slug>/report.pdf", programme.report_pdf, name="report_pdf"),
    path("chapters/<slug:slug>/join/", views.membership_request, name="join"),
    path("chapters/<slug:slug>/leave/", views.membership_leave, name="leave"),
    path("chapters/<slug:slug>/home/", views.membership_set_home, name="set_home"),
    path("jornadas/", views.jornada_list, name="jornada_list"),
    # Before <slug>.ics: "feed" is also reserved as a Jornada slug (model constraint).
    path("jornadas/feed.ics", views.jornada_feed, name="jornada_feed"),
    path("jornadas/<slug:slug>.ics", views.jornada_ics, name="jornada_ics"),
    path("jornadas/<slug:slug>/", views.jornada_detail, name="jornada_detail"),
    path("jornadas/<slug:slug>/register/", views.jornada_register, name="jornada_register"),
    path("jornadas/<slug:slug>/cancel/", views.jornada_cancel, name="jornada_cancel"),
    path("jornadas/<slug:slug>/travel/", views.jornada_travel, name="jornada_travel"),
    # The PNCS coordinators' part in IME's Jornadas (chapters.proposals), in their area.
    path("pncs/manage/jornadas/", proposals.proposal_list, name="proposal_list"),
    path(
        "pncs/manage/jornadas/<slug:slug>/propose/<slug:kind>/",
        proposals.proposal_create,
        name="proposal_create",
    ),
    path(
        "jornadas/<slug:slug>/participants.csv",
        views.jornada_participants_csv,
        name="jornada_participants_csv",
    ),
]
