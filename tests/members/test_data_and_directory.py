"""My data (ARCO): choices with history, export after re-authentication, ARCO requests,
deletion; the directory with its filters, visibility rules and the daily view cap."""

import csv
import io
import json
from datetime import date

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.access import PNCS_COORDINATORS
from core.spreadsheets import csv_safe
from members import messages as msg
from members.forms import DELETE_CONFIRM_REQUIRED
from members.models import ArcoRequest, ConsentRecord, PrivacyNotice, Profile, ProfileView, User
from members.services import legal_due_date
from tests.factories import ProfileFactory

pytestmark = pytest.mark.django_db
MEMBERS = Profile.Visibility.MEMBERS


def recent_login(client):
    """allauth records the time of the last authentication in the session."""
    from allauth.account.internal.flows import login as login_flow

    session = client.session
    session[login_flow._AUTHENTICATION_METHODS_USER_SESSION_KEY] = session["_auth_user_id"]
    session[login_flow.AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": timezone.now().timestamp(), "reauthenticated": True}
    ]
    session.save()


# --- Privacy choices ------------------------------------------------------------------


def test_changing_choices_records_each_change(client, me):
    response = client.post(
        reverse("members:choices"),
        {"directory_visibility": MEMBERS, "pncs_contact": "on"},
    )
    assert response.status_code == 302
    profile = Profile.objects.get(user=me)
    assert profile.directory_visibility == MEMBERS and profile.pncs_contact
    records = ConsentRecord.objects.filter(user=me, source="settings")
    assert sorted(records.values_list("purpose", "value")) == [
        ("directory_visibility", "members"),
        ("pncs_contact", "yes"),
    ]
    # Opting out is one click too, and recorded.
    client.post(reverse("members:choices"), {"directory_visibility": MEMBERS})
    assert not Profile.objects.get(user=me).pncs_contact
    assert ConsentRecord.objects.filter(user=me, purpose="pncs_contact", value="no").exists()


def test_a_bad_visibility_value_saves_nothing(client, me):
    response = client.post(reverse("members:choices"), {"directory_visibility": "everyone"})
    assert response.status_code == 200
    assert Profile.objects.get(user=me).directory_visibility == Profile.Visibility.IME
    assert not ConsentRecord.objects.filter(user=me).exists()


# --- My data, export --------------------------------------------------------------------


def test_my_data_shows_what_is_stored(client, me):
    html = client.get(reverse("members:my_data")).content.decode()
    profile = Profile.objects.get(user=me)
    assert me.email in html and profile.paternal_surname in html
    assert reverse("members:export") in html


