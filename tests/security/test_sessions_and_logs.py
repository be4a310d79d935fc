"""Sessions (SECURITY.md A7), open redirects (A9) and what the logs hold (D7)."""

import logging
import re
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse

from members.models import PrivacyNotice, User
from tests.factories import DEFAULT_PASSWORD, member

pytestmark = pytest.mark.django_db

PASSWORD = "una frase de paso secreta muy larga 7781"
WRONG = "contrasena-equivocada-secreta-5512"
NEW_PASSWORD = "otra frase de paso nueva y larga 9924"


def _login(client, email, password=DEFAULT_PASSWORD, **extra):
    return client.post(reverse("account_login"), {"login": email, "password": password, **extra})


# --- A7 sessions --------------------------------------------------------------------


def test_login_starts_a_new_session_and_logout_kills_it(client):
    user = member()
    session = client.session
    session["before"] = "login"
    session.save()
    anonymous_key = session.session_key
    assert _login(client, user.email).status_code == 302
    logged_in_key = client.cookies["sessionid"].value
    assert logged_in_key != anonymous_key
    assert not Session.objects.filter(session_key=anonymous_key).exists()
    assert client.get(reverse("members:me")).status_code == 200
    client.post(reverse("account_logout"))
    assert not Session.objects.filter(session_key=logged_in_key).exists()
    # The old cookie replayed by someone else is worth nothing.
    thief = Client()
    thief.cookies["sessionid"] = logged_in_key
    assert thief.get(reverse("members:me")).status_code == 302


def test_a_password_change_logs_out_the_other_sessions(client):
    user = member()
    other_device = Client()
    _login(client, user.email)
    _login(other_device, user.email)
    assert other_device.get(reverse("members:me")).status_code == 200
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": DEFAULT_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    response = other_device.get(reverse("members:me"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_deactivating_an_account_kills_all_its_sessions(client):
    user = member()
    other_device = Client()
    _login(client, user.email)
    _login(other_device, user.email)
    User.objects.filter(pk=user.pk).update(is_active=False)
    for device in (client, other_device):
        response = device.get(reverse("members:me"))
        assert response.status_code == 302 and "/login/" in response["Location"]


# --- A9 no open redirect --------------------------------------------------------------

EVIL = [
    "https://evil.example/",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    " //evil.example",
    "http://testserver@evil.example/",
]


def _same_site(location):
    parsed = urlparse(location)
    return (
        parsed.scheme in ("", "http", "https")
        and parsed.netloc in ("", "testserver")
        and not location.lstrip().startswith(("//", "\\", "/\\"))
        and "evil.example" not in location
    )


@pytest.mark.parametrize("target", EVIL)
def test_next_never_leaves_the_site(client, target):
    user = member()
    response = _login(client, user.email, next=target)
    assert response.status_code == 302 and _same_site(response["Location"]), response["Location"]
    response = client.get(reverse("account_login") + "?next=" + target)
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert _same_site(response["Location"])
    response = client.post(reverse("set_language"), {"language": "en", "next": target})
    assert response.status_code == 302 and _same_site(response["Location"]), response["Location"]
    notice = PrivacyNotice.objects.current()
    response = client.post(
        reverse("members:privacy_accept") + "?next=" + target,
        {"accept": "on", "version": notice.version, "next": target},
    )
    assert response.status_code == 302 and _same_site(response["Location"]), response["Location"]
    response = client.post(reverse("account_logout"), {"next": target})
    assert response.status_code == 302 and _same_site(response["Location"]), response["Location"]


# --- D7 logs --------------------------------------------------------------------------


def test_logs_record_logins_and_refusals_but_never_passwords_codes_or_tokens(
    client, caplog, django_capture_on_commit_callbacks, own_cache_namespace
):
    caplog.set_level(logging.DEBUG)
    notice = PrivacyNotice.objects.current()
    email = "secreta@example.org"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_signup"),
            {
                "email": email,
                "password1": PASSWORD,
                "password2": PASSWORD,
                "privacy_version": notice.version,
                "accept_privacy": "on",
            },
        )
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.M).group(1)
    client.post(reverse("account_email_verification_sent"), {"code": "ZZZZ-ZZZZ"})
    client.post(reverse("account_email_verification_sent"), {"code": code})
    assert User.objects.get(email=email).email_verified
    client.post(reverse("account_logout"))
    _login(client, email, WRONG)
    assert _login(client, email, PASSWORD).status_code == 302
    client.post(reverse("account_logout"))
    own_cache_namespace()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": email})
    link = re.search(r"https?://\S+/accounts/password/reset/key/(\S+)/", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body
    token = link.group(1)
    response = client.get(link.group(0))
    form_url = response["Location"] if response.status_code == 302 else link.group(0)
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert User.objects.get(email=email).check_password(NEW_PASSWORD)
    # A page the person may not see is an authorisation failure, logged too.
    client.force_login(User.objects.get(email=email))
    assert client.get(reverse("pncs:search")).status_code == 403

    # What a handler writes: the message and any traceback, through the project's format.
    formatter = logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"])
    text = "\n".join(formatter.format(record) for record in caplog.records)
    assert "login succeeded" in text
    assert "login failed" in text
    assert "Forbidden" in text
    secrets = [PASSWORD, WRONG, NEW_PASSWORD, code, code.replace("-", ""), token]
    secrets += token.split("-")  # the uid and key parts of the reset link
    leaked = [secret for secret in secrets if len(secret) >= 4 and secret in text]
    assert not leaked, leaked
    # Failures do not even copy the address someone typed.
    failed = [r.getMessage() for r in caplog.records if "login failed" in r.getMessage()]
    assert failed and all(email not in line for line in failed)


# --- A6 hashing, A8 re-authentication before MFA changes -----------------------------------


def test_passwords_are_stored_with_a_slow_salted_hash():
    user = member()
    algorithm = user.password.split("$", 1)[0]
    assert algorithm in ("argon2", "pbkdf2_sha256", "scrypt")
    assert DEFAULT_PASSWORD not in user.password


def test_setting_up_or_removing_the_second_factor_asks_for_the_password_again(client):
    user = member()
    client.force_login(user)  # a session without a recent authentication record
    for name in ("mfa_activate_totp", "mfa_generate_recovery_codes"):
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("account_reauthenticate")), name
