"""Issue 17 item 18 (SECURITY.md C3): the demo accounts' passwords and TOTP secrets are
published (README, `make run`), so `manage.py check --deploy` fails while any of them exists,
and passes again once they are gone."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from random import Random

import pytest
from django.core.checks import run_checks
from django.db import connection

from demo import members as demo
from members.checks import DEMO_ACCOUNTS_ID
from members.models import User
from tests.factories import UserFactory

BASE_DIR = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x7$kP2!qLr9@vWz4#tYb8^nMc5&hJd3*gFs6(aQe1)uIo0-pZl",
    "ALLOWED_HOSTS": "talentos.example.org",
    "DJANGO_SECURE": "true",
    "STATIC_MANIFEST": "true",
    "SMTP_HOST": "smtp.example.org",
}


def _deploy_ids():
    return {message.id for message in run_checks(include_deployment_checks=True)}


@pytest.mark.django_db
def test_the_deploy_check_fails_while_the_demo_accounts_exist(settings):
    settings.DEBUG = False
    assert DEMO_ACCOUNTS_ID not in _deploy_ids()
    demo.seed(stdout=StringIO(), rng=Random(1), members=2)
    assert DEMO_ACCOUNTS_ID in _deploy_ids()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "email", [demo.DEMO_STAFF_EMAIL, f"miembro0002@{demo.DEMO_MEMBER_DOMAIN}", "X@DEMO.EXAMPLE.ORG"]
)
def test_any_single_demo_address_is_enough_to_fail_it(email):
    UserFactory(email=email)
    assert DEMO_ACCOUNTS_ID in _deploy_ids()


@pytest.mark.django_db
def test_real_accounts_do_not_trip_it_nor_do_checks_outside_deploy():
    UserFactory(email="ana@example.org")
    UserFactory(email="ime@sre.gob.mx", is_staff=True, is_superuser=True)
    assert DEMO_ACCOUNTS_ID not in _deploy_ids()
    UserFactory(email=demo.DEMO_STAFF_EMAIL)
    # Other commands (migrate, shell, a clean-up) still run: only the deploy check fails.
    assert DEMO_ACCOUNTS_ID not in {m.id for m in run_checks()}


def _check_deploy_on_this_database():
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"]
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env={**clean, **PRODUCTION_ENV, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db(transaction=True)
def test_check_deploy_on_a_production_configuration_refuses_the_seeded_demo_then_passes():
    demo.seed(stdout=StringIO(), rng=Random(1), members=2)
    result = _check_deploy_on_this_database()
    assert result.returncode != 0
    assert DEMO_ACCOUNTS_ID in result.stderr + result.stdout
    assert demo.DEMO_STAFF_EMAIL in result.stderr + result.stdout
    # The operator retires the demo accounts (here: gives them addresses of no demo).
    for user in User.objects.filter(email__endswith="example.org"):
        User.objects.filter(pk=user.pk).update(email=f"retirada-{user.pk}@example.net")
    result = _check_deploy_on_this_database()
    assert result.returncode == 0, result.stdout + result.stderr
