"""An organisation in Chromium: a person registers it (a wrong RFC first), the TIC PNCS
coordinator (second factor) verifies it, it appears in the public list and page, its owner
invites a colleague. Pages pass axe."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from counterparts.models import Organization, OrganizationInvitation
from counterparts.validators import RFC_CHECK_DIGIT_MESSAGE
from tests.counterparts.factories import fictitious_rfc
from tests.e2e.axe import assert_no_serious_axe_violations
from tests.e2e.test_pncs_journey import log_in
from tests.factories import coordinator, member, with_totp

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_organisation_registers_is_verified_and_invites(page, live_server):
    base = live_server.url
    owner = member(given_names="Laura")
    coord = coordinator("tic", totp=False)
    secret = with_totp(coord)

    log_in(page, base, owner.email)
    page.goto(base + "/organizations/")
    page.get_by_role("link", name="Registrar una organización").first.click()
    page.get_by_label("Razón social").fill("Universidad Ficticia del Noreste")
    page.get_by_label("Tipo").select_option("university")
    page.get_by_label("RFC").fill("SAT970701NN4")
    page.get_by_label("Estado").select_option("NLE")
    page.get_by_label("Ciudad").fill("Monterrey")
    page.get_by_label("Sector principal").select_option(
        label="Tecnologías de la Información y Comunicación"
    )
    page.get_by_label("Tamaño").select_option("large")
    page.get_by_label("Persona de contacto").fill("Laura Ficticia")
    page.get_by_label("Correo de contacto").fill("vinculacion@example.org")
    page.get_by_role("button", name="Registrar").click()
    # Beside the field (exact), and in the error summary as a link to it.
    expect(page.get_by_text(str(RFC_CHECK_DIGIT_MESSAGE), exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=f"RFC: {RFC_CHECK_DIGIT_MESSAGE}")).to_be_visible()
    assert_no_serious_axe_violations(page)
    page.get_by_label("RFC").fill(fictitious_rfc(777))
    page.get_by_role("button", name="Registrar").click()
    expect(page.get_by_text("Registramos tu organización")).to_be_visible()
    expect(page.get_by_text("En revisión")).to_be_visible()
    page.get_by_role("button", name="Cerrar sesión").click()

    log_in(page, base, coord.email, secret)
    page.goto(base + "/organizations/review/")
    assert_no_serious_axe_violations(page)
    page.get_by_role("link", name="Universidad Ficticia del Noreste").click()
    page.get_by_label("Verificar").check()
    page.get_by_role("button", name="Guardar y avisar por correo").click()
    expect(page.get_by_text("Decisión guardada")).to_be_visible()
    assert Organization.objects.get().status == "verified"
    # The coordinator was told of the registration; the owner, of the decision.
    assert [m.to for m in mail.outbox] == [[coord.email], [owner.email]]
    page.get_by_role("button", name="Cerrar sesión").click()

    page.goto(base + "/organizations/?sector=tic&state=NLE")
    page.get_by_role("link", name="Universidad Ficticia del Noreste").click()
    expect(page.get_by_text("Verificada por el PNCS")).to_be_visible()
    assert_no_serious_axe_violations(page)

    log_in(page, base, owner.email)
    page.goto(base + "/organizations/mine/")
    page.get_by_role("link", name="Universidad Ficticia del Noreste").click()
    page.get_by_label("Correo electrónico de la persona").fill("colega@example.org")
    page.get_by_role("button", name="Enviar invitación").click()
    expect(page.get_by_text("Enviamos la invitación a colega@example.org.")).to_be_visible()
    assert_no_serious_axe_violations(page)
    assert OrganizationInvitation.objects.get().email == "colega@example.org"
