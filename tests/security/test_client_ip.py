"""Issue 17 item 1 (SECURITY.md A3, D7): behind the TLS proxy every request comes from the
proxy's address. The production configuration (DJANGO_SECURE) trusts the address the proxy
forwards, so rate limits count each client and the login log names it; without that
setting a forged X-Forwarded-For changes nothing; the per-account limit stays.

Requests are simulated as the proxy sends them: REMOTE_ADDR is the proxy, X-Forwarded-For
ends with the client's address (the proxy appends it)."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.usersessions.models import UserSession
from django.test import Client
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD, member, totp_code, with_totp

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[2]
PROXY = "10.0.0.2"
ATTACKER = "203.0.113.9"
VICTIM = "198.51.100.7"
WRONG = "no es la contraseña 2026"


def _setting_under(env: dict) -> str:
    """ALLAUTH_TRUSTED_PROXY_COUNT as settings.py computes it from this environment."""
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SECURE")}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from talentnet import settings; print(settings.ALLAUTH_TRUSTED_PROXY_COUNT)",
        ],
        cwd=BASE_DIR,
        env={**clean, "SECRET_KEY": "x" * 50, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip()


@pytest.fixture(scope="module")
def production_proxy_count():
    return int(_setting_under({"DEBUG": "false", "DJANGO_SECURE": "true"}))


@pytest.fixture
def behind_the_proxy(settings, production_proxy_count):
    """This process configured as production is: behind DJANGO_SECURE's proxy."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = production_proxy_count
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = None


def _via_proxy(client_ip):
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"{client_ip}"}


def _login(client, email, password, client_ip):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, **_via_proxy(client_ip)
    )


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _attack(client_ip_of_attempt):
    """Ten failed logins on unknown addresses (the per-address limit of a minute), then wrong
    second-factor codes for an account whose password the attacker knows."""
    attacker = Client()
    for i in range(10):
        _login(attacker, f"nadie{i}@example.org", WRONG, client_ip_of_attempt(i))
    known = member()
    with_totp(known)
    _login(attacker, known.email, DEFAULT_PASSWORD, client_ip_of_attempt(10))
    for i in range(3):
        attacker.post(
            reverse("mfa_authenticate"),
            {"code": "000000"},
            **_via_proxy(client_ip_of_attempt(11 + i)),
        )
    assert not _signed_in(attacker)


def _victim_signs_in_with_a_second_factor(client_ip) -> bool:
    victim = member()
    secret = with_totp(victim)
    client = Client()
    response = _login(client, victim.email, DEFAULT_PASSWORD, client_ip)
    if response.status_code != 302 or response["Location"] != reverse("mfa_authenticate"):
        return False
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)}, **_via_proxy(client_ip))
    return _signed_in(client)


def test_the_production_configuration_trusts_the_proxy_and_the_default_does_not():
    assert _setting_under({"DEBUG": "false", "DJANGO_SECURE": "true"}) == "1"
    assert _setting_under({"DEBUG": "false", "DJANGO_SECURE": "false"}) == "0"
    assert (
        _setting_under({"DEBUG": "false", "DJANGO_SECURE": "true", "TRUSTED_PROXY_COUNT": "0"})
        == "0"
    )


def test_behind_the_proxy_one_attackers_failures_never_block_another_client(behind_the_proxy):
    _attack(lambda i: ATTACKER)
    # The attacker's own address is limited...
    assert _login(Client(), "nadie@example.org", WRONG, ATTACKER).status_code in (200, 429)
    blocked = Client()
    someone = member()
    _login(blocked, someone.email, DEFAULT_PASSWORD, ATTACKER)
    assert not _signed_in(blocked)
    # ...another client signs in, second factor included.
    assert _victim_signs_in_with_a_second_factor(VICTIM)


def test_without_the_trusted_proxy_setting_a_forged_forwarded_address_is_ignored(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = None
    # Each attempt forges another X-Forwarded-For: all count against REMOTE_ADDR.
    _attack(lambda i: f"192.0.2.{i + 1}")
    assert not _victim_signs_in_with_a_second_factor("192.0.2.200")


def test_thirty_one_sign_ins_a_minute_from_different_clients_all_succeed(behind_the_proxy):
    user = member()
    for i in range(31):
        client = Client()
        response = _login(client, user.email, DEFAULT_PASSWORD, f"198.51.100.{i + 1}")
        assert response.status_code == 302, (i, response.status_code)
        assert _signed_in(client), i


def test_the_per_account_limit_holds_across_client_addresses(behind_the_proxy):
    victim = member()
    for i in range(5):
        _login(Client(), victim.email, WRONG, f"203.0.113.{i + 1}")
    client = Client()
    _login(client, victim.email, DEFAULT_PASSWORD, "203.0.113.99")
    assert not _signed_in(client)


def test_the_login_log_and_the_sessions_list_name_the_real_client(behind_the_proxy, caplog):
    caplog.set_level(logging.INFO, logger="talentnet.security")
    user = member()
    _login(Client(), user.email, WRONG, ATTACKER)
    client = Client()
    _login(client, user.email, DEFAULT_PASSWORD, VICTIM)
    assert _signed_in(client)
    lines = [r.getMessage() for r in caplog.records if r.name == "talentnet.security"]
    assert f"login failed ip={ATTACKER}" in lines
    assert f"login succeeded user={user.pk} ip={VICTIM}" in lines
    assert not any(PROXY in line for line in lines)
    assert set(UserSession.objects.filter(user=user).values_list("ip", flat=True)) == {VICTIM}


def test_without_the_setting_the_log_names_the_connecting_address(settings, caplog):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = None
    caplog.set_level(logging.INFO, logger="talentnet.security")
    _login(Client(), "nadie@example.org", WRONG, ATTACKER)
    lines = [r.getMessage() for r in caplog.records if r.name == "talentnet.security"]
    assert f"login failed ip={PROXY}" in lines
