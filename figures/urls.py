"""URLs of the figures app. Top-level names: the footer links `figures`."""

from django.urls import path

from . import views

urlpatterns = [
    path("figures/", views.public, name="figures"),
    path("figures/<slug:slug>.csv", views.public_csv, name="figures_csv"),
    path("staff/figures/", views.staff, name="figures_staff"),
    path("staff/figures/<slug:slug>.csv", views.staff_csv, name="figures_staff_csv"),
]
