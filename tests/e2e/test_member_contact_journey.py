"""Members reach each other in Chromium (issue 26): Ana opens Beto's profile and writes to
him; Beto reads it in his inbox, replies, then blocks the conversation; Ana's next message
from his profile is refused with the reason. Pages pass axe, at 390 px too."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from messaging.models import Message, Party
from tests.e2e.axe import assert_no_serious_axe_violations
from tests.factories import member

from .test_messaging_journey import log_in, log_out

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_member_writes_to_another_from_his_profile_and_he_blocks_her(page, live_server):
    base = live_server.url
    ana = member(given_names="Ana", paternal_surname="Pérez", directory_visibility="members")
    beto = member(given_names="Beto", paternal_surname="Ruiz", directory_visibility="members")

    log_in(page, base, ana.email)
    page.goto(base + f"/members/{beto.pk}/")
    page.get_by_role("link", name="Enviar mensaje").click()
    expect(page.get_by_role("heading", name="Escribir a Beto Ruiz")).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.get_by_label("Tu mensaje").fill("Hola Beto, ¿damos juntos la plática de Houston?")
    page.get_by_role("button", name="Enviar mensaje").click()
    expect(page.get_by_text("Mensaje enviado.")).to_be_visible()
    assert [m.to for m in mail.outbox] == [[beto.email]]
    assert ana.email not in mail.outbox[0].body
    log_out(page)

    log_in(page, base, beto.email)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base + "/messages/")
    expect(page.get_by_text("Sin leer")).to_be_visible()
    page.get_by_role("link", name="Ana Pérez · Beto Ruiz").click()
    expect(page.get_by_text("¿damos juntos la plática de Houston?")).to_be_visible()
    page.get_by_label("Tu mensaje").fill("Claro, hablemos la próxima semana.")
    page.get_by_role("button", name="Enviar", exact=True).click()
    expect(page.get_by_text("Mensaje enviado.")).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name="Bloquear la conversación").click()
    expect(page.get_by_label("Tu mensaje")).to_have_count(0)
    log_out(page)

    log_in(page, base, ana.email)
    page.goto(base + f"/members/{beto.pk}/")
    page.get_by_role("link", name="Enviar mensaje").click()
    page.get_by_label("Tu mensaje").fill("¿Sigues ahí?")
    page.get_by_role("button", name="Enviar mensaje").click()
    expect(page.get_by_role("alert")).to_contain_text("Esta conversación está bloqueada")
    assert_no_serious_axe_violations(page)

    assert Party.objects.get(key=f"user:{beto.pk}").blocked_at is not None
    assert list(Message.objects.values_list("body", flat=True)) == [
        "Hola Beto, ¿damos juntos la plática de Houston?",
        "Claro, hablemos la próxima semana.",
    ]
