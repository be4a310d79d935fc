"""Importing known people in Chromium (issue 26): IME staff upload a CSV in the admin, read
the dry run line by line, confirm; the new person's one invitation arrives, and on a phone
they refuse it with one click and are forgotten. The public refusal page passes axe."""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from playwright.sync_api import expect

from announcements.models import InvitationImport, InvitationRefusal, Invitee
from core.access import IME_STAFF
from tests.e2e.axe import assert_no_serious_axe_violations
from tests.factories import UserFactory, member, with_totp

from .test_announcements_journey import _log_in

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

IMPORT_PATH = "/admin/announcements/invitationimport/import/"


def test_staff_import_a_list_and_an_invited_person_refuses_with_one_click(
    page, browser, live_server
):
    base = live_server.url
    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get(name=IME_STAFF))
    secret = with_totp(staff)
    member(user__email="ya.miembro@example.org")

    _log_in(page, base, staff.email, IMPORT_PATH, secret=secret)
    page.get_by_label("Fuente de la lista").fill("Consulado en Houston, 2026")
    page.get_by_label("Archivo CSV o XLSX").set_input_files(
        files=[
            {
                "name": "lista.csv",
                "mimeType": "text/csv",
                "buffer": (
                    "nombre,correo,pais,sector,fuente\n"
                    "Rosa Díaz,rosa@example.org,México,tic,\n"
                    "Ya Miembro,ya.miembro@example.org,US,,\n"
                ).encode(),
            }
        ]
    )
    page.get_by_role("button", name="Revisar sin guardar").click()
    expect(page.get_by_text("Nueva: recibirá una invitación").last).to_be_visible()
    expect(page.get_by_text("Ya es miembro: no se invita").last).to_be_visible()
    assert not Invitee.objects.exists()
    page.get_by_role("button", name="Confirmar e invitar").click()
    expect(page.get_by_text("Importación confirmada")).to_be_visible()

    assert InvitationImport.objects.get().counts["new"] == 1
    [invitation] = mail.outbox
    assert invitation.to == ["rosa@example.org"]
    refuse = re.search(r"http\S+/invitation/\S+/refuse/", invitation.body).group(0)

    visitor = browser.new_page(viewport={"width": 390, "height": 844}, locale="es-MX")
    visitor.goto(base + urlsplit(refuse).path)
    assert_no_serious_axe_violations(visitor)
    visitor.get_by_role("button", name="Rechazar y borrar mis datos").click()
    expect(visitor.get_by_role("status").last).to_contain_text("borramos tus datos")
    assert_no_serious_axe_violations(visitor)
    visitor.close()

    assert not Invitee.objects.exists()
    assert InvitationRefusal.objects.count() == 1
