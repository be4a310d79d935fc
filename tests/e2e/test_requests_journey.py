"""A request for expertise in Chromium, at 390 px: the organisation's owner files a request
(a missing place first), the TIC PNCS coordinator (second factor) sees it on the triage list,
accepts it as invite-only and invites the member the matching suggests, the member reads
who asks and why, and accepts; the thread between them exists. Pages pass axe."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from counterparts.forms import PLACE_REQUIRED
from counterparts.models import ExpertiseRequest, MemberInvitation
from messaging.models import Participant
from tests.counterparts.factories import organization
from tests.e2e.axe import assert_no_serious_axe_violations
from tests.e2e.test_messaging_journey import log_out
from tests.e2e.test_pncs_journey import log_in
from tests.factories import ProfileFactory, coordinator, member, with_totp

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_request_is_filed_accepted_and_a_member_accepts_the_invitation(page, live_server):
    base = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    owner = member(given_names="Laura")
    org = organization(owner=owner, legal_name="Universidad Ficticia del Noreste")
    coord = coordinator("tic", totp=False)
    secret = with_totp(coord)
    ana = ProfileFactory(given_names="Ana", sectors=["tic"], pncs_contact=True)
    starts = timezone.localdate() + timedelta(days=30)

    log_in(page, base, owner.email)
    page.goto(base + f"/organizations/manage/{org.pk}/")
    page.get_by_role("link", name="Solicitudes a la red").click()
    page.get_by_role("link", name="Presentar una solicitud").click()
    page.get_by_label("Tipo de solicitud").select_option("mentoring")
    page.get_by_label("Título (español)").fill("Mentoría para el laboratorio de datos")
    page.get_by_label("Descripción (español)").fill("Buscamos apoyo para un laboratorio.")
    page.get_by_label("Presencial", exact=True).check()
    page.get_by_label("Desde").fill(starts.isoformat())
    page.get_by_label("Hasta").fill((starts + timedelta(days=60)).isoformat())
    page.get_by_label("Personas buscadas").fill("2")
    page.get_by_role("button", name="Enviar la solicitud").click()
    expect(page.get_by_text(str(PLACE_REQUIRED), exact=True)).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.get_by_label("Lugar").fill("Monterrey, Nuevo León")
    page.get_by_role("button", name="Enviar la solicitud").click()
    expect(page.get_by_text("Enviamos tu solicitud al PNCS")).to_be_visible()
    expect(page.get_by_text("En revisión del PNCS").first).to_be_visible()
    assert_no_serious_axe_violations(page)
    assert ExpertiseRequest.objects.get().status == "submitted"
    log_out(page)

    log_in(page, base, coord.email, secret)
    page.goto(base + "/organizations/triage/")
    assert_no_serious_axe_violations(page)
    page.get_by_role("link", name="Mentoría para el laboratorio de datos").click()
    page.get_by_label("Aceptar y publicar como oportunidad").check()
    page.get_by_label("Solo por invitación").check()
    page.get_by_role("button", name="Guardar y avisar por correo").click()
    expect(page.get_by_text("Decisión guardada")).to_be_visible()
    expect(page.get_by_text("Comparte el sector").first).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.get_by_label(ana.display_name).check()
    page.get_by_role("button", name="Invitar").click()
    expect(page.get_by_text("Invitaciones enviadas: 1.")).to_be_visible()
    assert MemberInvitation.objects.get().member == ana.user
    assert ana.user.email in [m.to[0] for m in mail.outbox]
    log_out(page)

    log_in(page, base, ana.user.email)
    page.goto(base + "/organizations/invited/")
    page.get_by_role("link", name="Mentoría para el laboratorio de datos").click()
    expect(page.get_by_text("Universidad Ficticia del Noreste pide el apoyo")).to_be_visible()
    expect(page.get_by_text("Por qué te sugerimos")).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.get_by_label("Acepto").check()
    page.get_by_role("button", name="Enviar mi respuesta").click()
    expect(page.get_by_text("Aceptaste la invitación")).to_be_visible()
    assert_no_serious_axe_violations(page)

    invitation = MemberInvitation.objects.get()
    assert invitation.status == "accepted"
    assert set(
        Participant.objects.filter(party__thread=invitation.thread).values_list("user", flat=True)
    ) == {owner.pk, ana.user_id}
    page.get_by_label("Tu mensaje").fill("Hola, con gusto les apoyo.")
    page.get_by_role("button", name="Enviar", exact=True).click()
    expect(page.get_by_text("Mensaje enviado.")).to_be_visible()
