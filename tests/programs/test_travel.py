"""Travel data of a stage abroad: collected only for stages that ask and only from those who
confirmed their seat, dates validated; program staff read the list, its CSV and XLSX and the
letters of invitation only with a second factor, each read audited; purged after the stage
by the beat; in the data export; deleted with the account; stated in the privacy notice."""

import csv
import datetime
import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from members.models import PrivacyNotice, ProfileView
from members.services import delete_account, export_member_data
from programs.forms import (
    DEPARTURE_AFTER_ARRIVAL_MESSAGE,
    PASSPORT_BEYOND_DEPARTURE_MESSAGE,
    SENSITIVE_CONSENT_MESSAGE,
)
from programs.models import Enrolment, TravelDetails
from programs.services import confirm_seat, purge_travel_details, save_travel_details
from programs.tasks import purge_travel_details_task
from programs.views import NO_TRAVEL_DATA_MESSAGE
from tests.factories import (
    UserFactory,
    member,
    participant,
    program_staff_user,
    program_with_stages,
    with_totp,
)

pytestmark = pytest.mark.django_db


def _day(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def _stage_abroad(*, collects=True):
    _program, stage1, stage2 = program_with_stages(seats=2)
    stage2.offer_days = 7
    stage2.collects_travel_data = collects
    stage2.place_es, stage2.place_en = "Shenzhen, China", "Shenzhen, China"
    stage2.starts_on, stage2.ends_on = _day(30), _day(40)
    stage2.save()
    return stage1, stage2


def _seat(stage2, *, confirmed=True, **profile):
    """Someone selected into stage 2 (rank 1), confirmed unless told otherwise."""
    stage1 = stage2.program.stages.get(order=1)
    user = member(**profile)
    application = participant(stage1, completed=True, user=user).application
    enrolment = Enrolment.objects.create(
        application=application, stage=stage2, rank=1, offer_expires_at=timezone.now() + _d(7)
    )
    if confirmed:
        confirm_seat(enrolment_id=enrolment.pk, user=user)
        enrolment.refresh_from_db()
    return enrolment


def _d(days):
    return datetime.timedelta(days=days)


def _form(**changes):
    data = {
        "passport_valid_until": _day(400).isoformat(),
        "visa_status": "granted",
        "arrival_on": _day(29).isoformat(),
        "departure_on": _day(41).isoformat(),
        "dietary_needs": "",
        "medical_needs": "",
        "emergency_contact_name": "Rosa Pérez",
        "emergency_contact_phone": "+52 55 1234 5678",
    }
    data.update(changes)
    return data


def _travel(enrolment, **changes):
    data = {
        k: (datetime.date.fromisoformat(v) if k.endswith(("_on", "_until")) else v)
        for k, v in _form(**changes).items()
    }
    consent = bool(data["dietary_needs"] or data["medical_needs"])
    return save_travel_details(enrolment=enrolment, data=data, sensitive_consent=consent)


# --- The participant ---------------------------------------------------------------------


def test_a_confirmed_participant_gives_their_travel_data(client):
    _s1, stage2 = _stage_abroad()
    seat = _seat(stage2)
    client.force_login(seat.application.user)
    url = reverse("programs:travel_details", args=[seat.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        _form(medical_needs="Asma: llevo inhalador", sensitive_consent="on"),
    )
    assert response.status_code == 302
    travel = TravelDetails.objects.get(enrolment=seat)
    assert travel.medical_needs == "Asma: llevo inhalador"
    assert travel.sensitive_consent_at is not None
    assert travel.departure_on == _day(41)
    html = client.get(reverse("programs:mine")).content.decode()
    assert "Ya nos diste tus datos de viaje." in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"arrival_on": _day(41).isoformat()},
            "departure_on",
            DEPARTURE_AFTER_ARRIVAL_MESSAGE,
        ),
        (
            {"passport_valid_until": _day(41).isoformat()},
            "passport_valid_until",
            PASSPORT_BEYOND_DEPARTURE_MESSAGE,
        ),
        ({"dietary_needs": "Vegana"}, "sensitive_consent", SENSITIVE_CONSENT_MESSAGE),
        ({"arrival_on": "31/02/2026"}, "arrival_on", None),
    ],
)
def test_bad_travel_data_gets_a_clear_message_and_saves_nothing(client, changes, field, message):
    _s1, stage2 = _stage_abroad()
    seat = _seat(stage2)
    client.force_login(seat.application.user)
    response = client.post(reverse("programs:travel_details", args=[seat.pk]), _form(**changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    if message is not None:
        assert errors[field] == [str(message)]
    assert not TravelDetails.objects.exists()


def test_english_messages_for_bad_dates(client):
    _s1, stage2 = _stage_abroad()
    seat = _seat(stage2)
    client.force_login(seat.application.user)
    response = client.post(
        "/en" + reverse("programs:travel_details", args=[seat.pk]),
        _form(arrival_on=_day(45).isoformat()),
    )
    assert "Choose a departure date after the arrival date." in response.content.decode()


def test_travel_data_is_asked_only_of_confirmed_seats_on_stages_that_ask(client):
    _s1, stage2 = _stage_abroad()
    pending = _seat(stage2, confirmed=False)
    client.force_login(pending.application.user)
    response = client.get(reverse("programs:travel_details", args=[pending.pk]), follow=True)
    assert str(NO_TRAVEL_DATA_MESSAGE) in response.content.decode()
    _s1, home_stage = _stage_abroad(collects=False)
    confirmed = _seat(home_stage)
    client.force_login(confirmed.application.user)
    response = client.post(reverse("programs:travel_details", args=[confirmed.pk]), _form())
    assert response.status_code == 302
    assert not TravelDetails.objects.exists()


# --- Program staff: second factor, audit, CSV, XLSX, letters -----------------------------


@pytest.fixture
def travellers():
    _s1, stage2 = _stage_abroad()
    ana = _seat(stage2, given_names="Ana", paternal_surname="Zúñiga")
    _travel(ana, dietary_needs='=HYPERLINK("x")', medical_needs="Diabetes")
    luis = _seat(stage2, given_names="Luis", paternal_surname="Núñez")  # no data yet
    _seat(stage2, confirmed=False)  # not confirmed: not on the list
    return stage2, ana, luis


def _reads(user):
    return list(
        ProfileView.objects.filter(viewer=user, kind="program_travel")
        .order_by("pk")
        .values_list("filters", "row_count")
    )


def test_program_staff_with_a_second_factor_read_the_list_and_it_is_audited(client, travellers):
    stage, _ana, _luis = travellers
    staff = program_staff_user()
    client.force_login(staff)
    response = client.get(reverse("admin:programs_stage_travel", args=[stage.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Diabetes" in html and "Zúñiga" in html and "Núñez" in html
    assert "no-store" in response["Cache-Control"]
    assert _reads(staff) == [({"stage": stage.pk, "view": "page"}, 2)]
    # The audit copies none of the data read.
    row = ProfileView.objects.get(viewer=staff)
    assert "Diabetes" not in str(row.filters) and row.profile_id is None


def test_the_travel_list_needs_a_second_factor_and_the_program_staff_role(client, travellers):
    stage, _ana, _luis = travellers
    url = reverse("admin:programs_stage_travel", args=[stage.pk])
    client.force_login(program_staff_user(totp=False))
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate/")
    other_staff = UserFactory(is_staff=True)  # staff, second factor, not program staff
    with_totp(other_staff)
    client.force_login(other_staff)
    assert client.get(url).status_code == 403
    assert (
        client.get(reverse("admin:programs_stage_travel_csv", args=[stage.pk])).status_code == 403
    )
    assert not ProfileView.objects.filter(kind="program_travel").exists()


def test_the_travel_list_as_csv_and_xlsx_is_audited_and_formula_safe(client, travellers):
    stage, _ana, _luis = travellers
    staff = program_staff_user()
    client.force_login(staff)
    response = client.get(reverse("admin:programs_stage_travel_csv", args=[stage.pk]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Nombre" and len(rows) == 3
    ana_row = next(r for r in rows if "Zúñiga" in r[0])
    assert ana_row[7] == '\'=HYPERLINK("x")'  # never a formula
    assert ana_row[8] == "Diabetes"
    luis_row = next(r for r in rows if "Núñez" in r[0])
    assert luis_row[3:] == [""] * 8
    response = client.get(reverse("admin:programs_stage_travel_xlsx", args=[stage.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(values) == 3 and values[0][0] == "Nombre"
    assert _reads(staff) == [
        ({"stage": stage.pk, "view": "csv"}, 2),
        ({"stage": stage.pk, "view": "xlsx"}, 2),
    ]


def test_a_letter_of_invitation_per_participant_is_a_bilingual_pdf(client, travellers):
    stage, ana, _luis = travellers
    staff = program_staff_user()
    client.force_login(staff)
    response = client.get(reverse("admin:programs_stage_invitation", args=[stage.pk, ana.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Carta de invitación" in text and "Letter of invitation" in text
    assert "Zúñiga" in text and "Shenzhen" in text
    assert _reads(staff) == [({"stage": stage.pk, "view": "letter", "enrolment": ana.pk}, 1)]
    # Someone not confirmed on this stage has no letter.
    other = Enrolment.objects.filter(stage=stage, seat_confirmed_at__isnull=True).get()
    url = reverse("admin:programs_stage_invitation", args=[stage.pk, other.pk])
    assert client.get(url).status_code == 404


# --- Retention ---------------------------------------------------------------------------


def test_travel_data_is_purged_by_the_beat_once_the_stage_has_ended(travellers):
    stage, ana, _luis = travellers
    assert settings.CELERY_BEAT_SCHEDULE["programs-purge-travel-details"]["task"] == (
        purge_travel_details_task.name
    )
    assert purge_travel_details(today=stage.ends_on) == 0  # the last day: still needed
    assert purge_travel_details_task.delay().get() == 0
    assert TravelDetails.objects.filter(enrolment=ana).exists()
    assert purge_travel_details(today=stage.ends_on + _d(1)) == 1
    assert not TravelDetails.objects.exists()
    assert purge_travel_details(today=stage.ends_on + _d(1)) == 0  # twice: nothing more


def test_travel_data_is_in_the_members_export_and_deleted_with_the_account(travellers):
    stage, ana, _luis = travellers
    user = ana.application.user
    data = export_member_data(user=user)
    stages = data["programs"]["applications"][0]["stages"]
    abroad = next(s for s in stages if s["travel"] is not None)
    assert abroad["travel"]["medical_needs"] == "Diabetes"
    assert abroad["seat"]["rank"] == 1 and abroad["seat"]["confirmed_at"]
    waiting = participant(stage.program.stages.get(order=1), completed=True).application
    next_in_rank = Enrolment.objects.create(
        application=waiting, stage=stage, rank=2, status="waitlisted"
    )
    from programs.models import Selection

    Selection.objects.create(
        source_stage=stage.program.stages.get(order=1),
        target_stage=stage,
        selected_count=Enrolment.objects.enrolled().filter(stage=stage).count(),
        waitlist_count=1,
    )
    delete_account(user=user)
    assert not TravelDetails.objects.filter(enrolment=ana).exists()
    # Her seat abroad is not held by a deleted account: the next in rank is offered it.
    assert Enrolment.objects.get(pk=ana.pk).status == "declined"
    assert Enrolment.objects.get(pk=next_in_rank.pk).offer_pending


@pytest.mark.parametrize(
    ("prefix", "words"),
    [
        ("", ["país de residencia", "vigencia de tu pasaporte", "contacto de emergencia",
              "Datos personales sensibles", "Los datos de viaje se borran al terminar la etapa"]),
        ("/en", ["country of residence", "validity", "emergency contact",
                 "Sensitive personal data", "Travel data is deleted when the stage ends"]),
    ],
)  # fmt: skip
def test_the_privacy_notice_in_force_states_the_travel_data(client, prefix, words):
    notice = PrivacyNotice.objects.current()
    assert notice.version == 4  # version 3 said it first; version 4 keeps it
    html = client.get(prefix + "/privacy/").content.decode()
    for word in words:
        assert word in html, word


@pytest.mark.parametrize("extra", [0, 4])
def test_the_travel_list_reads_a_fixed_number_of_queries(
    client, travellers, django_assert_num_queries, extra
):
    stage, _ana, _luis = travellers
    for _n in range(extra):
        _travel(_seat(stage), medical_needs="Ninguna en particular")
    staff = program_staff_user()
    client.force_login(staff)
    url = reverse("admin:programs_stage_travel", args=[stage.pk])
    client.get(url)  # the first look of the day writes its audit row; count a second one
    # Session, user (with its groups and second factor: members.auth_backends), the audit's
    # same-day check, the stage, the travellers with their travel data, and the admin's own
    # (the same at 2 or 6 rows).
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200
