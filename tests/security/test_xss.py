"""Stored XSS (SECURITY.md C1) and mail header injection (C8): a payload in every free-text
field a member or coordinator can write (names, headline, bio, employer, membership message,
interest message, affiliation, opportunity title, application motivation) reaches the pages
of every role, the admin and the emails only escaped."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import escape

from pncs.services import decide_interest

from .world import ROLES, build_world

pytestmark = pytest.mark.django_db

PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = escape(PAYLOAD)
RAW_MARKERS = ("<script>alert", "<img src=x onerror")

# Pages where the payload must show up (escaped), per role: proves the test looks at pages
# that really carry the user text.
MUST_SHOW = {
    "member": ["members:me", "pncs:affiliations", "pncs:my_opportunities"],
    "other_member": ["members:profile", "members:directory"],
    "coord_own": ["pncs:opportunity_manage", "pncs:member_detail", "pncs:search"],
    "ime_staff": ["members:profile", "admin:members_profile_change"],
    "superuser": ["admin:members_profile_changelist", "admin:chapters_membership_changelist"],
}
ADMIN_PAGES = [
    "admin:members_profile_changelist",
    "admin:members_profile_change",
    "admin:chapters_membership_changelist",
    "admin:programs_application_changelist",
]


@pytest.fixture
def world():
    return build_world(text=PAYLOAD)


def _assert_no_raw_payload(where, html):
    for marker in RAW_MARKERS:
        assert marker not in html, f"{where}: unescaped user text"


@pytest.mark.parametrize("role", ROLES)
def test_user_text_is_escaped_on_every_page_for_every_role(client, world, role):
    if world.user(role) is not None:
        client.force_login(world.user(role))
    shown = set()
    for name, url in world.urls.items():
        response = client.get(url)
        if response.status_code != 200 or not hasattr(response, "content"):
            continue
        if "text/html" not in response["Content-Type"]:
            # CSV, calendars, PDF: not HTML, served with nosniff (test_headers.py), so a
            # browser never runs them as a page.
            assert response["X-Content-Type-Options"] == "nosniff"
            continue
        body = response.content.decode(errors="replace")
        _assert_no_raw_payload(f"{role} {name}", body)
        if ESCAPED in body or escape(ESCAPED) in body:
            shown.add(name)
    missing = set(MUST_SHOW.get(role, [])) - shown
    assert not missing, f"{role}: the payload should be visible (escaped) on {missing}"


def test_admin_pages_escape_user_text_and_their_search(client, world):
    client.force_login(world.user("superuser"))
    for name in ADMIN_PAGES:
        response = client.get(world.urls[name] + ("?q=" + PAYLOAD if "changelist" in name else ""))
        assert response.status_code == 200, name
        _assert_no_raw_payload(name, response.content.decode())


def test_emails_carry_user_text_only_as_plain_text_and_no_injected_header(
    world, django_capture_on_commit_callbacks
):
    interest = world.objects["interest"]
    opportunity = interest.opportunity
    opportunity.title_es = "Mentoría\r\nBcc: victima@evil.example\r\nX-Injected: 1"
    opportunity.save(update_fields=["title_es"])
    with django_capture_on_commit_callbacks(execute=True):
        decide_interest(interest_id=interest.pk, status="accepted", by=world.user("coord_own"))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.recipients() == [world.user("member").email]
    rendered = message.message()
    assert rendered["Bcc"] is None and rendered["X-Injected"] is None
    assert "\n" not in message.subject and "\r" not in message.subject
    for content, mimetype in getattr(message, "alternatives", []):
        if mimetype == "text/html":
            _assert_no_raw_payload("email html part", content)


def test_a_name_with_cr_lf_cannot_inject_a_header_in_account_mail(
    client, django_capture_on_commit_callbacks
):
    from members.models import PrivacyNotice

    notice = PrivacyNotice.objects.current()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "email": "nueva@example.org\r\nBcc: victima@evil.example",
                "password1": "una frase de paso larga 2026",
                "password2": "una frase de paso larga 2026",
                "privacy_version": notice.version,
                "accept_privacy": "on",
            },
        )
    assert response.status_code == 200  # refused as an invalid address
    assert all("evil.example" not in ",".join(m.recipients()) for m in mail.outbox)
