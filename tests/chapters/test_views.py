"""Public pages of chapters and Jornadas, and the members' actions on them."""

import csv
import datetime
import io
import re

import icalendar
import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chapters import services, views
from chapters.models import Chapter, Membership, Registration
from tests.factories import (
    AgendaItemFactory,
    ChapterFactory,
    JornadaFactory,
    MembershipFactory,
    OfficerFactory,
    RegistrationFactory,
    SpeakerFactory,
    member,
)

pytestmark = pytest.mark.django_db


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- chapter list ------------------------------------------------------------------------


def test_chapter_list_shows_public_chapters_with_member_counts(client, chapter_a, chapter_b):
    MembershipFactory.create_batch(2, chapter=chapter_a)
    MembershipFactory(chapter=chapter_a, status="pending")
    ChapterFactory(name="Capítulo Dormido", status="inactive")
    response = client.get(reverse("chapters:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Capítulo Alfa" in html and "Capítulo Beta" in html
    assert "Capítulo Dormido" not in html
    assert "Miembros: 2" in html


def test_chapter_list_filters_by_region_and_country(client, chapter_a):
    ChapterFactory(name="Capítulo Madrid", country="ES", region="europe")
    html = client.get(reverse("chapters:list"), {"region": "europe"}).content.decode()
    assert "Capítulo Madrid" in html and "Capítulo Alfa" not in html
    html = client.get(reverse("chapters:list"), {"country": "US"}).content.decode()
    assert "Capítulo Alfa" in html and "Capítulo Madrid" not in html


@pytest.mark.parametrize("params", [{"region": "mars"}, {"country": "<script>"}, {"x": "\x00"}])
def test_chapter_list_survives_bad_filters(client, chapter_a, params):
    response = client.get(reverse("chapters:list"), params)
    # A NUL byte is refused before any view (core.middleware.RefuseNulMiddleware).
    assert response.status_code == (400 if "\x00" in params.get("x", "") else 200)
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


def test_chapter_list_draws_a_server_side_map_without_inline_style(client):
    ChapterFactory(name="Capítulo Mapa", latitude="29.76", longitude="-95.37")
    html = client.get(reverse("chapters:list")).content.decode()
    assert "<svg" in html and 'class="pin"' in html
    # On the figures' world map (core.worldmap: 2.5 units a degree): Houston, in Texas.
    assert 'class="land"' in html
    assert 'cx="211.6"' in html and 'cy="150.6"' in html
    # No inline style or script (the header's menu script is a static file).
    assert "style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)


def _main(response) -> str:
    """The page's <main> (the header and its per-request tokens left out)."""
    return response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]


def _chapters_with_members(n_chapters, n_members):
    from members.models import Sector

    sectors = list(Sector.objects.all()[:3])
    for i in range(n_chapters):
        chapter = ChapterFactory(latitude=10 + i, longitude=-100 + i)
        chapter.sectors.set(sectors)
        MembershipFactory.create_batch(n_members, chapter=chapter)


@pytest.mark.parametrize(("chapters", "members"), [(1, 1), (6, 4)])
def test_chapter_list_query_count_is_constant(client, django_assert_num_queries, chapters, members):
    _chapters_with_members(chapters, members)
    # countries in the filter, chapters, their sectors, the member counts of every chapter
    # (one GROUP BY: chapters.page_cache.member_counts)
    with django_assert_num_queries(4):
        response = client.get(reverse("chapters:list"))
    assert response.status_code == 200
    with django_assert_num_queries(0):  # then the whole list comes from the cache
        cached = client.get(reverse("chapters:list"))
    assert _main(cached) == _main(response)
    assert f"Miembros: {members}" in cached.content.decode()


def test_chapter_list_is_cached_per_language_and_filter(
    client, django_assert_num_queries, chapter_a
):
    ChapterFactory(name="Capítulo Madrid", country="ES", region="europe")
    for url in ("/chapters/", "/en/chapters/", "/chapters/?region=europe"):
        first = _main(client.get(url))
        with django_assert_num_queries(0):
            assert _main(client.get(url)) == first
    english = client.get("/en/chapters/").content.decode()
    assert 'lang="en"' in english and "Chapters found: 2" in english
    html = _main(client.get("/chapters/?region=europe"))
    assert "Capítulo Madrid" in html and "Capítulo Alfa" not in html
    # Parameters the list does not read neither split the cache nor change the answer.
    with django_assert_num_queries(0):
        assert _main(client.get("/chapters/?utm_source=x&region=europe")) == html


def test_chapter_list_renders_unknown_filter_values_each_time_and_never_caches_them(
    client, django_assert_num_queries, chapter_a
):
    from django.core.cache import caches

    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/chapters/", {"region": "mars"})
        assert response.status_code == 200
        assert any("chapters_chapter" in q["sql"] for q in queries.captured_queries)
        assert "mars" in _main(response)  # the form says which value it refused
    assert not caches["answers"].keys("*chapters:list:*mars*")


def test_chapter_list_follows_a_change_of_a_chapter_at_once(client, chapter_a):
    assert "Capítulo Alfa" in client.get("/chapters/").content.decode()
    chapter_a.name = "Capítulo Renombrado"
    chapter_a.save()
    html = client.get("/chapters/").content.decode()
    assert "Capítulo Renombrado" in html and "Capítulo Alfa" not in html


def test_chapter_list_counts_follow_a_decision_at_once(client, chapter_a, ime_staff):
    from chapters.services import decide_membership

    MembershipFactory(chapter=chapter_a)
    pending = MembershipFactory(chapter=chapter_a, status="pending")
    assert "Miembros: 1" in client.get(reverse("chapters:list")).content.decode()
    decide_membership(membership_id=pending.pk, decided_by=ime_staff, approve=True)
    assert "Miembros: 2" in client.get(reverse("chapters:list")).content.decode()
    pending.refresh_from_db()
    pending.delete()
    assert "Miembros: 1" in client.get(reverse("chapters:list")).content.decode()


# --- chapter page -------------------------------------------------------------------------


def test_chapter_page_shows_officers_public_names_and_not_former_ones(client, chapter_a):
    current = OfficerFactory(chapter=chapter_a, user=member(preferred_name="Lucía Presidenta"))
    OfficerFactory(
        chapter=chapter_a,
        role="treasurer",
        user=member(preferred_name="Ramón Exfuncionario"),
        term_start=datetime.date(2019, 1, 1),
        term_end=datetime.date(2020, 1, 1),
    )
    html = client.get(chapter_a.get_absolute_url()).content.decode()
    assert "Lucía Presidenta" in html
    assert "Ramón Exfuncionario" not in html
    assert current.user.email not in html


def test_chapter_page_lists_upcoming_events_of_the_chapter(client, chapter_a, chapter_b):
    JornadaFactory(chapter=chapter_a, title_es="Reunión de Alfa")
    JornadaFactory(chapter=chapter_b, title_es="Reunión de Beta")
    JornadaFactory(chapter=chapter_a, title_es="Borrador de Alfa", is_published=False)
    html = client.get(chapter_a.get_absolute_url()).content.decode()
    assert "Reunión de Alfa" in html
    assert "Reunión de Beta" not in html and "Borrador de Alfa" not in html


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (None, "Solicitar unirme"),
        ("pending", "Retirar mi solicitud"),
        ("approved", "Salir del capítulo"),
        ("rejected", "Puedes volver a solicitar"),
        ("left", "Solicitar unirme"),
    ],
)
def test_join_button_fits_the_visitors_state(client, chapter_a, a_member, state, expected):
    if state:
        MembershipFactory(chapter=chapter_a, user=a_member, status=state)
    client.force_login(a_member)
    assert expected in client.get(chapter_a.get_absolute_url()).content.decode()


