"""The admin, per role: IME staff curate everything; an officer of chapter A sees and
changes only chapter A (changelists, change views by URL, bulk actions, autocomplete,
history); a member or an officer whose term ended sees nothing."""

import datetime
import json
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from chapters.models import Chapter, Jornada, Membership, Registration
from tests.factories import (
    AgendaItemFactory,
    JornadaFactory,
    MembershipFactory,
    OfficerFactory,
    RegistrationFactory,
    member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(chapter_a, chapter_b, officer_a, officer_b):
    """Each chapter with a pending request, an event with agenda and a registration."""
    rows = {}
    for key, chapter in (("a", chapter_a), ("b", chapter_b)):
        jornada = JornadaFactory(chapter=chapter, title_es=f"Evento {chapter.name}")
        rows[key] = {
            "chapter": chapter,
            "membership": MembershipFactory(
                chapter=chapter, status="pending", user=member(preferred_name=f"Solicita {key}")
            ),
            "jornada": jornada,
            "agenda": AgendaItemFactory(jornada=jornada, title_es=f"Mesa {chapter.name}"),
            "registration": RegistrationFactory(jornada=jornada),
        }
    rows["ime_jornada"] = JornadaFactory(chapter=None, title_es="Jornada de toda la red")
    return rows


def _admin(model, action="changelist", *args):
    return reverse(f"admin:chapters_{model}_{action}", args=args)


CHANGELISTS = ["chapter", "membership", "officer", "jornada", "registration", "agendaitem"]


@pytest.mark.parametrize("model", CHANGELISTS)
def test_officer_changelists_show_only_their_chapter(client, world, officer_a, model):
    client.force_login(officer_a)
    response = client.get(_admin(model))
    assert response.status_code == 200
    shown = {obj.pk for obj in response.context["cl"].result_list}
    own = {
        "chapter": {world["a"]["chapter"].pk},
        "membership": set(
            Membership.objects.filter(chapter=world["a"]["chapter"]).values_list("pk", flat=True)
        ),
        "officer": set(world["a"]["chapter"].officers.values_list("pk", flat=True)),
        "jornada": {world["a"]["jornada"].pk},
        "registration": {world["a"]["registration"].pk},
        "agendaitem": {world["a"]["agenda"].pk},
    }[model]
    assert shown == own
    assert "Capítulo Beta" not in response.content.decode()


@pytest.mark.parametrize("model", CHANGELISTS)
def test_ime_staff_see_every_chapter(client, world, ime_staff, model):
    client.force_login(ime_staff)
    response = client.get(_admin(model))
    assert response.status_code == 200
    model_class = response.context["cl"].model
    assert len(response.context["cl"].result_list) == model_class.objects.count()


@pytest.mark.parametrize(
    ("model", "key"),
    [
        ("chapter", "chapter"),
        ("membership", "membership"),
        ("jornada", "jornada"),
        ("registration", "registration"),
        ("agendaitem", "agenda"),
    ],
)
def test_officer_gets_404_on_another_chapters_rows_by_url(client, world, officer_a, model, key):
    client.force_login(officer_a)
    other = world["b"][key]
    assert client.get(_admin(model, "change", other.pk)).status_code == 404
    assert client.post(_admin(model, "change", other.pk), {}).status_code == 404
    assert client.post(_admin(model, "delete", other.pk), {"post": "yes"}).status_code == 404
    assert type(other).objects.filter(pk=other.pk).exists()
    assert client.get(_admin(model, "change", world["a"][key].pk)).status_code == 200


def test_officer_cannot_reach_network_wide_jornadas(client, world, officer_a):
    client.force_login(officer_a)
    assert client.get(_admin("jornada", "change", world["ime_jornada"].pk)).status_code == 404


def test_officer_history_of_another_chapter_is_refused(client, world, officer_a):
    client.force_login(officer_a)
    other = world["b"]["chapter"]
    assert client.get(_admin("chapter", "history", other.pk)).status_code in (403, 404)
    assert client.get(_admin("chapter", "history", world["a"]["chapter"].pk)).status_code == 200


def test_officer_bulk_approve_ignores_another_chapters_requests(client, world, officer_a):
    client.force_login(officer_a)
    own, other = world["a"]["membership"], world["b"]["membership"]
    response = client.post(
        _admin("membership"),
        {"action": "approve_selected", "_selected_action": [own.pk, other.pk], "index": 0},
    )
    assert response.status_code == 302
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.status == "approved" and own.decided_by == officer_a
    assert other.status == "pending"


def test_officer_approves_and_the_member_is_emailed(
    client, world, officer_a, django_capture_on_commit_callbacks
):
    client.force_login(officer_a)
    own = world["a"]["membership"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            _admin("membership"),
            {"action": "approve_selected", "_selected_action": [own.pk], "index": 0},
        )
    assert [m.to for m in mail.outbox] == [[own.user.email]]
    assert own.history.count() >= 2  # created, then decided


def test_reject_action_asks_for_a_reason_then_rejects(
    client, world, officer_a, django_capture_on_commit_callbacks
):
    client.force_login(officer_a)
    own = world["a"]["membership"]
    first = client.post(
        _admin("membership"),
        {"action": "reject_selected", "_selected_action": [own.pk], "index": 0},
    )
    assert first.status_code == 200
    assert 'name="reason"' in first.content.decode()
    empty = client.post(
        _admin("membership"),
        {"action": "reject_selected", "_selected_action": [own.pk], "reason": ""},
    )
    assert empty.status_code == 200 and "errorlist" in empty.content.decode()
    own.refresh_from_db()
    assert own.status == "pending"
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            _admin("membership"),
            {"action": "reject_selected", "_selected_action": [own.pk], "reason": "Cupo lleno"},
        )
    assert done.status_code == 302
    own.refresh_from_db()
    assert own.status == "rejected" and own.decision_reason == "Cupo lleno"
    assert "Cupo lleno" in mail.outbox[0].body


