"""Sign-up with the privacy notice and voluntary choices, verification, login, rate limits,
enumeration, social login visibility and the admin's door."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from core.access import CHAPTER_OFFICERS, IME_STAFF, PNCS_COORDINATORS
from members.forms import PRIVACY_REQUIRED
from members.models import ConsentRecord, PrivacyAcceptance, PrivacyNotice, Profile, User
from tests.factories import DEFAULT_PASSWORD, UserFactory, member

pytestmark = pytest.mark.django_db
PASSWORD = "una frase de paso bastante larga 2026"


def signup_data(email="nueva@example.org", **extra):
    notice = PrivacyNotice.objects.current()
    data = {
        "email": email,
        "password1": PASSWORD,
        "password2": PASSWORD,
        "privacy_version": notice.version,
        "accept_privacy": "on",
    }
    data.update(extra)
    return data


def sign_up(client, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("account_signup"), signup_data(**kwargs))


def code_from(message):
    match = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", message.body, re.MULTILINE)
    assert match, message.body
    return match.group(1)


def test_signup_page_shows_the_short_privacy_notice_and_unticked_choices(client):
    html = client.get(reverse("account_signup")).content.decode()
    notice = PrivacyNotice.objects.current()
    assert notice.summary_es[:60] in html
    assert reverse("members:privacy") in html
    for name in ("accept_privacy", "show_in_directory", "pncs_contact", "notify_chapter"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
        assert "checked" not in tag
        assert f'<label for="id_{name}">' in html


def test_signup_records_the_notice_version_the_choices_and_sends_a_code(
    client, django_capture_on_commit_callbacks
):
    response = sign_up(
        client, django_capture_on_commit_callbacks, pncs_contact="on", notify_jornadas="on"
    )
    assert response.status_code == 302
    user = User.objects.get(email="nueva@example.org")
    assert user.email_verified is False
    acceptance = PrivacyAcceptance.objects.get(user=user)
    assert acceptance.notice == PrivacyNotice.objects.current()
    profile = Profile.objects.get(user=user)
    assert profile.pncs_contact is True and profile.notify_jornadas is True
    assert profile.notify_chapter is False
    assert profile.directory_visibility == Profile.Visibility.IME  # private by default
    purposes = dict(ConsentRecord.objects.filter(user=user).values_list("purpose", "value"))
    assert purposes["pncs_contact"] == "yes" and purposes["notify_chapter"] == "no"
    assert len(mail.outbox) == 1
    assert code_from(mail.outbox[0])


def test_signup_without_accepting_the_notice_is_refused_and_saves_nothing(
    client, django_capture_on_commit_callbacks
):
    data = signup_data()
    del data["accept_privacy"]
    response = client.post(reverse("account_signup"), data)
    assert response.status_code == 200
    assert str(PRIVACY_REQUIRED) in response.content.decode()
    assert 'aria-describedby="id_accept_privacy_error"' in response.content.decode()
    assert not User.objects.filter(email="nueva@example.org").exists()


def test_short_and_common_passwords_are_refused(client):
    for password in ("corta-123", "password1234"):
        response = client.post(
            reverse("account_signup"), signup_data(password1=password, password2=password)
        )
        assert response.status_code == 200
        assert not User.objects.exists()


def test_a_long_password_without_composition_rules_is_accepted(
    client, django_capture_on_commit_callbacks
):
    long = "x" * 30 + " solo minusculas y espacios " + "y" * 40
    response = sign_up(client, django_capture_on_commit_callbacks, password1=long, password2=long)
    assert response.status_code == 302
    assert User.objects.filter(email="nueva@example.org").exists()


def test_login_is_blocked_until_the_code_is_entered_then_email_verified_is_set(
    client, django_capture_on_commit_callbacks, own_cache_namespace
):
    sign_up(client, django_capture_on_commit_callbacks)
    first_code = code_from(mail.outbox[0])
    client.logout()
    own_cache_namespace()  # as if the 10 s cooldown between codes had passed
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_login"), {"login": "nueva@example.org", "password": PASSWORD}
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert client.get(reverse("members:me")).status_code == 302
    # Logging in again sent a fresh code, which replaces the old one.
    assert len(mail.outbox) == 2
    code = code_from(mail.outbox[1])
    response = client.post(reverse("account_email_verification_sent"), {"code": first_code})
    assert response.status_code == 200
    assert User.objects.get(email="nueva@example.org").email_verified is False
    response = client.post(reverse("account_email_verification_sent"), {"code": code})
    assert response.status_code == 302
    user = User.objects.get(email="nueva@example.org")
    assert user.email_verified is True
    assert EmailAddress.objects.get(user=user).verified
    assert response["Location"] == reverse("members:onboarding")


def test_a_wrong_code_is_refused_and_three_attempts_end_the_code(
    client, django_capture_on_commit_callbacks
):
    sign_up(client, django_capture_on_commit_callbacks)
    code = code_from(mail.outbox[0])
    for _ in range(3):
        client.post(reverse("account_email_verification_sent"), {"code": "ZZZZZZ"})
    client.post(reverse("account_email_verification_sent"), {"code": code})
    assert User.objects.get(email="nueva@example.org").email_verified is False


@pytest.mark.parametrize("known", [True, False])
def test_signup_answers_the_same_for_known_and_unknown_addresses(
    client, django_capture_on_commit_callbacks, known
):
    if known:
        UserFactory(email="nueva@example.org")
    response = sign_up(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert len(mail.outbox) == 1
    assert User.objects.filter(email="nueva@example.org").count() == 1


@pytest.mark.parametrize("known", [True, False])
def test_password_reset_answers_the_same_for_known_and_unknown_addresses(
    client, django_capture_on_commit_callbacks, known
):
    if known:
        UserFactory(email="conocida@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "conocida@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1  # a reset link, or "no account with this address"


def test_rate_limits_live_in_a_cache_every_process_shares(settings):
    """allauth counts attempts in the default cache: the database's, shared by every worker
    (a per-process memory would let each worker count its own) and up whenever the site is
    (tests/security/test_cache_degrades.py)."""
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"


@pytest.mark.usefixtures("own_cache_namespace")
def test_the_sixth_bad_login_is_refused_even_with_the_right_password(client):
    user = UserFactory(email="victima@example.org")
    for _ in range(5):
        response = client.post(
            reverse("account_login"), {"login": user.email, "password": "incorrecta-123456"}
        )
        assert response.status_code == 200
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session
    assert "_auth_user_id" not in client.session


def test_a_good_login_lands_on_my_profile(client):
    user = member()
    from members.services import accept_privacy_notice

    accept_privacy_notice(user=user, notice=PrivacyNotice.objects.current())
    Profile.objects.filter(user=user).update(onboarded_at="2026-01-01T00:00Z")
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("members:me")


def test_a_new_privacy_notice_is_asked_at_next_login(client):
    user = member()
    from django.utils import timezone

    from members.services import accept_privacy_notice

    accept_privacy_notice(user=user, notice=PrivacyNotice.objects.current())
    new = PrivacyNotice.objects.create(
        version=PrivacyNotice.objects.order_by("-version").first().version + 1,
        summary_es="Nuevo",
        summary_en="New",
        body_es="Texto",
        body_en="Text",
        published_at=timezone.now(),
    )
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": DEFAULT_PASSWORD}
    )
    assert response["Location"] == reverse("members:privacy_accept")
    # Member pages send them back to the notice until they accept it.
    response = client.get(reverse("members:directory"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("members:privacy_accept"))
    response = client.post(
        reverse("members:privacy_accept"), {"version": new.version, "accept": "on"}
    )
    assert response.status_code == 302
    assert PrivacyAcceptance.objects.filter(user=user, notice=new).exists()
    assert client.get(reverse("members:directory")).status_code == 200


def test_privacy_accept_without_the_box_ticked_records_nothing(client):
    user = UserFactory(privacy_accepted=False)
    client.force_login(user)
    version = PrivacyNotice.objects.current().version
    response = client.post(reverse("members:privacy_accept"), {"version": version})
    assert response.status_code == 200
    assert str(PRIVACY_REQUIRED) in response.content.decode()
    assert not PrivacyAcceptance.objects.filter(user=user).exists()


def test_privacy_accept_ignores_an_external_next(client):
    user = UserFactory(privacy_accepted=False)
    client.force_login(user)
    response = client.post(
        reverse("members:privacy_accept"),
        {
            "version": PrivacyNotice.objects.current().version,
            "accept": "on",
            "next": "https://evil.example/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("members:me")


def test_privacy_notice_is_public_in_both_languages(client):
    response = client.get("/privacy/")
    assert response.status_code == 200
    assert "Responsable" in response.content.decode()
    response = client.get("/en/privacy/")
    assert response.status_code == 200
    assert "Controller" in response.content.decode()


def test_privacy_notice_unknown_version_is_404(client):
    assert client.get("/privacy/?version=99").status_code == 404


def test_social_login_is_hidden_without_credentials(client):
    html = client.get(reverse("account_login")).content.decode()
    assert "Google" not in html and "LinkedIn" not in html


def test_social_login_is_offered_when_credentials_are_configured(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "google": {"APPS": [{"client_id": "id", "secret": "s"}]},
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "linkedin",
                    "name": "LinkedIn",
                    "client_id": "id",
                    "secret": "s",
                    "settings": {"server_url": "https://www.linkedin.com/oauth"},
                }
            ]
        },
    }
    for url in (reverse("account_login"), reverse("account_signup")):
        html = client.get(url).content.decode()
        assert "Google" in html
        assert "LinkedIn" in html


def test_email_verified_follows_the_primary_address(client):
    user = UserFactory()
    address = EmailAddress.objects.get(user=user)
    address.verified = False
    address.save()
    from members.services import sync_email_verified

    assert sync_email_verified(user=user) is False
    user.refresh_from_db()
    assert user.email_verified is False


# --- The admin's door -------------------------------------------------------------------


def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def _staff(group=None, superuser=False):
    user = UserFactory(is_staff=True, is_superuser=superuser)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.mark.parametrize("group", [IME_STAFF, PNCS_COORDINATORS, CHAPTER_OFFICERS, "Program staff"])
def test_staff_who_need_mfa_are_sent_to_set_it_up_before_the_admin(client, group):
    client.force_login(_staff(group))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_a_superuser_without_totp_cannot_reach_the_admin(client):
    client.force_login(_staff(superuser=True))
    response = client.get("/admin/members/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_staff_with_totp_reach_the_admin(client):
    user = _staff(IME_STAFF)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(user)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/members/profile/").status_code == 200


def test_ime_staff_group_holds_the_members_permissions():
    group = Group.objects.get(name=IME_STAFF)
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"view_profile", "change_arcorequest", "add_privacynotice"} <= codenames


def test_a_code_older_than_ten_minutes_is_refused(client, django_capture_on_commit_callbacks):
    from allauth.account.internal.flows.email_verification_by_code import (
        EMAIL_VERIFICATION_CODE_SESSION_KEY,
    )

    sign_up(client, django_capture_on_commit_callbacks)
    code = code_from(mail.outbox[0])
    session = client.session
    state = session[EMAIL_VERIFICATION_CODE_SESSION_KEY]
    state["at"] -= 601
    session[EMAIL_VERIFICATION_CODE_SESSION_KEY] = state
    session.save()
    client.post(reverse("account_email_verification_sent"), {"code": code})
    assert User.objects.get(email="nueva@example.org").email_verified is False


def test_a_code_works_only_once(client, django_capture_on_commit_callbacks):
    sign_up(client, django_capture_on_commit_callbacks)
    code = code_from(mail.outbox[0])
    response = client.post(reverse("account_email_verification_sent"), {"code": code})
    assert response.status_code == 302
    client.logout()
    response = client.post(reverse("account_email_verification_sent"), {"code": code})
    assert response.status_code in (302, 404)
    assert "_auth_user_id" not in client.session


def test_an_unverified_user_is_sent_to_the_email_page(client):
    user = UserFactory(email_verified=False)
    client.force_login(user)
    response = client.get(reverse("members:directory"))
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email")


def test_social_sign_up_asks_for_the_privacy_notice_too(rf):
    from django.template.loader import render_to_string

    from members.forms import SignupExtrasForm

    request = rf.get("/accounts/3rdparty/signup/")
    request.user = UserFactory.build()
    html = render_to_string("socialaccount/signup.html", {"form": SignupExtrasForm()}, request)
    assert 'name="accept_privacy"' in html
    assert PrivacyNotice.objects.current().summary_es[:40] in html


def test_email_subjects_carry_the_site_name_in_the_message_language(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/en/accounts/signup/", signup_data(email="en@example.org"))
    assert mail.outbox[0].subject.startswith("[Mexican Talent Network] ")


def test_social_login_configured_in_the_admin_is_offered(client):
    from allauth.socialaccount.models import SocialApp
    from django.contrib.sites.models import Site

    app = SocialApp.objects.create(provider="google", name="Google", client_id="id", secret="s")
    app.sites.add(Site.objects.get_current())
    html = client.get(reverse("account_login")).content.decode()
    assert "Google" in html
    assert "LinkedIn" not in html


@pytest.mark.parametrize("path", ["/accounts/google/login/", "/en/accounts/google/login/callback/"])
def test_an_unconfigured_social_provider_answers_404_not_500(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert 'class="site-header"' in response.content.decode()
