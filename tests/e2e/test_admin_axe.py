"""The admin pages staff use most pass every axe-core rule, in Spanish (issue 22): the
index, a changelist with its filters and search, a change form, and the announcement's
confirmation step. Fixes live in templates/admin/ (the project's overrides)."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from playwright.sync_api import expect

from core.access import IME_STAFF
from tests.e2e.axe import AXE_JS, assert_no_axe_violations
from tests.factories import AnnouncementFactory, ChapterFactory, member, with_totp

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
DESKTOP = {"width": 1280, "height": 800}


def staff_page(page, base):
    user = member()
    user.is_staff = True
    user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    user.groups.add(Group.objects.get(name=IME_STAFF))
    with_totp(user)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base}]
    )
    # axe on every page from the start: the confirmation step answers a POST, which the
    # helper's reload (to load axe past the CSP) must not repeat.
    page.context.add_init_script(path=str(AXE_JS))
    page.set_viewport_size(DESKTOP)
    return user


def test_the_admin_index_passes_every_axe_rule(page, live_server):
    staff_page(page, live_server.url)
    page.goto(live_server.url + "/admin/")
    expect(page.locator("html")).to_have_attribute("lang", "es-mx")
    assert_no_axe_violations(page)


def test_a_changelist_with_filters_and_search_passes_every_axe_rule(page, live_server):
    staff_page(page, live_server.url)
    member()
    page.goto(live_server.url + "/admin/members/user/?is_staff__exact=0&q=example")
    expect(page.locator("#changelist-filter")).to_be_visible()
    expect(page.locator("#searchbar")).to_be_visible()
    assert_no_axe_violations(page)


def test_a_change_form_passes_every_axe_rule(page, live_server):
    staff_page(page, live_server.url)
    announcement = AnnouncementFactory(audience_chapters=[ChapterFactory()])
    page.goto(live_server.url + f"/admin/announcements/announcement/{announcement.pk}/change/")
    expect(page.get_by_role("button", name="Enviar o programar")).to_be_visible()
    # filter_horizontal's magnifier has a name, hence a role (static/js/admin-a11y.js)
    expect(page.locator(".help-tooltip.search-label-icon").first).to_have_attribute("role", "img")
    assert_no_axe_violations(page)


def test_the_announcement_confirmation_step_passes_every_axe_rule(page, live_server):
    staff_page(page, live_server.url)
    announcement = AnnouncementFactory(audience_chapters=[ChapterFactory()])
    page.goto(live_server.url + f"/admin/announcements/announcement/{announcement.pk}/change/")
    page.get_by_role("button", name="Enviar o programar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirmar el envío")
    assert_no_axe_violations(page)
