from django.urls import path

from .views import manage, member, programme, public, search

app_name = "pncs"

urlpatterns = [
    path("pncs/", public.pncs_list, name="list"),
    # Fixed paths first: the sector page takes any slug.
    path("pncs/search/", search.member_search, name="search"),
    path("pncs/search/export.csv", search.export_csv, name="export_csv"),
    path("pncs/search/export.xlsx", search.export_xlsx, name="export_xlsx"),
    path("pncs/exports/", search.my_exports, name="exports"),
    path(
        "pncs/exports/<uuid:public_id>/download/",
        search.export_download,
        name="export_download",
    ),
    path("pncs/members/<int:pk>/", search.member_detail, name="member_detail"),
    path("pncs/manage/", manage.manage_home, name="manage"),
    path("pncs/manage/opportunities/new/", manage.opportunity_create, name="opportunity_create"),
    path(
        "pncs/manage/opportunities/<int:pk>/",
        manage.opportunity_manage,
        name="opportunity_manage",
    ),
    path(
        "pncs/manage/opportunities/<int:pk>/edit/",
        manage.opportunity_edit,
        name="opportunity_edit",
    ),
    path("pncs/manage/announcements/", manage.announcements, name="announcements"),
    path("pncs/manage/interests/<int:pk>/decide/", manage.interest_decide, name="interest_decide"),
    path("pncs/manage/programme/", programme.programme_manage, name="programme"),
    path(
        "pncs/manage/programme/new/",
        programme.programme_line_create,
        name="programme_line_create",
    ),
    path(
        "pncs/manage/programme/<int:pk>/edit/",
        programme.programme_line_edit,
        name="programme_line_edit",
    ),
    path(
        "pncs/manage/programme/<int:pk>/delete/",
        programme.programme_line_delete,
        name="programme_line_delete",
    ),
    path(
        "pncs/manage/programme/overview/",
        programme.programme_overview,
        name="programme_overview",
    ),
    path(
        "pncs/manage/programme/report.csv",
        programme.programme_report_csv,
        name="programme_report_csv",
    ),
    path(
        "pncs/manage/programme/report.pdf",
        programme.programme_report_pdf,
        name="programme_report_pdf",
    ),
    path("pncs/<slug:slug>/", public.pncs_sector, name="sector"),
    path("opportunities/", public.opportunity_list, name="opportunity_list"),
    path("opportunities/mine/", member.my_opportunities, name="my_opportunities"),
    path("opportunities/affiliations/", member.affiliations, name="affiliations"),
    path(
        "opportunities/affiliations/<int:pk>/delete/",
        member.affiliation_delete,
        name="affiliation_delete",
    ),
    path("opportunities/<int:pk>/", public.opportunity_detail, name="opportunity_detail"),
]
