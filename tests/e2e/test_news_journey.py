"""The news journey in Chromium (issue 21): a coordinator writes a post for their sector,
IME approves it, and it appears on the sector's page and in the sector's feed (read with
feedparser); the pages pass axe and fit a phone."""

import feedparser
import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from core.access import IME_STAFF
from news.models import Post
from tests.e2e.axe import assert_no_serious_axe_violations
from tests.e2e.test_pncs_journey import log_in
from tests.factories import UserFactory, coordinator, with_totp

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_coordinators_post_is_approved_by_ime_and_reaches_the_sector_feed(
    page, live_server, browser
):
    base = live_server.url
    coord = coordinator("tic", totp=False)
    coord_secret = with_totp(coord)
    ime = UserFactory(is_staff=True)
    ime.groups.add(Group.objects.get(name=IME_STAFF))
    ime_secret = with_totp(ime)

    # The coordinator writes the post from their dashboard's link.
    log_in(page, base, coord.email, coord_secret)
    page.goto(base + "/news/manage/")
    page.get_by_role("link", name="Escribir una noticia").click()
    expect(page.get_by_label("Título (español)")).to_be_visible()
    assert_no_serious_axe_violations(page)  # (reloads the page: before typing)
    page.get_by_label("Publicar en nombre de").select_option(
        label="Tecnologías de la Información y Comunicación"
    )
    page.get_by_label("Título (español)").fill("Convocatoria de mentorías en datos")
    page.get_by_label("Título (inglés)").fill("Call for data mentors")
    page.get_by_label("Resumen (español)").fill("Buscamos mentores para startups mexicanas.")
    page.get_by_label("Resumen (inglés)").fill("We are looking for mentors for Mexican startups.")
    page.get_by_label("Texto (español)").fill("Escríbenos **hoy**.")
    page.get_by_label("Texto (inglés)").fill("Write to us **today**.")
    page.get_by_label("Etiquetas").fill("mentoría, datos")
    page.get_by_role("button", name="Enviar para publicar").click()
    expect(page.get_by_text("el IME la revisará")).to_be_visible()
    post = Post.objects.get()
    assert post.status == "pending"

    # Not public yet: the sector feed does not have it.
    feed = feedparser.parse(page.request.get(base + "/pncs/tic/feed/").body())
    assert feed.entries == []

    # IME reviews and approves it, in another browser.
    context = browser.new_context(locale="es-MX")
    ime_page = context.new_page()
    log_in(ime_page, base, ime.email, ime_secret)
    ime_page.goto(base + "/news/manage/review/")
    ime_page.get_by_role("link", name="Convocatoria de mentorías en datos").click()
    expect(ime_page.get_by_role("button", name="Aprobar y publicar")).to_be_visible()
    assert_no_serious_axe_violations(ime_page)
    ime_page.get_by_role("button", name="Aprobar y publicar").click()
    expect(ime_page.get_by_text("Noticia aprobada y publicada.")).to_be_visible()
    context.close()

    # Public now: on the sector's page, in its Atom feed, on /news/ at phone width.
    page.goto(base + "/pncs/tic/")
    expect(page.get_by_role("link", name="Convocatoria de mentorías en datos")).to_be_visible()
    feed = feedparser.parse(page.request.get(base + "/pncs/tic/feed/").body())
    assert not feed.bozo
    assert [entry.title for entry in feed.entries] == ["Convocatoria de mentorías en datos"]
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(base + "/news/?sector=tic")
    page.get_by_role("link", name="Convocatoria de mentorías en datos").click()
    expect(page.locator("meta[property='og:title']")).to_have_attribute(
        "content", "Convocatoria de mentorías en datos"
    )
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert_no_serious_axe_violations(page)
