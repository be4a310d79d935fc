"""A member merges their two accounts in Chromium (issue 26): signed in to one, Ana names
the address of the other from "My data"; the link mailed there, opened signed out, explains
what will happen and, once confirmed, the other account's chapter membership is hers and
the other account is closed. A reused link is refused clearly. Pages pass axe, at 390 px too."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from chapters.models import Membership
from members.models import AccountMerge, User
from tests.e2e.axe import assert_no_serious_axe_violations
from tests.factories import DEFAULT_PASSWORD, ChapterFactory, MembershipFactory, UserFactory, member

from .test_messaging_journey import log_in, log_out

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_member_confirms_the_merge_of_her_two_accounts(page, live_server):
    base = live_server.url
    ana = member(
        user=UserFactory(email="ana.perez@example.org"),
        given_names="Ana",
        paternal_surname="Pérez",
    )
    other = member(
        user=UserFactory(email="ana.trabajo@example.net"),
        given_names="Ana",
        paternal_surname="Pérez",
    )
    MembershipFactory(chapter=ChapterFactory(name="Capítulo Montreal"), user=other)

    log_in(page, base, ana.email)
    page.goto(base + "/me/data/")
    page.get_by_role("link", name="Unir mis dos cuentas").click()
    expect(page.get_by_role("heading", name="Unir mis dos cuentas")).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.get_by_label("Correo de tu otra cuenta").fill("ana.trabajo@example.net")
    page.get_by_role("button", name="Enviar el enlace de confirmación").click()
    # A sensitive action: the password again first, then the request goes on.
    expect(page.get_by_role("heading", name="Confirmar acceso")).to_be_visible()
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.get_by_role("button", name="Confirmar").click()
    expect(page.get_by_text("le enviamos un enlace para confirmar la fusión")).to_be_visible()
    assert [m.to for m in mail.outbox] == [["ana.trabajo@example.net"]]
    link = re.search(r"https?://\S+(/merge/confirm/\S+/)", mail.outbox[0].body).group(1)
    log_out(page)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base + link)
    expect(page.get_by_role("heading", name="Confirmar la fusión de cuentas")).to_be_visible()
    expect(page.get_by_text("se unirá a la otra y se cerrará").first).to_be_visible()
    assert "ana.perez@example.org" not in page.content()
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name="Sí, son mis cuentas: confirmar").click()
    expect(
        page.get_by_role("status").filter(has_text="las dos cuentas son ahora una")
    ).to_be_visible()
    assert_no_serious_axe_violations(page)

    merge = AccountMerge.objects.get()
    assert merge.status == AccountMerge.Status.DONE
    assert Membership.objects.filter(user=ana, chapter__name="Capítulo Montreal").exists()
    assert not User.objects.get(pk=other.pk).is_active

    # The same link again: refused, in words.
    page.goto(base + link)
    expect(page.get_by_role("alert")).to_contain_text("ya no está pendiente")

    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, base, ana.email)
    page.goto(base + "/me/data/")
    expect(page.get_by_role("heading", name="¿Tienes dos cuentas?")).to_be_visible()
