"""Issue 17, item 8: how long sign-up takes does not tell whether an address has an account.
The one place the suite compares timings (medians of alternating runs, a generous bound)."""

import logging
import statistics
import time

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from members.models import User
from tests.factories import UserFactory
from tests.members.test_accounts import signup_data

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

RUNS = 7


def _timed_signup(email, capture):
    client = Client()  # a fresh visitor each time, as an enumerating script would be
    started = time.perf_counter()
    with capture(execute=True):
        response = client.post(reverse("account_signup"), signup_data(email=email))
    elapsed = time.perf_counter() - started
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    return elapsed


def test_signing_up_with_a_known_address_takes_as_long_as_with_an_unknown_one(
    django_capture_on_commit_callbacks, settings
):
    # allauth counts sign-ups per address of the visitor: every run here is one visitor.
    settings.ACCOUNT_RATE_LIMITS = {**getattr(settings, "ACCOUNT_RATE_LIMITS", {}), "signup": None}
    known = [UserFactory(email=f"conocida{n}@example.org").email for n in range(RUNS)]
    _timed_signup("calentamiento@example.org", django_capture_on_commit_callbacks)  # warm-up
    mail.outbox.clear()
    times = {"known": [], "unknown": []}
    for n in range(RUNS):  # alternating, so load on the machine falls on both alike
        times["known"].append(_timed_signup(known[n], django_capture_on_commit_callbacks))
        times["unknown"].append(
            _timed_signup(f"desconocida{n}@example.org", django_capture_on_commit_callbacks)
        )
    # Both paths answered alike and each sent one message (a code, or "you already have an
    # account"); no account was made twice.
    assert len(mail.outbox) == 2 * RUNS
    assert User.objects.filter(email__startswith="conocida").count() == RUNS
    known_median = statistics.median(times["known"])
    unknown_median = statistics.median(times["unknown"])
    logging.getLogger(__name__).warning(
        "sign-up medians: known %.3f s, unknown %.3f s", known_median, unknown_median
    )
    assert known_median <= 2 * unknown_median + 0.05, times
    assert unknown_median <= 2 * known_median + 0.05, times
