"""An engagement in Chromium, at 390 px (issue 20): a member accepts the PNCS's invitation
for an organisation's accepted request, which opens a planned engagement; the member starts
it and adds a dated milestone, the organisation's owner completes it and both sides record
their outcomes (the member a wrong rating first); the TIC coordinator (second factor) finds
it completed, with both outcomes, in the sector's pipeline, filtered by state, and downloads
the audited CSV. Pages pass axe."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from counterparts import services
from counterparts.models import Engagement
from pncs.models import SearchAudit
from tests.counterparts.factories import organization
from tests.counterparts.test_requests import _request
from tests.e2e.axe import assert_no_serious_axe_violations
from tests.e2e.test_messaging_journey import log_out
from tests.e2e.test_pncs_journey import log_in
from tests.factories import ProfileFactory, coordinator, member, with_totp

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _record_outcomes(page, *, hours, rating, story):
    page.get_by_label("Horas dedicadas").fill(str(hours))
    page.get_by_label("Estudiantes recibidos").fill("0")
    page.get_by_label("Convenios firmados").fill("1")
    page.get_by_label("Proyectos financiados o iniciados").fill("1")
    if rating is not None:
        page.get_by_label(str(rating), exact=True).check()
    page.get_by_label("Historia breve").fill(story)
    page.get_by_label("Acepto que la historia se publique").check()
    page.get_by_role("button", name="Registrar los resultados").click()


def test_an_engagement_is_started_completed_with_outcomes_and_seen_in_the_pipeline(
    page, live_server
):
    base = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    owner = member(given_names="Laura")
    org = organization(owner=owner, legal_name="Universidad Ficticia del Noreste")
    coord = coordinator("tic", totp=False)
    secret = with_totp(coord)
    ana = ProfileFactory(given_names="Ana", sectors=["tic"], pncs_contact=True)
    filed = services.triage_request(
        request_id=_request(org, title_es="Mentoría para el laboratorio de datos").pk,
        decision="accepted",
        reason="",
        invite_only=True,
        by=coord,
    )
    services.invite_members(expertise_request=filed, member_ids=[ana.user_id], by=coord)

    # The member accepts the invitation: the engagement opens, planned.
    log_in(page, base, ana.user.email)
    page.goto(base + "/organizations/invited/")
    page.get_by_role("link", name="Mentoría para el laboratorio de datos").click()
    page.get_by_label("Acepto").check()
    page.get_by_role("button", name="Enviar mi respuesta").click()
    expect(page.get_by_text("Aceptaste la invitación")).to_be_visible()
    engagement = Engagement.objects.get()
    assert engagement.state == "planned" and engagement.organization == org

    page.goto(base + "/me/")
    page.get_by_role("link", name="Mis colaboraciones con organizaciones: 1").click()
    page.get_by_role("link", name="Mentoría para el laboratorio de datos").click()
    expect(page.get_by_test_id("engagement-state")).to_have_text("Planeada")
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name="Marcar como iniciada").click()
    expect(page.get_by_text("La colaboración quedó iniciada")).to_be_visible()
    expect(page.get_by_test_id("engagement-state")).to_have_text("En curso")
    page.locator("#id_milestone-title").fill("Diagnóstico del laboratorio")
    page.get_by_label("Fecha prevista").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Agregar el hito").click()
    expect(page.get_by_text("Hito agregado.")).to_be_visible()
    page.locator("ul.milestones").get_by_role("button").click()
    expect(page.get_by_text("Hito actualizado.")).to_be_visible()
    assert engagement.milestones.get().done
    assert_no_serious_axe_violations(page)
    log_out(page)

    # The organisation's owner completes it and records the organisation's outcomes.
    log_in(page, base, owner.email)
    page.goto(base + f"/organizations/engagements/{engagement.pk}/")
    page.get_by_role("button", name="Marcar como concluida").click()
    expect(page.get_by_text("La colaboración quedó concluida")).to_be_visible()
    expect(page.get_by_role("heading", name="Los resultados de la organización")).to_be_visible()
    assert_no_serious_axe_violations(page)
    _record_outcomes(page, hours=20, rating=5, story="El laboratorio abrió su primer curso.")
    expect(page.get_by_text("registramos los resultados de tu lado")).to_be_visible()
    log_out(page)

    # The member forgets the rating first: the form says so and nothing is saved.
    log_in(page, base, ana.user.email)
    page.goto(base + f"/organizations/engagements/{engagement.pk}/")
    _record_outcomes(page, hours=12, rating=None, story="Aprendimos mucho juntos.")
    expect(page.get_by_text("Corrige lo señalado abajo")).to_be_visible()
    assert engagement.outcomes.count() == 1
    assert_no_serious_axe_violations(page)
    page.get_by_label("4", exact=True).check()
    page.get_by_role("button", name="Registrar los resultados").click()
    expect(page.get_by_text("registramos los resultados de tu lado")).to_be_visible()
    expect(page.get_by_text("Ambas partes aceptaron publicarlas")).to_be_visible()
    assert dict(engagement.outcomes.values_list("side", "rating")) == {
        "organization": 5,
        "member": 4,
    }
    log_out(page)

    # The coordinator finds it in the sector's pipeline and downloads the audited CSV.
    log_in(page, base, coord.email, secret)
    page.goto(base + "/organizations/pipeline/")
    assert_no_serious_axe_violations(page)
    page.locator("#id_state").select_option("completed")
    page.get_by_role("button", name="Filtrar").click()
    row = page.get_by_role("row").filter(has_text="Mentoría para el laboratorio de datos")
    expect(row).to_contain_text("Concluida")
    expect(row).to_contain_text("2/2")
    assert_no_serious_axe_violations(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Descargar CSV").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    assert "Mentoría para el laboratorio de datos" in text and ana.user.email not in text
    audit = SearchAudit.objects.get(action="export_csv")
    assert audit.user == coord and audit.filters["state"] == "completed"
