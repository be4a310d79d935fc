"""The members admin (filters, history, consent history, CSV allow-list), the demo staff
account's documented second factor, and the account pages in the site layout."""

import csv
import io
import random

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from core.access import IME_STAFF
from members.admin import EXPORT_FIELDS
from members.models import ArcoRequest, ConsentRecord, PrivacyNotice, Profile
from members.services import update_consents
from tests.factories import ProfileFactory, UserFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def ime_staff(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=IME_STAFF))
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(user)
    return user


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?country=CA",
        "?sector=tic",
        "?state_of_origin=JAL",
        "?education_level=maestria",
        "?verified=1",
        "?active=0",
        "?q=garcia",
    ],
)
def test_profile_changelist_filters_and_search(client, ime_staff, query):
    ProfileFactory(country="CA")
    response = client.get("/admin/members/profile/" + query)
    assert response.status_code == 200


def test_profile_change_page_shows_consent_and_edit_history(client, ime_staff):
    profile = ProfileFactory(headline="Primera <b>versión</b>")
    update_consents(user=profile.user, choices={"pncs_contact": True}, source="settings")
    html = client.get(f"/admin/members/profile/{profile.pk}/change/").content.decode()
    assert "Contacto de los PNCS" in html
    assert "Primera &lt;b&gt;versión&lt;/b&gt;" in html
    history = client.get(f"/admin/members/profile/{profile.pk}/history/")
    assert history.status_code == 200


def test_staff_csv_export_carries_only_the_allow_listed_fields(client, ime_staff):
    keep = ProfileFactory(paternal_surname="=Cmd", bio="secreto-bio")
    gone = ProfileFactory()
    gone.user.is_active = False
    gone.user.save()
    response = client.post(
        "/admin/members/profile/",
        {"action": "export_profiles_csv", "_selected_action": [keep.pk, gone.pk]},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows[0]) == len(EXPORT_FIELDS)
    assert len(rows) == 2  # header + the active profile only
    assert "'=Cmd" in rows[1]
    assert "secreto-bio" not in body and keep.user.email not in body


def test_consent_records_and_acceptances_are_read_only_in_the_admin(client, ime_staff):
    update_consents(user=member(), choices={"notify_chapter": True}, source="settings")
    record = ConsentRecord.objects.first()
    assert client.get("/admin/members/consentrecord/").status_code == 200
    response = client.post(f"/admin/members/consentrecord/{record.pk}/change/", {"value": "x"})
    assert response.status_code == 403
    assert client.get("/admin/members/consentrecord/add/").status_code == 403


def test_arco_requests_are_listed_with_their_due_date(client, ime_staff):
    from members.services import create_arco_request

    arco = create_arco_request(user=member(), kind="access", description="Quiero mis datos")
    html = client.get("/admin/members/arcorequest/").content.decode()
    assert arco.due_on.strftime("%Y") in html
    response = client.post(
        f"/admin/members/arcorequest/{arco.pk}/change/",
        {
            "status": "answered",
            "answered_at_0": "2026-11-30",
            "answered_at_1": "10:00",
            "staff_notes": "Enviado",
        },
    )
    assert response.status_code == 302
    arco.refresh_from_db()
    assert arco.status == ArcoRequest.Status.ANSWERED


def test_a_published_privacy_notice_cannot_be_edited(client, ime_staff):
    notice = PrivacyNotice.objects.current()
    client.post(
        f"/admin/members/privacynotice/{notice.pk}/change/",
        {
            "summary_es": "cambiado",
            "summary_en": "x",
            "body_es": "x",
            "body_en": "x",
            "version": notice.version,
        },
    )
    notice.refresh_from_db()
    assert notice.summary_es != "cambiado"


def test_the_demo_staff_account_reaches_the_admin_with_its_documented_recovery_code(
    client, settings
):
    from io import StringIO

    from demo import members as demo

    demo.seed(stdout=StringIO(), rng=random.Random(1), members=2)
    response = client.post(
        reverse("account_login"),
        {"login": demo.DEMO_STAFF_EMAIL, "password": demo.DEMO_STAFF_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # The code printed by `make run` (Makefile) is the first demo recovery code.
    assert demo.demo_staff_recovery_codes()[0] == "89870152"
    response = client.post(reverse("mfa_authenticate"), {"code": "89870152"})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_the_demo_staff_totp_secret_is_the_documented_one():
    from io import StringIO

    from allauth.mfa.totp.internal.auth import (
        TOTP,
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    from demo import members as demo

    demo.seed(stdout=StringIO(), rng=random.Random(1), members=1)
    instance = Authenticator.objects.get(
        user__email=demo.DEMO_STAFF_EMAIL, type=Authenticator.Type.TOTP
    )
    counter = next(iter(yield_hotp_counters_from_time()))
    code = format_hotp_value(hotp_value(demo.DEMO_STAFF_TOTP_SECRET, counter))
    assert TOTP(instance).validate_code(code)


# --- Account pages in the site layout, both languages --------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "account_email",
        "account_change_password",
        "mfa_index",
        "usersessions_list",
        "socialaccount_connections",
        "account_reauthenticate",
    ],
)
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_account_pages_render_in_the_site_layout(client, me, name, prefix):
    from django.utils import translation

    with translation.override("es-mx"):
        path = reverse(name)
    response = client.get(prefix + path)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="site-header"' in html
    assert 'class="account-nav"' in html or name == "account_reauthenticate"


def test_changing_the_email_asks_for_the_password_again(client, me):
    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "otra@example.org"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert me.emailaddress_set.count() == 1


def test_signup_in_english_makes_english_the_email_language(
    client, django_capture_on_commit_callbacks
):
    from tests.members.test_accounts import signup_data

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/accounts/signup/", signup_data(email="english@example.org"))
    assert response.status_code == 302
    from members.models import User

    assert User.objects.get(email="english@example.org").preferred_language == "en"
    body = mail.outbox[0].body
    assert "verification code" in body and "código" not in body


def test_arco_receipt_uses_the_members_email_language(django_capture_on_commit_callbacks):
    from members.services import create_arco_request

    user = member()
    user.preferred_language = "en"
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        create_arco_request(user=user, kind="access", description="All my data")
    assert mail.outbox[0].subject.startswith("We received your ARCO request")


def test_profile_rows_never_answer_with_the_email_in_the_directory_admin_export():
    assert "email" not in {name for name, _label in EXPORT_FIELDS}
    assert Profile._meta.get_field("user")


def test_allauth_field_errors_are_tied_to_their_input(client, me):
    from tests.members.test_data_and_directory import recent_login

    recent_login(client)
    response = client.post(reverse("account_email"), {"action_add": "", "email": "no-es-correo"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_email_error"' in html
    assert 'aria-describedby="id_email_error ' in html
    assert 'aria-invalid="true"' in html
    assert '<label for="id_email">' in html
