"""The coordinator's journey in Chromium: log in with TOTP, search by sector and text, narrow
with a facet, export, publish an opportunity; a member expresses interest; the coordinator
accepts it."""

import csv
import io
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.utils import timezone
from playwright.sync_api import expect

from members.models import Sector
from pncs.models import Interest, Opportunity, SearchAudit
from tests.factories import DEFAULT_PASSWORD, ProfileFactory, coordinator, member

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def totp_code(secret):
    """The current code, never one about to expire: allauth accepts only the current
    30 s window, and a code typed in its last seconds reached the server in the next
    one (a flaky login in CI)."""
    if 30 - time.time() % 30 < 3:
        time.sleep(30 - time.time() % 30 + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def log_in(page, base, email, secret=None):
    page.goto(base + "/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.locator("input[name=password]").press("Enter")
    if secret:
        # allauth's "2fa authenticate" stage
        page.wait_for_url("**/accounts/2fa/authenticate/**")
        page.locator("input[name=code]").fill(totp_code(secret))
        page.locator("input[name=code]").press("Enter")
    page.wait_for_url(lambda url: "/accounts/" not in url)


def test_coordinator_finds_exports_publishes_and_accepts(page, live_server, browser, artifacts_dir):
    from allauth.mfa.models import Authenticator

    base = live_server.url
    coord = coordinator("tic", totp=False)
    from tests.factories import with_totp

    secret = with_totp(coord)
    assert Authenticator.objects.filter(user=coord).exists()
    ProfileFactory(
        given_names="Valeria",
        paternal_surname="Quintero",
        headline="Ingeniera de datos en energía",
        country="CA",
        sectors=["tic"],
        pncs_contact=True,
    )
    ProfileFactory(
        given_names="Rodrigo",
        paternal_surname="Uribe",
        headline="Ingeniero de datos, =HYPERLINK(1)",
        country="US",
        sectors=["tic"],
        pncs_contact=True,
    )
    ProfileFactory(
        given_names="Sonia",
        paternal_surname="Cárdenas",
        headline="Ingeniera biomédica",
        country="CA",
        sectors=["salud"],
        pncs_contact=True,
    )
    ProfileFactory(
        given_names="Oculta",
        paternal_surname="Nadie",
        headline="Ingeniera de datos",
        country="CA",
        sectors=["tic"],
        pncs_contact=False,
    )
    applicant = member(given_names="Mateo", paternal_surname="Solís", sectors=["tic"])

    # 1. Log in with password and TOTP.
    log_in(page, base, coord.email, secret)

    # 2. Search by sector and text.
    page.goto(base + "/pncs/search/")
    page.locator('input[name="sector"][value="tic"]').check()  # a checkbox list (issue 22)
    page.locator("#id_q").fill("datos")
    page.get_by_role("button", name="Buscar").click()
    results = page.locator("table tbody")
    expect(results).to_contain_text("Valeria Quintero")
    expect(results).to_contain_text("Rodrigo Uribe")
    expect(results).not_to_contain_text("Sonia")
    expect(results).not_to_contain_text("Oculta")

    # 3. Narrow with a facet.
    page.get_by_role("link", name="Canadá (1)").click()
    expect(results).to_contain_text("Valeria Quintero")
    expect(results).not_to_contain_text("Rodrigo")
    page.screenshot(path=str(artifacts_dir / "pncs-search.png"), full_page=True)

    # 4. Export the narrowed result.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Exportar CSV").click()
    download = download_info.value
    with open(download.path(), encoding="utf-8-sig") as handle:
        rows = list(csv.reader(io.StringIO(handle.read())))
    assert [r[0] for r in rows[1:]] == ["Valeria"]
    assert rows[1][4] == "Ingeniera de datos en energía"
    assert set(SearchAudit.objects.values_list("action", flat=True)) == {"search", "export_csv"}

    # 5. Publish an opportunity.
    page.goto(base + "/pncs/manage/opportunities/new/")
    page.locator("#id_kind").select_option("mentoria")
    page.locator("#id_title_es").fill("Mentoría en ingeniería de datos")
    page.locator("#id_description_es").fill("Acompañar a una startup mexicana.")
    page.locator("#id_is_remote").check()
    deadline = timezone.localdate() + timezone.timedelta(days=30)
    page.locator("#id_deadline").fill(deadline.isoformat())
    page.locator("#id_status").select_option("open")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_role("status")).to_contain_text("Oportunidad guardada.")
    opportunity = Opportunity.objects.get()
    assert opportunity.sector == Sector.objects.get(slug="tic")
    manage_url = page.url

    # 6. A member expresses interest (in a browser context of their own).
    context = browser.new_context(locale="es-MX")
    member_page = context.new_page()
    log_in(member_page, base, applicant.email)
    member_page.goto(base + "/opportunities/")
    member_page.get_by_role("link", name="Mentoría en ingeniería de datos").click()
    member_page.get_by_label("Mensaje para la coordinación (opcional)").fill(
        "Me encantaría, ¡gracias!"
    )
    member_page.get_by_role("button", name="Expresar interés").click()
    expect(member_page.get_by_role("status")).to_contain_text("recibió tu interés")
    expect(member_page.locator("main")).to_contain_text("Recibida")

    # 7. The coordinator accepts.
    page.goto(manage_url)
    expect(page.locator("main")).to_contain_text("Me encantaría, ¡gracias!")
    page.get_by_label(f"Decisión sobre {applicant.email}").select_option("accepted")
    page.get_by_role("button", name="Guardar decisión").click()
    expect(page.get_by_role("status")).to_contain_text("Decisión guardada")
    assert Interest.objects.get().status == "accepted"

    member_page.goto(base + "/opportunities/mine/")
    expect(member_page.locator("main")).to_contain_text("Aceptada")
    context.close()


def test_search_page_fits_a_phone_screen(page, live_server):
    coord = coordinator("tic", totp=False)
    from tests.factories import with_totp

    secret = with_totp(coord)
    page.set_viewport_size({"width": 375, "height": 740})
    log_in(page, live_server.url, coord.email, secret)
    page.goto(live_server.url + "/pncs/search/")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
