"""Import with consent, never without (issue 26): staff upload a list of known people; a dry
run says what would happen per line and writes nothing; confirming writes the new people
(no account, no profile, listed nowhere) and queues ONE bilingual invitation each through
the outbox; the refusal link forgets them; a verified sign-up accepts; unanswered
invitations are purged; every import is audited; bad files change nothing."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from announcements import delivery as outbox
from announcements.importing import MAX_BYTES, Outcome, email_digest, plan_import
from announcements.invitations import (
    accept_invitation,
    purge_unanswered_invitations,
    refusal_token,
)
from announcements.models import (
    Announcement,
    Delivery,
    InvitationImport,
    InvitationRefusal,
    Invitee,
)
from announcements.tasks import purge_unanswered_invitations_task
from core.access import CHAPTER_OFFICERS
from members.models import Profile, User
from tests.factories import member

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/announcements/invitationimport/import/"
HEADER = "nombre,correo,pais,sector,fuente\n"


def _csv(text, name="lista.csv", encoding="utf-8"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def _dry_run(client, upload, source="Consulado en Houston"):
    return client.post(IMPORT_URL, {"source": source, "file": upload})


def _confirm(client, response, capture):
    token = response.context["token"]
    assert token
    with capture(execute=True):
        return client.post(IMPORT_URL, {"confirm": token})


@pytest.fixture
def staff_client(client, ime_staff):
    client.force_login(ime_staff)
    return client


def test_the_dry_run_says_what_each_line_would_do_and_writes_nothing(staff_client):
    member(user__email="ya.miembro@example.org")
    Invitee.objects.create(email="ya.invitada@example.org", source="x", invited_at=timezone.now())
    InvitationRefusal.objects.create(
        digest=email_digest("rechazo@example.org"), refused_at=timezone.now()
    )
    upload = _csv(
        HEADER + "Rosa Díaz,rosa@example.org,México,tic,\n"
        "Ya Miembro,YA.MIEMBRO@example.org,US,,\n"
        "Ya Invitada,ya.invitada@example.org,Canada,salud,\n"
        "Rechazó,rechazo@example.org,,,\n"
        "Rosa otra vez,rosa@example.org,MX,,\n"
    )

    response = _dry_run(staff_client, upload)

    assert response.status_code == 200
    outcomes = [(line.number, line.outcome) for line in response.context["plan"].lines]
    assert outcomes == [
        (2, Outcome.NEW),
        (3, Outcome.MEMBER),
        (4, Outcome.INVITED),
        (5, Outcome.REFUSED),
        (6, Outcome.DUPLICATE),
    ]
    page = response.content.decode()
    assert "Nueva: recibirá una invitación" in page and "Repetida en el archivo" in page
    assert Invitee.objects.count() == 1
    assert not InvitationImport.objects.exists()
    assert not Announcement.objects.exists()


def test_confirming_invites_each_new_person_once_through_the_outbox_and_audits_the_import(
    staff_client, ime_staff, django_capture_on_commit_callbacks
):
    member(user__email="ya.miembro@example.org")
    upload = _csv(
        HEADER + "Rosa Díaz,rosa@example.org,México,tic,Lista PNCS TIC\n"
        "Luis Mora,luis@example.org,Alemania,Salud,\n"
        "Ya Miembro,ya.miembro@example.org,US,,\n"
        "Rosa otra vez,rosa@example.org,MX,,\n"
    )
    response = _confirm(
        staff_client, _dry_run(staff_client, upload), django_capture_on_commit_callbacks
    )

    assert response.status_code == 302
    rosa = Invitee.objects.get(email="rosa@example.org")
    assert (rosa.name, rosa.country.code, rosa.sector.slug, rosa.source) == (
        "Rosa Díaz",
        "MX",
        "tic",
        "Lista PNCS TIC",
    )
    assert Invitee.objects.get(email="luis@example.org").source == "Consulado en Houston"
    # No account, no profile: they appear in no search, directory or figure.
    assert not User.objects.filter(email__in=["rosa@example.org", "luis@example.org"]).exists()
    assert Profile.objects.count() == 1
    audit = InvitationImport.objects.get()
    assert audit.created_by == ime_staff
    assert audit.source == "Consulado en Houston" and audit.filename == "lista.csv"
    assert audit.counts == {"new": 2, "member": 1, "invited": 0, "refused": 0, "duplicate": 1}
    # The outbox sent one bilingual invitation each (the eager worker ran the batch).
    assert sorted(m.to[0] for m in mail.outbox) == ["luis@example.org", "rosa@example.org"]
    invitation = next(m for m in mail.outbox if m.to == ["rosa@example.org"])
    assert "Hola, Rosa Díaz:" in invitation.body and "Hello, Rosa Díaz," in invitation.body
    assert "Lista PNCS TIC" in invitation.body
    assert reverse("account_signup") in invitation.body
    token = refusal_token(rosa.pk)
    assert reverse("announcements:refuse_invitation", args=[token]) in invitation.body
    assert invitation.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    announcement = audit.announcement
    assert announcement.kind == Announcement.Kind.INVITATION
    assert announcement.status == Announcement.Status.SENT
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}

    # Exactly once: the dispatcher's pass and a batch run again send nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        outbox.dispatch_pending()
        first, last = Delivery.objects.order_by("pk").values_list("pk", flat=True)
        outbox.send_batch(announcement_id=announcement.pk, first_id=first, last_id=last)
    assert len(mail.outbox) == 2
    # A second import of the same people invites nobody.
    again = _dry_run(staff_client, _csv(HEADER + "Rosa Díaz,rosa@example.org,MX,,\n"))
    assert [line.outcome for line in again.context["plan"].lines] == [Outcome.INVITED]


def test_confirming_twice_with_the_same_review_imports_once(
    staff_client, django_capture_on_commit_callbacks
):
    response = _dry_run(staff_client, _csv(HEADER + "Rosa,rosa@example.org,,,\n"))
    _confirm(staff_client, response, django_capture_on_commit_callbacks)
    again = staff_client.post(IMPORT_URL, {"confirm": response.context["token"]})
    assert again.status_code == 302
    assert InvitationImport.objects.count() == 1 and Invitee.objects.count() == 1


def test_someone_who_joins_before_the_send_is_skipped_at_send_time(
    staff_client, django_capture_on_commit_callbacks
):
    response = _dry_run(staff_client, _csv(HEADER + "Rosa,rosa@example.org,,,\n"))
    member(user__email="rosa@example.org")  # signed up between the review and the send
    _confirm(staff_client, response, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert not Invitee.objects.exists()  # decided again at confirmation: already a member


@pytest.mark.parametrize(
    ("content", "name", "encoding", "expected"),
    [
        ("correo,pais\nrosa@example.org,MX\n", "a.csv", "utf-8", "faltan las columnas nombre"),
        (HEADER.replace("sector", "profesion"), "a.csv", "utf-8", "columnas desconocidas"),
        (HEADER + "Rosa,rosa(at)example.org,,,\n", "a.csv", "utf-8", "no es un correo válido"),
        (HEADER + "Rosa,rosa@example.org,Atlántida,,\n", "a.csv", "utf-8", "país desconocido"),
        (HEADER + "Rosa,rosa@example.org,,Minería,\n", "a.csv", "utf-8", "sector desconocido"),
        (HEADER + ",rosa@example.org,,,\n", "a.csv", "utf-8", "falta el nombre"),
        (HEADER + "José Núñez,jose@example.org,,,\n", "a.csv", "latin-1", "UTF-8"),
        (HEADER, "a.csv", "utf-8", "no tiene ninguna persona"),
        ("nombre\tcorreo\n", "a.pdf", "utf-8", "Sube un archivo .csv o .xlsx"),
        ("not a zip", "a.xlsx", "utf-8", "No se pudo leer el archivo XLSX"),
    ],
)
def test_a_bad_file_is_explained_and_changes_nothing(
    staff_client, content, name, encoding, expected
):
    response = _dry_run(staff_client, _csv(content, name, encoding))
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert response.context["token"] == ""
    assert not Invitee.objects.exists() and not InvitationImport.objects.exists()
    # Without a review in the session there is nothing to confirm.
    assert staff_client.post(IMPORT_URL, {"confirm": "anything"}).status_code == 302
    assert not Invitee.objects.exists()


def test_a_file_too_big_is_refused_before_it_is_read(staff_client):
    upload = _csv(HEADER + "x" * (MAX_BYTES + 1))
    response = _dry_run(staff_client, upload)
    assert "pesa más de 2 MB" in response.content.decode()
    assert not Invitee.objects.exists()


def test_the_errors_are_in_english_under_en(client, ime_staff):
    client.force_login(ime_staff)
    response = client.post(
        "/en" + IMPORT_URL,
        {"source": "Consulate", "file": _csv(HEADER + "Rosa,rosa@example.org,Atlantis,,\n")},
    )
    assert "unknown country: «Atlantis»" in response.content.decode()


def test_an_xlsx_file_is_read_like_a_csv(staff_client):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["name", "email", "country", "sector", "source"])
    sheet.append(["Rosa Díaz", "rosa@example.org", "Mexico", "tic", "PNCS"])
    data = io.BytesIO()
    workbook.save(data)
    upload = SimpleUploadedFile("list.xlsx", data.getvalue())
    response = _dry_run(staff_client, upload)
    [line] = response.context["plan"].lines
    assert (line.email, line.country, line.sector, line.outcome) == (
        "rosa@example.org",
        "MX",
        "tic",
        Outcome.NEW,
    )


def test_only_ime_staff_import(client, officer_a):
    client.force_login(officer_a)
    assert officer_a.groups.filter(name=CHAPTER_OFFICERS).exists()
    response = client.post(
        IMPORT_URL, {"source": "x", "file": _csv(HEADER + "R,r@example.org,,,\n")}
    )
    assert response.status_code == 403
    client.force_login(member())
    assert client.get(IMPORT_URL).status_code == 302  # to the admin's login
    assert not Invitee.objects.exists()


def _invitee(email="rosa@example.org", **fields):
    return Invitee.objects.create(
        email=email, name="Rosa", source="Lista", invited_at=timezone.now(), **fields
    )


def test_the_refusal_link_forgets_the_person_and_no_later_import_invites_them():
    from django.test import Client

    client = Client(enforce_csrf_checks=True)  # a mail client's one-click POST has no token
    rosa = _invitee()
    url = reverse("announcements:refuse_invitation", args=[refusal_token(rosa.pk)])
    page = client.get(url)
    assert page.status_code == 200 and Invitee.objects.exists()  # a GET changes nothing
    assert "Rechazar y borrar mis datos" in page.content.decode()

    response = client.post(url)  # one click (also what a mail client's POST does)

    assert response.status_code == 200
    assert "borramos tus datos" in response.content.decode()
    assert not Invitee.objects.exists()
    assert client.post(url).status_code == 200  # again: nothing left, same answer
    [refusal] = InvitationRefusal.objects.all()
    assert "rosa" not in refusal.digest
    plan = plan_import([["nombre", "correo"], ["Rosa", "ROSA@example.org"]], source="x")
    assert [line.outcome for line in plan.lines] == [Outcome.REFUSED]


def test_a_tampered_refusal_link_answers_400_and_changes_nothing(client):
    _invitee()
    response = client.post(reverse("announcements:refuse_invitation", args=["nope"]))
    assert response.status_code == 400
    assert Invitee.objects.count() == 1


def test_signing_up_with_the_invited_address_accepts_the_invitation(
    client, django_capture_on_commit_callbacks
):
    from tests.members.test_accounts import code_from, sign_up

    rosa = _invitee(email="nueva@example.org", country="MX")
    sign_up(client, django_capture_on_commit_callbacks, email="Nueva@example.org")
    rosa.refresh_from_db()
    assert rosa.status == Invitee.Status.INVITED  # an unverified address accepts nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_email_verification_sent"), {"code": code_from(mail.outbox[0])}
        )

    assert response.status_code == 302
    user = User.objects.get(email__iexact="nueva@example.org")
    rosa.refresh_from_db()
    assert rosa.status == Invitee.Status.ACCEPTED and rosa.user == user
    assert rosa.accepted_at is not None
    assert rosa.name == "" and not rosa.country  # the imported details are dropped
    assert accept_invitation(user=user, email=user.email) is False  # idempotent
    # A member now: the refusal link no longer forgets anyone.
    client.post(reverse("announcements:refuse_invitation", args=[refusal_token(rosa.pk)]))
    assert Invitee.objects.filter(pk=rosa.pk).exists()


def test_unanswered_invitations_are_purged_after_the_period_idempotently(settings):
    settings.INVITATION_RETENTION_DAYS = 30
    old = _invitee("vieja@example.org")
    Invitee.objects.filter(pk=old.pk).update(invited_at=timezone.now() - timedelta(days=31))
    recent = _invitee("reciente@example.org")
    accepted = _invitee("socia@example.org", status=Invitee.Status.ACCEPTED)
    Invitee.objects.filter(pk=accepted.pk).update(invited_at=timezone.now() - timedelta(days=400))

    assert purge_unanswered_invitations_task.delay().get() == 1
    assert purge_unanswered_invitations() == 0

    assert set(Invitee.objects.values_list("pk", flat=True)) == {recent.pk, accepted.pk}


def test_the_purge_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["announcements-purge-invitations"]
    assert entry["task"] == "announcements.tasks.purge_unanswered_invitations_task"


def test_an_accepted_invitation_is_in_the_data_export_and_goes_with_the_account():
    from announcements import personal_data
    from members.services import delete_account

    user = member()
    _invitee(email=user.email, status=Invitee.Status.ACCEPTED, user=user)
    assert personal_data.export(user)["invitation"]["source"] == "Lista"
    delete_account(user=user)
    assert not Invitee.objects.exists()
    assert Group.objects.exists()  # (the world is intact)
