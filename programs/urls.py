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
    path(
        "programs/mine/certificates/<str:code>.json",
        views.certificate_json,
        name="certificate_json",
    ),
    path("programs/<slug:slug>/", views.program_detail, name="detail"),
    path("programs/<slug:slug>/apply/", views.program_apply, name="apply"),
    # programs/<slug>/figures/ and programs/<slug>/staff/figures/ are the figures app's
    # ("figures_program", "figures_program_staff"): one disclosure rule for every figure.
    path("certificates/", views.certificate_lookup, name="certificate_lookup"),
    path("certificates/<str:code>/", views.certificate_verify, name="certificate_verify"),
    # Open Badges 3.0 (programs/openbadges.py): each issuer's profile, DID document (did:web)
    # and revocation list, at stable addresses that signed credentials name.
    path(
        "credentials/network/",
        views.openbadges_issuer_profile,
        name="openbadges_network_profile",
    ),
    path(
        "credentials/network/did.json", views.openbadges_issuer_did, name="openbadges_network_did"
    ),
    path(
        "credentials/network/status.json",
        views.openbadges_status_list,
        name="openbadges_network_status",
    ),
    path(
        "credentials/partners/<slug:slug>/",
        views.openbadges_issuer_profile,
        name="openbadges_partner_profile",
    ),
    path(
        "credentials/partners/<slug:slug>/did.json",
        views.openbadges_issuer_did,
        name="openbadges_partner_did",
    ),
    path(
        "credentials/partners/<slug:slug>/status.json",
        views.openbadges_status_list,
        name="openbadges_partner_status",
    ),
]
