"""Messaging in Chromium: a member reads the organisation's message and replies; the
organisation's person gets one e-mail notice, reads the reply and answers; the member
shares her address, reports a message and blocks the thread. Pages pass axe, at 390 px too."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from messaging.models import Message, MessageReport, Party
from messaging.services import PartySpec, open_thread, person_party, send_message
from tests.e2e.axe import assert_no_serious_axe_violations
from tests.factories import DEFAULT_PASSWORD, member

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def log_in(page, base, email):
    page.goto(base + "/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(lambda url: "/accounts/" not in url)


def log_out(page):
    menu = page.get_by_role("button", name="Menú")
    if menu.is_visible():  # a phone: the header's links are behind the menu button
        menu.click()
    page.get_by_role("button", name="Cerrar sesión").click()


def test_a_member_and_an_organisation_exchange_messages(page, live_server):
    base = live_server.url
    ana = member(given_names="Ana")
    olga = member(given_names="Olga")
    thread = open_thread(
        topic="Mentoría para el laboratorio",
        parties=[
            person_party(ana, "Ana P."),
            PartySpec(key="org:1", label="Universidad Ficticia del Norte", users=(olga,)),
        ],
    )
    send_message(thread=thread, sender=olga, body="Hola Ana, ¿cuándo podemos empezar?")

    log_in(page, base, ana.email)
    page.get_by_role("link", name="Mensajes").first.click()
    expect(page.get_by_text("Sin leer")).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.get_by_role("link", name="Mentoría para el laboratorio").click()
    expect(page.get_by_text("Hola Ana, ¿cuándo podemos empezar?")).to_be_visible()
    page.get_by_label("Tu mensaje").fill("La próxima semana, en línea.")
    page.get_by_role("button", name="Enviar", exact=True).click()
    expect(page.get_by_text("Mensaje enviado.")).to_be_visible()
    expect(page.get_by_text("La próxima semana, en línea.")).to_be_visible()
    assert_no_serious_axe_violations(page)
    # One notice each way: Ana's of Olga's first message, Olga's of the reply.
    assert [m.to for m in mail.outbox] == [[ana.email], [olga.email]]
    page.get_by_role("button", name="Compartir mi correo con la otra parte").click()
    log_out(page)

    log_in(page, base, olga.email)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base + "/messages/")
    page.get_by_role("link", name="Mentoría para el laboratorio").click()
    expect(page.get_by_role("link", name=ana.email)).to_be_visible()
    page.get_by_label("Tu mensaje").fill("Perfecto, compra nuestro curso ya.")
    page.get_by_role("button", name="Enviar", exact=True).click()
    expect(page.get_by_text("Mensaje enviado.")).to_be_visible()
    assert_no_serious_axe_violations(page)
    log_out(page)

    log_in(page, base, ana.email)
    page.goto(base + f"/messages/{thread.pk}/")
    page.get_by_role("link", name="Reportar este mensaje").last.click()
    page.get_by_label("Publicidad o correo no deseado").check()
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name="Enviar reporte").click()
    expect(page.get_by_text("El personal del IME revisará")).to_be_visible()
    page.get_by_role("button", name="Bloquear la conversación").click()
    expect(page.get_by_label("Tu mensaje")).to_have_count(0)

    reported = MessageReport.objects.get()
    assert reported.message.body == "Perfecto, compra nuestro curso ya."
    assert Party.objects.get(thread=thread, key=f"user:{ana.pk}").blocked_at is not None
    assert Message.objects.filter(thread=thread).count() == 3