def test_officer_bulk_check_in_ignores_another_chapters_registrations(client, world, officer_a):
    client.force_login(officer_a)
    own, other = world["a"]["registration"], world["b"]["registration"]
    client.post(
        _admin("registration"),
        {"action": "check_in_selected", "_selected_action": [own.pk, other.pk], "index": 0},
    )
    assert Registration.objects.get(pk=own.pk).checked_in_at is not None
    assert Registration.objects.get(pk=other.pk).checked_in_at is None


def test_officer_export_action_contains_only_their_chapter(client, world, officer_a):
    client.force_login(officer_a)
    response = client.post(
        _admin("jornada"),
        {
            "action": "export_participants",
            "_selected_action": [world["a"]["jornada"].pk, world["b"]["jornada"].pk],
            "index": 0,
        },
    )
    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    assert world["a"]["registration"].user.email in body
    assert world["b"]["registration"].user.email not in body


def test_chapter_autocomplete_offers_only_the_officers_chapters(client, world, officer_a):
    client.force_login(officer_a)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "chapters", "model_name": "jornada", "field_name": "chapter", "term": ""},
    )
    assert response.status_code == 200
    names = [r["text"] for r in json.loads(response.content)["results"]]
    assert names == ["Capítulo Alfa"]


def test_member_autocomplete_is_for_ime_staff_only(client, world, officer_a, ime_staff):
    params = {"app_label": "chapters", "model_name": "membership", "field_name": "user"}
    client.force_login(officer_a)
    assert client.get(reverse("admin:autocomplete"), params).status_code == 403
    client.force_login(ime_staff)
    response = client.get(reverse("admin:autocomplete"), {**params, "term": "persona"})
    assert response.status_code == 200
    assert json.loads(response.content)["results"]


def test_officer_creates_an_event_only_for_their_chapter(client, world, officer_a):
    client.force_login(officer_a)
    start = timezone.now() + datetime.timedelta(days=10)
    data = {
        "title_es": "Evento nuevo",
        "slug": "evento-nuevo",
        "starts_at_0": start.strftime("%d/%m/%Y"),
        "starts_at_1": "10:00:00",
        "ends_at_0": start.strftime("%d/%m/%Y"),
        "ends_at_1": "12:00:00",
        "timezone": "America/Chicago",
        "registration_mode": "open",
        "agenda_items-TOTAL_FORMS": 0,
        "agenda_items-INITIAL_FORMS": 0,
        "materials-TOTAL_FORMS": 0,
        "materials-INITIAL_FORMS": 0,
    }
    for chapter in (world["b"]["chapter"].pk, ""):
        response = client.post(_admin("jornada", "add"), {**data, "chapter": chapter})
        assert response.status_code == 200  # the form shows the error
        assert not Jornada.objects.filter(slug="evento-nuevo").exists()
    response = client.post(_admin("jornada", "add"), {**data, "chapter": world["a"]["chapter"].pk})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Jornada.objects.get(slug="evento-nuevo").chapter == world["a"]["chapter"]


def test_officer_edits_the_presentation_but_not_the_status(client, world, officer_a):
    client.force_login(officer_a)
    chapter = world["a"]["chapter"]
    response = client.get(_admin("chapter", "change", chapter.pk))
    assert response.status_code == 200
    assert 'name="description_es"' in response.content.decode()
    assert 'name="status"' not in response.content.decode()