def test_export_needs_a_recent_authentication(client, me):
    session = client.session
    session.pop("account_authentication_methods", None)
    session.save()
    response = client.post(reverse("members:export"), {"format": "json"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


def test_export_json_has_everything_and_is_not_stored(client, me):
    recent_login(client)
    response = client.post(reverse("members:export"), {"format": "json"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["email"] == me.email
    assert data["profile"]["paternal_surname"] == Profile.objects.get(user=me).paternal_surname
    assert data["profile"]["sectors"] == [{"sector": "tic", "primary": True}]
    assert data["privacy_acceptances"][0]["version"] == PrivacyNotice.objects.current().version


def test_export_csv_round_trips_and_neutralises_formulas(client, me):
    Profile.objects.filter(user=me).update(headline='=HYPERLINK("x"), "comillas"\ny acentos ñ')
    recent_login(client)
    response = client.post(reverse("members:export"), {"format": "csv"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    rows = dict(csv.reader(io.StringIO(response.content.decode())))
    assert rows["profile.headline"] == "'" + '=HYPERLINK("x"), "comillas"\ny acentos ñ'
    assert rows["account.email"] == me.email


def test_csv_safe_prefixes_every_formula_trigger():
    for text in ("=1", "+1", "-1", "@x", "\tx", "\rx"):
        assert csv_safe(text) == "'" + text
    assert csv_safe("normal") == "normal"


def test_export_with_a_bad_format_is_refused(client, me):
    recent_login(client)
    assert client.post(reverse("members:export"), {"format": "xml"}).status_code == 400


def test_export_is_post_only(client, me):
    assert client.get(reverse("members:export")).status_code == 405


# --- ARCO -------------------------------------------------------------------------------


def test_legal_due_date_counts_twenty_business_days():
    assert legal_due_date(date(2026, 11, 23)) == date(2026, 12, 21)  # Monday -> Monday
    # Mexican rest days do not count (core.business_days): 25 Dec and 1 Jan are skipped.
    assert legal_due_date(date(2026, 12, 18)) == date(2027, 1, 19)


def test_an_arco_request_is_filed_with_its_due_date_and_a_receipt(
    client, me, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("members:arco_request"),
            {"kind": "rectification", "description": "Mi institución cambió de nombre."},
        )
    assert response.status_code == 302
    arco = ArcoRequest.objects.get(user=me)
    assert arco.due_on == legal_due_date(timezone.localdate(arco.created_at))
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [me.email]
    page = client.get(reverse("members:my_data")).content.decode()
    assert str(msg.ARCO_FILED) in page


def test_an_empty_arco_request_saves_nothing(client, me):
    response = client.post(reverse("members:arco_request"), {"kind": "access", "description": ""})
    assert response.status_code == 200
    assert not ArcoRequest.objects.exists()


# --- Deletion ---------------------------------------------------------------------------


def test_deleting_my_account_anonymises_deactivates_and_logs_out(client, me, onboarded):
    Profile.objects.filter(user=me).update(directory_visibility=MEMBERS, notify_chapter=True)
    from allauth.usersessions.models import UserSession

    from tests.factories import DEFAULT_PASSWORD

    other = client.__class__()  # a second session elsewhere, through the real login
    other.post(reverse("account_login"), {"login": me.email, "password": DEFAULT_PASSWORD})
    assert other.get(reverse("members:me")).status_code == 200
    assert UserSession.objects.filter(user=me).count() >= 1
    old_email = me.email
    recent_login(client)
    response = client.post(reverse("members:delete"), {"confirm": "on"})
    assert response.status_code == 302
    me.refresh_from_db()
    assert me.is_active is False and me.deleted_at is not None
    assert me.email != old_email and not me.has_usable_password()
    assert not EmailAddress.objects.filter(email=old_email).exists()
    profile = Profile.objects.get(user=me)
    assert profile.given_names == "" and profile.paternal_surname == ""
    assert profile.notify_chapter is False
    assert profile.history.count() == 0
    assert not Profile.objects.visible_in_directory().filter(pk=me.pk).exists()
    assert "_auth_user_id" not in client.session
    assert other.get(reverse("members:me")).status_code == 302  # that session is dead too
    assert not UserSession.objects.filter(user=me).exists()
    assert User.objects.filter(pk=me.pk).exists()  # aggregate counts survive


def test_delete_without_confirmation_keeps_the_account(client, me):
    recent_login(client)
    response = client.post(reverse("members:delete"), {})
    assert response.status_code == 200
    assert str(DELETE_CONFIRM_REQUIRED) in response.content.decode()
    me.refresh_from_db()
    assert me.is_active and me.deleted_at is None


def test_delete_needs_a_recent_authentication(client, me):
    session = client.session
    session.pop("account_authentication_methods", None)
    session.save()
    response = client.post(reverse("members:delete"), {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    me.refresh_from_db()
    assert me.is_active


# --- Directory: tests/members/test_directory.py ----------------------------------------


# --- Profile pages -----------------------------------------------------------------------


def test_a_member_sees_a_visible_profile_without_the_email(client, me):
    other = ProfileFactory(directory_visibility=MEMBERS, bio="Hola <script>x</script>")
    response = client.get(reverse("members:profile", args=[other.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert other.user.email not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert ProfileView.objects.filter(viewer=me, profile=other).count() == 1


def test_the_email_shows_only_when_the_owner_allowed_it(client, me):
    other = ProfileFactory(directory_visibility=MEMBERS, show_email=True)
    assert (
        other.user.email in client.get(reverse("members:profile", args=[other.pk])).content.decode()
    )


@pytest.mark.parametrize("visibility", [Profile.Visibility.PNCS, Profile.Visibility.IME])
def test_a_member_gets_404_on_a_private_profile(client, me, visibility):
    other = ProfileFactory(directory_visibility=visibility)
    assert client.get(reverse("members:profile", args=[other.pk])).status_code == 404


def test_a_pncs_coordinator_sees_pncs_profiles_but_not_ime_only(client, me):
    from allauth.mfa.models import Authenticator

    me.groups.add(Group.objects.get(name=PNCS_COORDINATORS))
    Authenticator.objects.create(user=me, type=Authenticator.Type.TOTP, data={"secret": "x"})
    pncs = ProfileFactory(directory_visibility=Profile.Visibility.PNCS)
    ime = ProfileFactory(directory_visibility=Profile.Visibility.IME)
    assert client.get(reverse("members:profile", args=[pncs.pk])).status_code == 200
    assert client.get(reverse("members:profile", args=[ime.pk])).status_code == 404


def test_a_deleted_members_profile_is_404(client, me):
    other = ProfileFactory(directory_visibility=MEMBERS)
    User.objects.filter(pk=other.pk).update(is_active=False, deleted_at=timezone.now())
    assert client.get(reverse("members:profile", args=[other.pk])).status_code == 404


def test_the_daily_cap_on_profile_views_is_enforced_and_logged(client, me, settings):
    settings.MEMBERS_DAILY_PROFILE_VIEW_CAP = 2
    a, b, c = ProfileFactory.create_batch(3, directory_visibility=MEMBERS)
    assert client.get(reverse("members:profile", args=[a.pk])).status_code == 200
    assert client.get(reverse("members:profile", args=[b.pk])).status_code == 200
    assert client.get(reverse("members:profile", args=[a.pk])).status_code == 200  # again: free
    response = client.get(reverse("members:profile", args=[c.pk]))
    assert response.status_code == 429
    assert str(msg.VIEW_CAP_REACHED) in response.content.decode()
    assert client.get(reverse("members:profile", args=[me.pk])).status_code == 200  # own: free
    assert ProfileView.objects.filter(viewer=me).count() == 2


def test_a_coordinator_without_a_second_factor_is_sent_to_set_it_up(client, me):
    me.groups.add(Group.objects.get(name=PNCS_COORDINATORS))
    other = ProfileFactory(directory_visibility=MEMBERS)
    for url in (reverse("members:directory"), reverse("members:profile", args=[other.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mfa_activate_totp"))
