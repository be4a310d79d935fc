from django.urls import path

from . import views

app_name = "programs"

urlpatterns = [
    path("programs/", views.program_list, name="list"),
    # Before <slug>/: "mine" and "certificates" are not program slugs.
    path("programs/mine/", views.my_programs, name="mine"),
    path(
        "programs/mine/<int:pk>/withdraw/",
        views.application_withdraw,
        name="withdraw",
    ),
    path("programs/mine/seats/<int:pk>/confirm/", views.seat_confirm, name="seat_confirm"),
    path("programs/mine/seats/<int:pk>/decline/", views.seat_decline, name="seat_decline"),
    path("programs/mine/seats/<int:pk>/travel/", views.travel_details, name="travel_details"),
    path(
        "programs/mine/certificates/<str:code>.pdf",
        views.certificate_pdf,
        name="certificate_pdf",
    ),
    path("programs/<slug:slug>/", views.program_detail, name="detail"),
    path("programs/<slug:slug>/apply/", views.program_apply, name="apply"),
    # programs/<slug>/figures/ and programs/<slug>/staff/figures/ are the figures app's
    # ("figures_program", "figures_program_staff"): one disclosure rule for every figure.
    path("certificates/", views.certificate_lookup, name="certificate_lookup"),
    path("certificates/<str:code>/", views.certificate_verify, name="certificate_verify"),
]
