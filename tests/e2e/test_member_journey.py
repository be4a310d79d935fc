"""A newcomer's whole journey in Chromium: sign up, verify by the emailed code, onboard,
see the profile, switch language, download the data (re-authenticating), delete the account.
The main member pages are checked with axe-core on the way."""

import json
import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from members.models import Profile, Sector, User
from tests.e2e.axe import assert_no_serious_axe_violations
from tests.factories import ProfileFactory

pytestmark = [
    pytest.mark.slow,
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("own_cache_namespace"),
]

EMAIL = "recien.llegada@example.org"
PASSWORD = "una frase de paso muy larga 2026"


def submit(page):
    page.locator("main form button[type=submit]").first.click()


def test_newcomer_journey_from_sign_up_to_deleting_the_account(page, live_server, artifacts_dir):
    ProfileFactory(directory_visibility=Profile.Visibility.MEMBERS, paternal_surname="Visible")
    base = live_server.url

    # Sign up: the short privacy notice, an unticked acceptance and unticked choices.
    page.goto(base + "/accounts/signup/")
    assert_no_serious_axe_violations(page)
    page.screenshot(path=str(artifacts_dir / "member-signup.png"), full_page=True)
    expect(page.locator("#id_accept_privacy")).not_to_be_checked()
    expect(page.locator("#id_pncs_contact")).not_to_be_checked()
    page.fill("#id_email", EMAIL)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.check("#id_accept_privacy")
    page.check("#id_notify_jornadas")
    submit(page)

    # Verify with the code from the email (sent through the transactional queue).
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/"))
    assert_no_serious_axe_violations(page)
    message = mail.outbox[-1]
    assert message.to == [EMAIL]
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", message.body, re.MULTILINE).group(1)
    page.fill("#id_code", code)
    submit(page)

    # Onboarding right after verification.
    expect(page).to_have_url(re.compile(r"/me/welcome/$"))
    assert_no_serious_axe_violations(page)
    page.screenshot(path=str(artifacts_dir / "member-onboarding.png"), full_page=True)
    page.fill("#id_given_names", "Citlali")
    page.fill("#id_paternal_surname", "Hernández")
    page.select_option("#id_country", "CA")
    page.fill("#id_city", "Montreal")
    tic = Sector.objects.get(slug="tic")
    page.check(f"input[name=sectors][value='{tic.pk}']")
    page.select_option("#id_primary_sector", str(tic.pk))
    page.fill("#id_expertise", "Visión por computadora, robótica")
    submit(page)

    # My profile and dashboard.
    expect(page).to_have_url(base + "/me/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Citlali Hernández")
    assert_no_serious_axe_violations(page)
    page.screenshot(path=str(artifacts_dir / "member-dashboard.png"), full_page=True)
    user = User.objects.get(email=EMAIL)
    assert user.email_verified
    assert Profile.objects.get(user=user).notify_jornadas is True

    page.goto(base + "/members/")
    expect(page.get_by_text("Visible").first).to_be_visible()
    assert_no_serious_axe_violations(page)

    # Change language: the same page in English.
    page.goto(base + "/me/")
    page.get_by_role("button", name="English").click()
    expect(page).to_have_url(base + "/en/me/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Edit my profile")).to_be_visible()

    # Download my data: asks for the password again, then the file arrives.
    page.goto(base + "/en/me/data/")
    assert_no_serious_axe_violations(page)
    page.screenshot(path=str(artifacts_dir / "member-my-data.png"), full_page=True)
    page.get_by_role("button", name="Download as JSON").click()
    expect(page).to_have_url(re.compile(r"/en/accounts/reauthenticate/"))
    assert_no_serious_axe_violations(page)
    page.fill("#id_password", PASSWORD)
    with page.expect_download() as download_info:
        submit(page)
    data = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert data["account"]["email"] == EMAIL
    assert data["profile"]["given_names"] == "Citlali"
    assert "machine" not in json.dumps(data)

    # Delete the account.
    page.goto(base + "/en/me/data/delete/")
    assert_no_serious_axe_violations(page)
    page.check("#id_confirm")
    submit(page)
    expect(page).to_have_url(base + "/en/")
    page.screenshot(path=str(artifacts_dir / "member-deleted.png"), full_page=True)
    user.refresh_from_db()
    assert user.is_active is False and user.deleted_at is not None
    assert user.email != EMAIL
    page.goto(base + "/en/me/")
    expect(page).to_have_url(re.compile(r"/en/accounts/login/"))