def test_anonymous_visitor_is_invited_to_sign_up(client, chapter_a):
    html = client.get(chapter_a.get_absolute_url()).content.decode()
    assert reverse("account_signup") in html and "Solicitar unirme" not in html


def test_unknown_or_inactive_chapter_answers_404(client):
    ChapterFactory(slug="dormido", status="inactive")
    assert client.get("/chapters/no-existe/").status_code == 404
    assert client.get("/chapters/dormido/").status_code == 404


def test_chapter_page_in_english(client, chapter_a):
    response = client.get("/en" + chapter_a.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Description in English." in html
    assert "Board" in html


@pytest.mark.parametrize("members_count", [1, 8])
def test_chapter_page_query_count_is_constant(
    client, chapter_a, django_assert_num_queries, members_count
):
    MembershipFactory.create_batch(members_count, chapter=chapter_a)
    for role in ("president", "secretary"):
        OfficerFactory(chapter=chapter_a, role=role)
    JornadaFactory.create_batch(members_count, chapter=chapter_a)
    # chapter+count, sectors, officers, events, the chapter's latest news (news app)
    with django_assert_num_queries(5):
        response = client.get(chapter_a.get_absolute_url())
    assert response.status_code == 200
    with django_assert_num_queries(0):  # then cached (chapters/page_cache.py)
        assert client.get(chapter_a.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("members_count", [1, 8])
def test_chapter_page_query_count_for_a_member_is_constant(
    client, chapter_a, a_member, django_assert_num_queries, members_count
):
    MembershipFactory.create_batch(members_count, chapter=chapter_a)
    MembershipFactory(chapter=chapter_a, user=a_member)
    OfficerFactory(chapter=chapter_a)
    client.force_login(a_member)
    client.get(chapter_a.get_absolute_url())  # the public sections get cached
    with django_assert_num_queries(4):  # session, user, chapter (visible_to), membership
        response = client.get(chapter_a.get_absolute_url())
    assert "Salir del capítulo" in response.content.decode()


# --- join, leave, home --------------------------------------------------------------------


def test_member_asks_to_join(client, chapter_a, a_member):
    client.force_login(a_member)
    response = client.post(
        reverse("chapters:join", args=[chapter_a.slug]), {"message": "Vivo en Houston"}, follow=True
    )
    assert response.status_code == 200
    assert str(views.JOIN_REQUESTED_MESSAGE) in _messages(response)
    membership = Membership.objects.get(chapter=chapter_a, user=a_member)
    assert membership.status == "pending" and membership.message == "Vivo en Houston"


def test_join_needs_login(client, chapter_a):
    response = client.post(reverse("chapters:join", args=[chapter_a.slug]))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert not Membership.objects.exists()


def test_join_with_a_too_long_message_shows_the_error_and_saves_nothing(
    client, chapter_a, a_member
):
    client.force_login(a_member)
    response = client.post(reverse("chapters:join", args=[chapter_a.slug]), {"message": "x" * 1001})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-invalid="true"' in html and 'class="errorlist"' in html
    assert not Membership.objects.exists()


def test_join_by_get_is_not_allowed(client, chapter_a, a_member):
    client.force_login(a_member)
    assert client.get(reverse("chapters:join", args=[chapter_a.slug])).status_code == 405
    assert not Membership.objects.exists()


def test_member_leaves_and_withdraws(client, chapter_a, chapter_b, a_member):
    MembershipFactory(chapter=chapter_a, user=a_member, status="approved")
    MembershipFactory(chapter=chapter_b, user=a_member, status="pending")
    client.force_login(a_member)
    response = client.post(reverse("chapters:leave", args=["alfa"]), follow=True)
    assert str(views.LEFT_MESSAGE) in _messages(response)
    response = client.post(reverse("chapters:leave", args=["beta"]), follow=True)
    assert str(views.WITHDRAWN_MESSAGE) in _messages(response)
    assert set(Membership.objects.values_list("status", flat=True)) == {"left"}


def test_leaving_a_chapter_one_is_not_in_shows_an_error(client, chapter_a, a_member):
    client.force_login(a_member)
    response = client.post(reverse("chapters:leave", args=["alfa"]), follow=True)
    assert str(services.NOT_A_MEMBER_MESSAGE) in _messages(response)


def test_member_sets_home_chapter(client, chapter_a, chapter_b, a_member):
    MembershipFactory(chapter=chapter_a, user=a_member, is_home=True)
    MembershipFactory(chapter=chapter_b, user=a_member)
    client.force_login(a_member)
    response = client.post(reverse("chapters:set_home", args=["beta"]), follow=True)
    assert str(views.HOME_SET_MESSAGE) in _messages(response)
    assert Membership.objects.get(is_home=True).chapter == chapter_b


# --- Jornadas -----------------------------------------------------------------------------


def test_jornada_list_separates_upcoming_and_past_and_hides_drafts(client):
    JornadaFactory(title_es="Próxima Jornada")
    JornadaFactory(
        title_es="Cuarta Jornada CDMX",
        starts_at=timezone.now() - datetime.timedelta(days=400),
        ends_at=timezone.now() - datetime.timedelta(days=399),
    )
    JornadaFactory(title_es="Jornada Borrador", is_published=False)
    html = client.get(reverse("chapters:jornada_list")).content.decode()
    upcoming, past = html.split("Anteriores", 1)
    assert "Próxima Jornada" in upcoming and "Cuarta Jornada CDMX" in past
    assert "Jornada Borrador" not in html


@pytest.mark.parametrize("count", [1, 7])
def test_jornada_list_query_count_is_constant(client, django_assert_num_queries, count):
    for chapter in ChapterFactory.create_batch(count):
        JornadaFactory(chapter=chapter)
        JornadaFactory(
            starts_at=timezone.now() - datetime.timedelta(days=30),
            ends_at=timezone.now() - datetime.timedelta(days=29),
        )
    with django_assert_num_queries(2):
        assert client.get(reverse("chapters:jornada_list")).status_code == 200


def test_jornada_page_shows_agenda_speakers_and_edition(client):
    jornada = JornadaFactory(edition=4, title_es="Jornada en la CDMX")
    item = AgendaItemFactory(jornada=jornada, title_es="Inauguración")
    SpeakerFactory(agenda_item=item, name="Dra. Ficticia", affiliation="UNAM Ficticia")
    SpeakerFactory(
        agenda_item=item, name="", member=member(preferred_name="Ingeniera Demo"), affiliation=""
    )
    html = client.get(jornada.get_absolute_url()).content.decode()
    assert "Cuarta Jornada Informativa" in html
    assert "Inauguración" in html and "Dra. Ficticia" in html and "UNAM Ficticia" in html
    assert "Ingeniera Demo" in html


def test_jornada_page_in_english(client):
    jornada = JornadaFactory(edition=4, title_en="Information Day in Mexico City")
    html = client.get("/en" + jornada.get_absolute_url()).content.decode()
    assert "Information Day in Mexico City" in html
    assert "Fourth Jornada Informativa" in html


def test_logistics_notes_are_for_staff_only(client, ime_staff, a_member):
    jornada = JornadaFactory(logistics_notes="Camión sale a las 7")
    assert "Camión sale" not in client.get(jornada.get_absolute_url()).content.decode()
    client.force_login(a_member)
    assert "Camión sale" not in client.get(jornada.get_absolute_url()).content.decode()
    client.force_login(ime_staff)
    assert "Camión sale" in client.get(jornada.get_absolute_url()).content.decode()


@pytest.mark.parametrize("items", [1, 6])
def test_jornada_page_query_count_is_constant(client, django_assert_num_queries, items):
    jornada = JornadaFactory(capacity=50)
    for _ in range(items):
        item = AgendaItemFactory(jornada=jornada)
        SpeakerFactory(agenda_item=item, name="", member=member())
        SpeakerFactory(agenda_item=item)
        RegistrationFactory(jornada=jornada)
    # jornada+counts, agenda items, speakers (+members, profiles joined), materials
    with django_assert_num_queries(4):
        assert client.get(jornada.get_absolute_url()).status_code == 200


def test_draft_jornada_is_404_for_the_public_and_visible_to_its_officer(client, chapter_a):
    jornada = JornadaFactory(chapter=chapter_a, is_published=False)
    assert client.get(jornada.get_absolute_url()).status_code == 404
    assert client.get(reverse("chapters:jornada_ics", args=[jornada.slug])).status_code == 404
    client.force_login(OfficerFactory(chapter=chapter_a).user)
    assert client.get(jornada.get_absolute_url()).status_code == 200


def test_member_registers_and_sees_the_state(
    client, chapter_a, a_member, django_capture_on_commit_callbacks
):
    MembershipFactory(chapter=chapter_a, user=a_member)
    jornada = JornadaFactory(capacity=10)
    client.force_login(a_member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("chapters:jornada_register", args=[jornada.slug]),
            {"representing": chapter_a.pk},
            follow=True,
        )
    assert str(views.REGISTERED_MESSAGES["confirmed"]) in _messages(response)
    assert "Tu lugar está confirmado." in response.content.decode()
    registration = Registration.objects.get()
    assert registration.representing == chapter_a
    assert len(mail.outbox) == 1


def test_registering_for_someone_elses_chapter_shows_the_error(client, chapter_b, a_member):
    jornada = JornadaFactory()
    client.force_login(a_member)
    response = client.post(
        reverse("chapters:jornada_register", args=[jornada.slug]), {"representing": chapter_b.pk}
    )
    assert response.status_code == 400
    assert 'class="errorlist"' in response.content.decode()
    assert not Registration.objects.exists()


def test_waitlisted_member_sees_their_position_and_cancels(client):
    jornada = JornadaFactory(capacity=1)
    RegistrationFactory(jornada=jornada)
    user = member()
    client.force_login(user)
    client.post(reverse("chapters:jornada_register", args=[jornada.slug]))
    html = client.get(jornada.get_absolute_url()).content.decode()
    assert "lista de espera (lugar 1)" in html
    response = client.post(reverse("chapters:jornada_cancel", args=[jornada.slug]), follow=True)
    assert str(views.CANCELLED_MESSAGE) in _messages(response)
    assert Registration.objects.get(user=user).status == "cancelled"


def test_register_needs_login_and_post(client, a_member):
    jornada = JornadaFactory()
    url = reverse("chapters:jornada_register", args=[jornada.slug])
    assert reverse("account_login") in client.post(url)["Location"]
    client.force_login(a_member)
    assert client.get(url).status_code == 405
    assert not Registration.objects.exists()


def test_registering_when_closed_shows_a_message(client, a_member):
    jornada = JornadaFactory(registration_closes_at=timezone.now() - datetime.timedelta(hours=1))
    client.force_login(a_member)
    response = client.post(reverse("chapters:jornada_register", args=[jornada.slug]), follow=True)
    assert str(services.REGISTRATION_CLOSED_MESSAGE) in _messages(response)
    assert not Registration.objects.exists()


# --- calendar ------------------------------------------------------------------------------


def test_jornada_ics_is_a_valid_calendar(client):
    jornada = JornadaFactory(title_es="Cuarta Jornada", venue="Tlatelolco", city="CDMX")
    response = client.get(reverse("chapters:jornada_ics", args=[jornada.slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    assert str(event["SUMMARY"]) == "Cuarta Jornada"
    assert event.decoded("DTSTART") == jornada.starts_at.replace(microsecond=0)
    assert event.decoded("DTEND") == jornada.ends_at.replace(microsecond=0)
    assert "Tlatelolco" in str(event["LOCATION"])
    assert str(event["URL"]).endswith(jornada.get_absolute_url())


def test_feed_lists_upcoming_published_jornadas(client):
    upcoming = JornadaFactory(title_es="Futura")
    JornadaFactory(title_es="Oculta", is_published=False)
    JornadaFactory(
        title_es="Pasada",
        starts_at=timezone.now() - datetime.timedelta(days=9),
        ends_at=timezone.now() - datetime.timedelta(days=8),
    )
    response = client.get("/jornadas/feed.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["Futura"]
    assert str(calendar.walk("VEVENT")[0]["UID"]) == f"jornada-{upcoming.pk}@talentnet"


def test_no_jornada_can_take_the_feed_slug():
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    jornada = JornadaFactory.build(slug="feed")
    with pytest.raises(ValidationError):
        jornada.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        JornadaFactory(slug="feed")


# --- participants CSV -------------------------------------------------------------------


def test_participants_csv_is_safe_against_formula_injection(client, ime_staff):
    jornada = JornadaFactory()
    evil = member(preferred_name='=HYPERLINK("http://x")')
    RegistrationFactory(jornada=jornada, user=evil)
    RegistrationFactory(jornada=jornada, user=member(preferred_name='José, "Pepe"\nÑuñez'))
    client.force_login(ime_staff)
    response = client.get(reverse("chapters:jornada_participants_csv", args=[jornada.slug]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    names = [row[1] for row in rows[1:]]
    assert '\'=HYPERLINK("http://x")' in names
    assert 'José, "Pepe"\nÑuñez' in names


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_neutralise_prefixes_every_formula_start(cell):
    from core.spreadsheets import csv_safe as neutralise

    assert neutralise(cell) == "'" + cell
    assert neutralise("Normal") == "Normal"


def test_participants_csv_role_matrix(client, chapter_a, officer_a, officer_b, a_member):
    jornada = JornadaFactory(chapter=chapter_a)
    RegistrationFactory(jornada=jornada)
    url = reverse("chapters:jornada_participants_csv", args=[jornada.slug])
    assert client.get(url).status_code == 302  # anonymous: to login
    for outsider in (a_member, officer_b):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.force_login(officer_a)
    assert client.get(url).status_code == 200


def test_ime_staff_without_second_factor_is_sent_to_set_it_up(client):
    from django.contrib.auth.models import Group

    staff = member()
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    staff.groups.add(Group.objects.get(name="IME staff"))
    jornada = JornadaFactory()
    client.force_login(staff)
    response = client.get(reverse("chapters:jornada_participants_csv", args=[jornada.slug]))
    assert response.status_code == 302
    assert "/accounts/2fa/totp/activate/" in response["Location"]


def test_expired_officer_loses_powers_on_the_next_request(client, chapter_a):
    officer = OfficerFactory(chapter=chapter_a)
    jornada = JornadaFactory(chapter=chapter_a)
    url = reverse("chapters:jornada_participants_csv", args=[jornada.slug])
    client.force_login(officer.user)
    assert client.get(url).status_code == 200
    officer.term_end = timezone.localdate() - datetime.timedelta(days=1)
    officer.save(update_fields=["term_end"])
    assert client.get(url).status_code == 404
    assert Chapter.objects.managed_by(officer.user).count() == 0


def test_chapter_page_also_lists_network_wide_jornadas(client, chapter_a):
    JornadaFactory(chapter=None, title_es="Jornada de toda la red")
    html = client.get(chapter_a.get_absolute_url()).content.decode()
    assert "Jornada de toda la red" in html and "Toda la red" in html


def test_own_officer_sees_pending_requests_with_a_link_to_the_admin(
    client, chapter_a, chapter_b, officer_a
):
    MembershipFactory.create_batch(2, chapter=chapter_a, status="pending")
    client.force_login(officer_a)
    html = client.get(chapter_a.get_absolute_url()).content.decode()
    assert "Solicitudes pendientes: 2" in html
    assert reverse("admin:chapters_membership_changelist") in html
    html = client.get(chapter_b.get_absolute_url()).content.decode()
    assert "Solicitudes pendientes" not in html


def test_participants_export_is_audited_without_personal_data(client, ime_staff, caplog):
    import logging

    jornada = JornadaFactory()
    registration = RegistrationFactory(jornada=jornada)
    client.force_login(ime_staff)
    with caplog.at_level(logging.INFO, logger="chapters.exports"):
        client.get(reverse("chapters:jornada_participants_csv", args=[jornada.slug]))
    (record,) = [r for r in caplog.records if "participants export" in r.getMessage()]
    assert f"user={ime_staff.pk}" in record.getMessage() and "rows=1" in record.getMessage()
    assert registration.user.email not in record.getMessage()


@pytest.mark.parametrize("size", [1, 5])
def test_jornada_page_for_a_signed_in_member_has_a_constant_query_count(
    client, django_assert_num_queries, size
):
    user = member()
    for chapter in ChapterFactory.create_batch(size):
        MembershipFactory(chapter=chapter, user=user)
    jornada = JornadaFactory(capacity=10)
    for _ in range(size):
        SpeakerFactory(agenda_item=AgendaItemFactory(jornada=jornada))
    client.force_login(user)
    # session, user, jornada, registration, manager check, the member's chapters (exists,
    # count, options), agenda, speakers, materials
    with django_assert_num_queries(11):
        assert client.get(jornada.get_absolute_url()).status_code == 200


def test_a_suspended_chapter_leaves_the_cached_list_at_once(client, chapter_a, ime_staff):
    from chapters.services import set_chapter_suspension

    assert "Capítulo Alfa" in _main(client.get("/chapters/"))  # now cached
    set_chapter_suspension(chapter=chapter_a, suspended=True, by=ime_staff)
    assert "Capítulo Alfa" not in _main(client.get("/chapters/"))
    set_chapter_suspension(chapter=chapter_a, suspended=False, by=ime_staff)
    assert "Capítulo Alfa" in _main(client.get("/chapters/"))
