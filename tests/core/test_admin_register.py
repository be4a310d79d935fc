"""The admin's Spanish speaks tú, like the rest of the site (issue 22): Django's own strings
(admin, forms, auth, the admin's JavaScript) come from the project catalogue
locale/es_MX, which wins over Django's usted wording; English pages stay English."""

import re

import pytest
from django.contrib.auth.models import Group

from core.access import IME_STAFF
from members.models import ExpertiseTag
from tests.factories import UserFactory, member, with_totp

pytestmark = pytest.mark.django_db
USTED = re.compile(
    r"\b(Seleccione|Escoja|Elija|Introduzca|Ingrese|Escriba|Haga|Pulse|Corrija|Desmarque|"
    r"Asegúrese|usted|Puede editarlo|Confirme)\b"
)


@pytest.fixture
def staff(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    user.groups.add(Group.objects.get(name=IME_STAFF))
    with_totp(user)
    client.force_login(user)
    return user


def test_a_changelist_and_its_filter_sidebar_speak_tu(client, staff):
    member()
    html = client.get("/admin/members/user/").content.decode()
    assert "Elige persona usuaria para modificar" in html
    assert "Selecciona este objeto para una acción" in html
    assert "Selecciona todos los objetos de esta página para una acción" in html
    sidebar = html[html.index('id="changelist-filter"') :]
    assert "Filtro" in sidebar and "Por " in sidebar
    assert not USTED.search(html), USTED.search(html)
    english = client.get("/en/admin/members/user/").content.decode()
    assert "Select user to change" in english


def test_a_changeform_with_errors_speaks_tu(client, staff):
    response = client.post("/admin/members/expertisetag/add/", {"name": "", "slug": "no valido!"})
    html = response.content.decode()
    assert "Corrige los errores de abajo." in html or "Corrige el error de abajo." in html
    assert "Escribe un identificador («slug») válido" in html
    assert not USTED.search(html), USTED.search(html)


def test_saving_and_continuing_speaks_tu(client, staff):
    response = client.post(
        "/admin/members/expertisetag/add/",
        {"name": "Robótica", "slug": "robotica", "_continue": "1"},
        follow=True,
    )
    html = response.content.decode()
    assert ExpertiseTag.objects.filter(slug="robotica").exists()
    assert "Puedes editarlo otra vez abajo." in html
    assert not USTED.search(html), USTED.search(html)


def test_the_admins_javascript_catalogue_speaks_tu(client, staff):
    catalogue = client.get("/admin/jsi18n/").content.decode()
    assert "Elige una hora" in catalogue and "Escribe en este cuadro" in catalogue
    assert "vas %s hora" in catalogue
    assert "Elija una hora" not in catalogue and "Usted" not in catalogue