def test_a_member_without_staff_rights_is_sent_to_login(client, a_member):
    client.force_login(a_member)
    response = client.get(_admin("membership"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_officer_whose_term_ended_sees_nothing(client, world, chapter_a):
    former = OfficerFactory(
        chapter=chapter_a,
        term_start=datetime.date(2020, 1, 1),
        term_end=timezone.localdate() - datetime.timedelta(days=1),
    ).user
    client.force_login(former)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert _admin("membership") not in index.content.decode()
    assert client.get(_admin("membership")).status_code == 403
    assert client.get(_admin("chapter", "change", chapter_a.pk)).status_code in (403, 404)


def test_officer_cannot_see_the_people_admin(client, officer_a):
    client.force_login(officer_a)
    from members.models import User

    response = client.get(reverse("admin:members_user_change", args=[officer_a.pk]))
    assert response.status_code in (302, 403, 404)
    assert User.objects.filter(pk=officer_a.pk).exists()


def test_ime_staff_add_an_officer_who_gets_admin_access(client, ime_staff, chapter_a):
    person = member()
    client.force_login(ime_staff)
    response = client.post(
        _admin("officer", "add"),
        {
            "chapter": chapter_a.pk,
            "user": person.pk,
            "role": "secretary",
            "term_start": "01/01/2026",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.is_staff
    assert person.groups.filter(name="Chapter officers").exists()
    assert Chapter.objects.managed_by(person).get() == chapter_a


def test_times_are_entered_and_shown_in_the_jornadas_own_time_zone(client, ime_staff):
    client.force_login(ime_staff)
    data = {
        "title_es": "Encuentro en Los Ángeles",
        "slug": "encuentro-la",
        "starts_at_0": "15/01/2031",
        "starts_at_1": "10:00:00",
        "ends_at_0": "15/01/2031",
        "ends_at_1": "12:00:00",
        "timezone": "America/Los_Angeles",
        "registration_mode": "open",
        "agenda_items-TOTAL_FORMS": 1,
        "agenda_items-INITIAL_FORMS": 0,
        "agenda_items-0-order": 1,
        "agenda_items-0-starts_at_0": "15/01/2031",
        "agenda_items-0-starts_at_1": "11:00:00",
        "agenda_items-0-title_es": "Bienvenida",
        "materials-TOTAL_FORMS": 0,
        "materials-INITIAL_FORMS": 0,
    }
    response = client.post(_admin("jornada", "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    jornada = Jornada.objects.get(slug="encuentro-la")
    utc = datetime.UTC
    assert jornada.starts_at == datetime.datetime(2031, 1, 15, 18, 0, tzinfo=utc)  # PST = UTC-8
    assert jornada.agenda_items.get().starts_at == datetime.datetime(2031, 1, 15, 19, 0, tzinfo=utc)
    page = client.get(_admin("jornada", "change", jornada.pk)).content.decode()
    assert 'value="10:00:00"' in re.findall(r"<input[^>]*starts_at_1[^>]*>", page)[0]
    # Saving the form unchanged keeps every time where it was.
    item = jornada.agenda_items.get()
    resubmit = {
        **data,
        "agenda_items-INITIAL_FORMS": 1,
        "agenda_items-0-id": item.pk,
        "agenda_items-0-jornada": jornada.pk,
    }
    assert client.post(_admin("jornada", "change", jornada.pk), resubmit).status_code == 302
    jornada.refresh_from_db()
    assert jornada.starts_at == datetime.datetime(2031, 1, 15, 18, 0, tzinfo=utc)
    assert jornada.agenda_items.get().starts_at == datetime.datetime(2031, 1, 15, 19, 0, tzinfo=utc)


def test_a_material_that_is_not_a_pdf_or_slides_is_refused_in_the_admin(
    client, world, officer_a, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client.force_login(officer_a)
    jornada = world["a"]["jornada"]
    page = client.get(_admin("jornada", "change", jornada.pk))
    form = page.context["adminform"].form
    data = {
        name: (value if value is not None else "")
        for name, value in (
            (f.html_name, form.initial.get(f.name, f.initial))
            for f in form
            if f.name not in ("chapter",)
        )
    }
    data.update(
        {
            "chapter": jornada.chapter_id,
            "starts_at_0": timezone.localtime(jornada.starts_at, jornada.tz).strftime("%d/%m/%Y"),
            "starts_at_1": timezone.localtime(jornada.starts_at, jornada.tz).strftime("%H:%M:%S"),
            "ends_at_0": timezone.localtime(jornada.ends_at, jornada.tz).strftime("%d/%m/%Y"),
            "ends_at_1": timezone.localtime(jornada.ends_at, jornada.tz).strftime("%H:%M:%S"),
            "registration_opens_at_0": "",
            "registration_opens_at_1": "",
            "registration_closes_at_0": "",
            "registration_closes_at_1": "",
            "capacity": "",
            "edition": "",
            "agenda_items-TOTAL_FORMS": 0,
            "agenda_items-INITIAL_FORMS": 0,
            "materials-TOTAL_FORMS": 1,
            "materials-INITIAL_FORMS": 0,
            "materials-0-title": "Programa",
            "materials-0-file": SimpleUploadedFile("programa.pdf", b"MZ\x90\x00 not a pdf"),
        }
    )
    for key in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
        data.pop(key, None)
    data["is_published"] = "on"
    response = client.post(_admin("jornada", "change", jornada.pk), data)
    assert response.status_code == 200
    assert "Sube un PDF o una presentación" in response.content.decode()
    assert not jornada.materials.exists()


def test_officer_sees_their_chapters_board_and_members_inline(client, world, officer_a):
    client.force_login(officer_a)
    response = client.get(_admin("chapter", "change", world["a"]["chapter"].pk))
    formsets = {f.formset.prefix: f for f in response.context["inline_admin_formsets"]}
    assert set(formsets) == {"officers", "memberships"}
    assert [o.pk for o in formsets["officers"].formset.queryset] == list(
        world["a"]["chapter"].officers.values_list("pk", flat=True)
    )
    assert world["a"]["membership"].user.email in response.content.decode()


def test_officer_edits_the_agenda_of_their_event_inline(client, world, officer_a):
    client.force_login(officer_a)
    jornada = world["a"]["jornada"]
    response = client.get(_admin("jornada", "change", jornada.pk))
    formsets = {f.formset.prefix: f for f in response.context["inline_admin_formsets"]}
    agenda = formsets["agenda_items"]
    assert agenda.has_change_permission and agenda.has_add_permission
    assert [i.pk for i in agenda.formset.queryset] == [world["a"]["agenda"].pk]


def test_speakers_inline_is_editable_by_the_events_officer_only(client, world, officer_a):
    client.force_login(officer_a)
    own = client.get(_admin("agendaitem", "change", world["a"]["agenda"].pk))
    (speakers,) = own.context["inline_admin_formsets"]
    assert speakers.has_add_permission and speakers.has_change_permission
    assert client.get(_admin("agendaitem", "change", world["b"]["agenda"].pk)).status_code == 404


def test_ime_staff_appoint_an_officer_inline_on_the_chapter(client, ime_staff, chapter_a):
    person = member()
    client.force_login(ime_staff)
    page = client.get(_admin("chapter", "change", chapter_a.pk))
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in (
            (f.html_name, form.initial.get(f.name, f.initial))
            for f in form
            if f.name not in ("sectors", "logo")
        )
        if value is not None
    }
    data.update(
        {
            "officers-TOTAL_FORMS": 1,
            "officers-INITIAL_FORMS": 0,
            "officers-0-user": person.pk,
            "officers-0-role": "vice-president",
            "officers-0-term_start": "01/01/2026",
            "memberships-TOTAL_FORMS": 0,
            "memberships-INITIAL_FORMS": 0,
        }
    )
    response = client.post(_admin("chapter", "change", chapter_a.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    person.refresh_from_db()
    assert person.is_staff and person.groups.filter(name="Chapter officers").exists()
    assert chapter_a.officers.filter(user=person, role="vice-president").exists()


def test_the_chapter_admin_form_stores_the_logo_re_encoded(rf, ime_staff):
    import io

    from django.contrib import admin as django_admin
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.forms.models import model_to_dict
    from PIL import Image

    from chapters.models import Chapter
    from tests.factories import ChapterFactory

    chapter = ChapterFactory()
    request = rf.get("/admin/")
    request.user = ime_staff
    model_admin = django_admin.site._registry[Chapter]
    form_class = model_admin.get_form(request, chapter, change=True)
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), "red").save(buffer, format="JPEG")
    data = {k: v for k, v in model_to_dict(chapter).items() if v is not None and k != "logo"}
    data["sectors"] = []
    form = form_class(
        data=data,
        files={"logo": SimpleUploadedFile("logo.jpg", buffer.getvalue())},
        instance=chapter,
    )
    assert form.is_valid(), form.errors
    stored = form.cleaned_data["logo"]
    assert stored.name.endswith(".png")
    with Image.open(stored) as image:
        assert image.format == "PNG"
