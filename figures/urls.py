"""URLs of the figures app. Top-level names: the footer links `figures`.

A program's figures keep their public addresses under /programs/ (the programs app never
imports figures; its pages link these by name)."""

from django.urls import path

from . import programmes, views

urlpatterns = [
    path("figures/", views.public, name="figures"),
    path("figures/<slug:slug>.csv", views.public_csv, name="figures_csv"),
    path("staff/figures/", views.staff, name="figures_staff"),
    path("staff/figures/refresh/", views.staff_refresh, name="figures_staff_refresh"),
    path("staff/figures/<slug:slug>.csv", views.staff_csv, name="figures_staff_csv"),
    # A PNCS's work programme, beside its sector page (/pncs/<slug>/).
    path("pncs/<slug:slug>/programa/", programmes.pncs_programme, name="pncs_programme"),
    path("staff/surveys/<int:pk>/results/", views.survey_staff, name="figures_survey"),
    path(
        "staff/surveys/<int:pk>/results/<slug:slug>.csv",
        views.survey_staff_csv,
        name="figures_survey_csv",
    ),
    path("programs/<slug:slug>/figures/", views.program_public, name="figures_program"),
    path(
        "programs/<slug:slug>/staff/figures/",
        views.program_staff,
        name="figures_program_staff",
    ),
]
