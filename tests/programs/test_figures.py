"""A program's figures (programs.figures' aggregates, drawn by the figures app): charts
(server-side SVG) with data tables, the disclosure rule on the public page (small cells
hidden, and another cell reserved where the exact total would give a small one back),
exact on the staff page, a constant number of queries."""

import re
from decimal import Decimal

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.factories import (
    ApplicationFactory,
    member,
    participant,
    program_staff_user,
    program_with_stages,
)

pytestmark = pytest.mark.django_db


def _cohort(program, stage1, stage2, *, women, men, oaxaca=2):
    """`women` + `men` participants in stage 1; `oaxaca` of them live in Oaxaca."""
    people = []
    for n in range(women + men):
        people.append(
            participant(
                stage1,
                score=Decimal(60 + n),
                completed=n % 4 != 0,
                certified=n % 4 != 0,
                gender="woman" if n < women else "man",
                state="OAX" if n < oaxaca else "JAL",
                nationality="CO" if n == 0 else "MX",
                education_level="doctorado" if n == 1 else "licenciatura",
            )
        )
    for enrolment in people[:3]:
        enrolment.__class__.objects.create(application=enrolment.application, stage=stage2)
    return people


def _figures_url(program, staff=False):
    name = "figures_program_staff" if staff else "figures_program"
    return reverse(name, kwargs={"slug": program.slug})


def test_public_figures_show_charts_tables_and_suppress_small_cells(client):
    program, stage1, stage2 = program_with_stages(seats=3)
    _cohort(program, stage1, stage2, women=6, men=8)
    ApplicationFactory(program=program, gender="woman")  # not accepted: not counted
    response = client.get(_figures_url(program))
    assert response.status_code == 200
    html = response.content.decode()
    # education, state, country, gender, completion, selection; not who was selected by
    # gender: 3 people were, fewer than five, so their breakdown is withheld.
    main = html[html.index("<main") :]  # the charts (the header has its menu icon)
    assert main.count("<svg") == 6
    assert html.count("<table") >= 9  # one beside each chart, stages, selection
    assert "Desglose reservado" in html
    assert "Las mujeres son el — de las personas seleccionadas." in html  # no % of a hidden count
    assert "14 personas participantes" in html
    # Oaxaca 2, Colombia 1 and doctorado 1 are hidden; with the exact total of 14 beside
    # them, Jalisco (12), Mexico (13) and licenciatura (13) would give them back: reserved.
    assert re.search(r"<th scope=\"row\">Jalisco</th><td>≥5</td>", html)
    assert re.search(r"<th scope=\"row\">Oaxaca</th><td>&lt;5</td>", html)
    assert re.search(r"<th scope=\"row\">Colombia</th><td>&lt;5</td>", html)
    assert re.search(r"<th scope=\"row\">México</th><td>≥5</td>", html)
    assert re.search(r"<th scope=\"row\">Doctorado</th><td>&lt;5</td>", html)
    assert re.search(r"<th scope=\"row\">Licenciatura</th><td>≥5</td>", html)
    assert "<td>12</td>" not in html and "<td>13</td>" not in html
    assert re.search(r"<th scope=\"row\">Mujer</th><td>6</td>", html)
    assert "Las mujeres son el 42.9 % de las personas participantes." in html
    # No inline style or script (the header's menu script is a static file).
    assert "style=" not in html and not re.search(r"<script(?![^>]*\bsrc=)", html)


def test_staff_figures_are_exact(client):
    program, stage1, stage2 = program_with_stages(seats=3)
    _cohort(program, stage1, stage2, women=6, men=8)
    client.force_login(program_staff_user())
    response = client.get(_figures_url(program, staff=True))
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"<th scope=\"row\">Oaxaca</th><td>2</td>", html)
    assert re.search(r"<th scope=\"row\">Colombia</th><td>1</td>", html)
    # Completion: 10 of 14 completed stage 1; 3 selected for stage 2 (women 0, 1, 2).
    assert "71.4 %" in html
    assert "<td>3</td>" in html
    assert "De 10 personas que concluyeron la etapa 1, 3 pasaron a Etapa 2 (30.0 %)." in html
    assert "Las mujeres son el 100.0 % de las personas seleccionadas." in html
    # Stage rates are of each stage's own enrolment: none of the 3 in stage 2 has finished.
    assert re.search(r"<th scope=\"row\">Etapa 1: concluyeron</th><td>10</td><td>71.4 %</td>", html)
    assert re.search(r"<th scope=\"row\">Etapa 2: concluyeron</th><td>0</td><td>0.0 %</td>", html)


def test_figures_query_count_does_not_grow(client, django_assert_num_queries):
    program, stage1, stage2 = program_with_stages(seats=3)
    _cohort(program, stage1, stage2, women=3, men=3)
    url = _figures_url(program)
    with django_assert_num_queries(9):
        client.get(url)
    _cohort(program, stage1, stage2, women=20, men=20, oaxaca=10)
    with django_assert_num_queries(9):
        response = client.get(url)
    assert "46 personas participantes" in response.content.decode()


def test_staff_figures_are_hidden_from_members_and_anonymous(client):
    program, _stage1, _stage2 = program_with_stages()
    response = client.get(_figures_url(program, staff=True))
    assert response.status_code == 302
    client.force_login(member())
    assert client.get(_figures_url(program, staff=True)).status_code == 404


def test_ime_staff_need_a_second_factor_for_the_staff_figures(client):
    program, _stage1, _stage2 = program_with_stages()
    user = member()
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(Group.objects.get(name="IME staff"))
    client.force_login(user)
    response = client.get(_figures_url(program, staff=True))
    assert response.status_code == 302
    assert "totp" in response["Location"]
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={})
    assert client.get(_figures_url(program, staff=True)).status_code == 200


def test_public_figures_in_english(client):
    program, stage1, stage2 = program_with_stages()
    _cohort(program, stage1, stage2, women=5, men=5)
    html = client.get("/en" + _figures_url(program)).content.decode()
    assert "Participants by education level" in html
    assert "Woman" in html