def test_ime_staff_set_up_a_second_factor_before_the_admin(page, live_server):
    from allauth.account.models import EmailAddress
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )
    from django.contrib.auth.models import Group

    from core.access import IME_STAFF

    staff = User.objects.create_user(
        "staff.ime@example.org", PASSWORD, is_staff=True, email_verified=True
    )
    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)
    staff.groups.add(Group.objects.get(name=IME_STAFF))
    base = live_server.url

    page.goto(base + "/admin/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=%2Fadmin%2F"))
    page.fill("#id_login", staff.email)
    page.fill("#id_password", PASSWORD)
    submit(page)
    if "/accounts/reauthenticate/" in page.url:
        page.fill("#id_password", PASSWORD)
        submit(page)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/"))
    assert_no_serious_axe_violations(page)
    secret = page.locator("#authenticator_secret").input_value()
    counter = next(iter(yield_hotp_counters_from_time()))
    page.fill("#id_code", format_hotp_value(hotp_value(secret, counter)))
    submit(page)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/"))

    page.goto(base + "/admin/")
    expect(page).to_have_url(base + "/admin/")
    expect(page.locator("#site-name")).to_be_visible()


ANONYMOUS_PAGES = ["/accounts/login/", "/accounts/password/reset/", "/privacy/", "/en/privacy/"]
MEMBER_PAGES = [
    "/me/edit/",
    "/me/data/choices/",
    "/me/data/arco/",
    "/me/preferences/",
    "/members/?q=zz&sector=tic",
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/2fa/",
    "/accounts/sessions/",
    "/en/members/",
]


def test_member_and_account_pages_have_no_serious_axe_violations(page, live_server):
    from tests.factories import DEFAULT_PASSWORD

    ProfileFactory(directory_visibility=Profile.Visibility.MEMBERS)
    profile = ProfileFactory()
    base = live_server.url
    for path in ANONYMOUS_PAGES:
        page.goto(base + path)
        assert_no_serious_axe_violations(page)
    page.goto(base + "/accounts/login/")
    page.fill("#id_login", profile.user.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    submit(page)
    expect(page).to_have_url(base + "/me/")
    for path in [*MEMBER_PAGES, f"/members/{profile.pk}/"]:
        page.goto(base + path)
        assert_no_serious_axe_violations(page)
    # Usable on a phone: no sideways scrolling on the longest pages.
    page.set_viewport_size({"width": 375, "height": 740})
    for path in ["/me/", "/me/edit/", "/me/data/", "/members/"]:
        page.goto(base + path)
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, path


def test_a_member_finds_people_by_country_with_suggestions_and_pages_through(page, live_server):
    """The country is a text field with suggestions (no 250-option select): typing part of
    a name offers countries in the page's language; the cards page forwards and back."""
    from tests.factories import DEFAULT_PASSWORD

    ProfileFactory(
        directory_visibility=Profile.Visibility.MEMBERS, paternal_surname="Alemana", country="DE"
    )
    for n in range(22):
        ProfileFactory(
            directory_visibility=Profile.Visibility.MEMBERS,
            given_names="Ana",
            paternal_surname=f"Paginada{n:02d}",
            preferred_name="",
        )
    me = ProfileFactory()
    base = live_server.url
    page.goto(base + "/accounts/login/")
    page.fill("#id_login", me.user.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    submit(page)
    page.goto(base + "/members/")
    page.locator("#id_country").press_sequentially("aleman", delay=30)
    expect(page.locator("#country-options option[value='Alemania']")).to_have_count(1)
    page.fill("#id_country", "Alemania")
    page.get_by_role("button", name="Buscar").click()
    expect(page.get_by_role("heading", level=3)).to_have_count(1)
    expect(page.get_by_role("link", name="Alemana", exact=False)).to_be_visible()
    assert_no_serious_axe_violations(page)

    page.goto(base + "/members/")
    page.get_by_role("link", name="Siguiente").click()
    expect(page.get_by_role("link", name="Ana Paginada21")).to_be_visible()
    page.get_by_role("link", name="Anterior").click()
    expect(page.get_by_role("link", name="Ana Paginada00")).to_be_visible()
