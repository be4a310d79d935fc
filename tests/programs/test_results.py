"""Results: entry in the admin and CSV/XLSX import, validated row by row, all or nothing."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from programs.admin import IMPORT_REJECTED_MESSAGE, IMPORTED_MESSAGE
from programs.models import Certificate, Enrolment
from tests.factories import participant, program_staff_user, program_with_stages

pytestmark = pytest.mark.django_db

IMPORT_URL = "admin:programs_enrolment_import"


def _csv(text, name="resultados.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def _xlsx(rows, name="resultados.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def cohort():
    _program, stage1, stage2 = program_with_stages(seats=2)
    people = [participant(stage1) for _ in range(3)]
    return stage1, stage2, people


@pytest.fixture
def staff_client(client):
    client.force_login(program_staff_user())
    return client


def test_import_of_a_valid_csv_writes_every_result_and_issues_certificates(staff_client, cohort):
    stage1, _stage2, (a, b, c) = cohort
    emails = [e.application.user.email for e in (a, b, c)]
    text = (
        "correo,calificacion,concluyo,certificado\n"
        f"{emails[0]},95.50,sí,sí\n"
        f"{emails[1].upper()},80,si,no\n"
        f"{emails[2]},,no,no\n"
    )
    response = staff_client.post(
        reverse(IMPORT_URL), {"stage": stage1.pk, "file": _csv(text)}, follow=True
    )
    assert response.status_code == 200
    expected = str(IMPORTED_MESSAGE % {"count": 3, "stage": stage1.name})
    assert expected in response.content.decode()
    a.refresh_from_db()
    b.refresh_from_db()
    c.refresh_from_db()
    assert (a.score, a.completed, a.certified) == (Decimal("95.50"), True, True)
    assert (b.score, b.completed, b.certified) == (Decimal("80.00"), True, False)
    assert (c.score, c.completed) == (None, False)
    assert list(Certificate.objects.values_list("enrolment_id", flat=True)) == [a.pk]


def test_import_accepts_xlsx_with_english_headers(staff_client, cohort):
    stage1, _stage2, (a, b, _c) = cohort
    rows = [
        ["email", "score", "completed", "certified"],
        [a.application.user.email, 88.25, "yes", "yes"],
        [b.application.user.email, 70, 1, 0],
    ]
    staff_client.post(reverse(IMPORT_URL), {"stage": stage1.pk, "file": _xlsx(rows)})
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.score, a.certified) == (Decimal("88.25"), True)
    assert (b.score, b.completed, b.certified) == (Decimal("70.00"), True, False)


def test_import_with_bad_rows_is_rejected_whole_with_line_numbers(staff_client, cohort):
    stage1, _stage2, (a, b, c) = cohort
    text = (
        "correo,calificacion,concluyo,certificado\n"
        f"{a.application.user.email},90,sí,sí\n"  # line 2: fine
        f"{b.application.user.email},101,sí,no\n"  # line 3: out of range
        "nadie@example.org,80,sí,no\n"  # line 4: not a participant
        f"{c.application.user.email},7.555,sí,no\n"  # line 5: three decimals
        f"{a.application.user.email},90,sí,sí\n"  # line 6: duplicate
        f"{c.application.user.email},abc,quizá,sí\n"  # line 7: several problems
    )
    response = staff_client.post(reverse(IMPORT_URL), {"stage": stage1.pk, "file": _csv(text)})
    assert response.status_code == 200
    html = response.content.decode()
    assert str(IMPORT_REJECTED_MESSAGE) in html
    assert "Línea 3: la calificación debe estar entre 0 y 100." in html
    assert "Línea 4: nadie@example.org no participa en esta etapa." in html
    assert "Línea 5: la calificación tiene más de dos decimales." in html
    assert "Línea 6: el correo" in html and "ya aparece en la línea 2" in html
    assert "Línea 7:" in html and "no es un número" in html and "debe ser sí o no" in html
    assert "Línea 2" not in html
    assert not Enrolment.objects.filter(score__isnull=False).exists()
    assert not Certificate.objects.exists()


def test_import_refuses_certifying_someone_who_did_not_complete(staff_client, cohort):
    stage1, _stage2, (a, _b, _c) = cohort
    text = f"correo,calificacion,concluyo,certificado\n{a.application.user.email},90,no,sí\n"
    response = staff_client.post(reverse(IMPORT_URL), {"stage": stage1.pk, "file": _csv(text)})
    assert "Línea 2: no se puede certificar a quien no concluyó la etapa." in (
        response.content.decode()
    )
    a.refresh_from_db()
    assert a.score is None


def test_import_without_the_email_column_reports_line_one(staff_client, cohort):
    stage1, _stage2, _people = cohort
    response = staff_client.post(
        reverse(IMPORT_URL), {"stage": stage1.pk, "file": _csv("nombre,calificacion\nAna,90\n")}
    )
    assert "Línea 1: falta la columna «correo»." in response.content.decode()


@pytest.mark.parametrize(
    ("name", "content"),
    [("datos.txt", b"correo\n"), ("datos.xlsx", b"not a zip"), ("datos.csv", b"\xff\xfe\x00bad")],
)
def test_unreadable_files_are_refused_without_a_500(staff_client, cohort, name, content):
    stage1, _stage2, _people = cohort
    upload = SimpleUploadedFile(name, content)
    response = staff_client.post(reverse(IMPORT_URL), {"stage": stage1.pk, "file": upload})
    assert response.status_code == 200
    assert str(IMPORT_REJECTED_MESSAGE) in response.content.decode()


def test_import_view_is_closed_to_members_without_the_permission(client, cohort):
    from tests.factories import member, with_totp

    user = member()
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    with_totp(user)  # staff have a second factor: what is refused is the permission
    client.force_login(user)
    assert client.get(reverse(IMPORT_URL)).status_code == 403
    client.logout()
    response = client.get(reverse(IMPORT_URL))
    assert response.status_code == 302


def test_results_entered_in_the_admin_list_issue_a_certificate(staff_client, cohort):
    stage1, _stage2, (a, _b, _c) = cohort
    url = reverse("admin:programs_enrolment_changelist") + f"?stage__id__exact={stage1.pk}"
    page = staff_client.get(url)
    assert page.status_code == 200
    formset = page.context["cl"].formset
    data = {
        "form-TOTAL_FORMS": str(len(formset.forms)),
        "form-INITIAL_FORMS": str(len(formset.forms)),
        "_save": "Guardar",
    }
    for n, form in enumerate(formset.forms):
        data[f"form-{n}-id"] = str(form.instance.pk)
        if form.instance.pk == a.pk:
            data[f"form-{n}-score"] = "91.00"
            data[f"form-{n}-completed"] = "on"
            data[f"form-{n}-certified"] = "on"
        else:
            data[f"form-{n}-score"] = ""
    response = staff_client.post(url, data)
    assert response.status_code == 302
    a.refresh_from_db()
    assert (a.score, a.completed, a.certified) == (Decimal("91.00"), True, True)
    assert a.completed_on is not None
    assert Certificate.objects.get().enrolment_id == a.pk


def test_admin_entry_refuses_a_score_above_100(staff_client, cohort):
    _stage1, _stage2, (a, _b, _c) = cohort
    url = reverse("admin:programs_enrolment_change", args=[a.pk])
    response = staff_client.post(url, {"score": "120", "completed": "on"})
    assert response.status_code == 200
    a.refresh_from_db()
    assert a.score is None


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    table=st.lists(
        st.lists(
            st.text(max_size=30) | st.sampled_from(["sí", "no", "100.001", "NaN", "1e3"]),
            max_size=6,
        ),
        max_size=6,
    )
)
def test_validation_never_raises_on_arbitrary_tables(cohort, table):
    from programs.importing import validate_rows

    stage1, _stage2, _people = cohort
    header = [["correo", "calificacion", "concluyo", "certificado"]]
    rows, errors = validate_rows(stage=stage1, table=header + table)
    assert rows or errors
    assert all(error.startswith(("Línea", "El archivo")) for error in errors)
