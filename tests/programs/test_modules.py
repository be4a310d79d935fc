"""Modules, sessions and attendance (issue 23): the weighted stage average and completion
with per-stage thresholds, the by-module results import (all or nothing, line numbers),
the participant's view, attendance as a ranking tie-break, eligibility by residence."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from programs.admin import COMPUTED_RESULT_MESSAGE, IMPORT_REJECTED_MESSAGE, IMPORTED_MESSAGE
from programs.forms import STATE_REQUIRED_MESSAGE
from programs.grading import stage_result, weighted_average
from programs.models import Application, Attendance, Certificate, ModuleGrade
from programs.services import rank_candidates, save_result
from tests.factories import (
    ProgramFactory,
    StageFactory,
    member,
    modules_and_sessions,
    participant,
    program_staff_user,
    program_with_stages,
)

pytestmark = pytest.mark.django_db

IMPORT_URL = "admin:programs_enrolment_import"


def _csv(text):
    return SimpleUploadedFile("resultados.csv", text.encode("utf-8"), content_type="text/csv")


@pytest.fixture
def graded_cohort():
    """Stage 1 with modules ml 40, dl 40, openai 20 and 4 sessions; pass 70, 75 % attendance."""
    _program, stage1, stage2 = program_with_stages(seats=2)
    stage1.pass_grade = Decimal("70")
    stage1.min_attendance = Decimal("75")
    stage1.save(update_fields=["pass_grade", "min_attendance"])
    modules, sessions = modules_and_sessions(stage1)
    people = [participant(stage1) for _ in range(3)]
    return stage1, stage2, modules, sessions, people


@pytest.fixture
def staff_client(client):
    client.force_login(program_staff_user())
    return client


def test_the_stage_average_is_weighted_and_rounded_half_up():
    weights = {1: 40, 2: 40, 3: 20}
    grades = {1: Decimal("90"), 2: Decimal("80"), 3: Decimal("70.05")}
    # (36 + 32 + 14.01) = 82.01
    assert weighted_average(grades, weights) == Decimal("82.01")
    assert weighted_average({1: Decimal("1"), 2: Decimal("2")}, {1: 1, 2: 2}) == Decimal("1.67")


def test_a_missing_module_grade_means_no_average_and_no_completion():
    result = stage_result(
        grades={1: Decimal("100")},
        weights={1: 1, 2: 1},
        attended=4,
        sessions=4,
        pass_grade=Decimal("70"),
        min_attendance=Decimal("80"),
    )
    assert result.average is None
    assert result.completed is False


def test_completion_needs_both_the_pass_grade_and_the_attendance():
    common = {"grades": {1: Decimal("85")}, "weights": {1: 1}, "pass_grade": Decimal("70")}
    low_attendance = stage_result(**common, attended=3, sessions=5, min_attendance=Decimal("80"))
    assert (low_attendance.attendance, low_attendance.completed) == (Decimal("60.00"), False)
    enough = stage_result(**common, attended=4, sessions=5, min_attendance=Decimal("80"))
    assert (enough.attendance, enough.completed) == (Decimal("80.00"), True)
    no_sessions = stage_result(**common, attended=0, sessions=0, min_attendance=Decimal("80"))
    assert (no_sessions.attendance, no_sessions.completed) == (None, True)
    failed = stage_result(
        grades={1: Decimal("69.99")},
        weights={1: 1},
        pass_grade=Decimal("70"),
        attended=5,
        sessions=5,
        min_attendance=Decimal("80"),
    )
    assert failed.completed is False


def test_by_module_import_computes_average_attendance_completion_and_certificates(
    staff_client, graded_cohort, mailoutbox, django_capture_on_commit_callbacks
):
    stage1, _stage2, _modules, _sessions, (a, b, c) = graded_cohort
    ea, eb, ec = (e.application.user.email for e in (a, b, c))
    text = (
        "correo,ml,dl,openai,s01,s02,s03,s04\n"
        f"{ea},90,80,70,sí,sí,sí,no\n"  # 82.00, 75 %: completes
        f"{eb},95,95,95,sí,no,no,no\n"  # 95.00, 25 %: attendance too low
        f"{ec},100,,100,sí,sí,sí,sí\n"  # dl not graded yet: no average
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse(IMPORT_URL), {"stage": stage1.pk, "file": _csv(text)}, follow=True
        )
    assert str(IMPORTED_MESSAGE % {"count": 3, "stage": stage1.name}) in response.content.decode()
    for e in (a, b, c):
        e.refresh_from_db()
    assert (a.score, a.attendance, a.completed, a.certified) == (
        Decimal("82.00"),
        Decimal("75.00"),
        True,
        True,
    )
    assert (b.score, b.attendance, b.completed, b.certified) == (
        Decimal("95.00"),
        Decimal("25.00"),
        False,
        False,
    )
    assert (c.score, c.completed) == (None, False)
    assert ModuleGrade.objects.filter(enrolment=c).count() == 2
    assert Attendance.objects.filter(enrolment=a, attended=True).count() == 3
    assert list(Certificate.objects.values_list("enrolment_id", flat=True)) == [a.pk]
    # The new holder is told by mail, with the public verification link.
    assert [m.to for m in mailoutbox] == [[ea]]
    code = Certificate.objects.get().code
    assert f"/certificates/{code}/" in mailoutbox[0].body


def test_by_module_import_replaces_earlier_grades_and_honours_certified_no(
    staff_client, graded_cohort
):
    stage1, _stage2, _modules, _sessions, (a, _b, _c) = graded_cohort
    email = a.application.user.email
    first = f"correo,ml,dl,openai,s01,s02,s03,s04\n{email},50,50,50,sí,sí,sí,sí\n"
    staff_client.post(reverse(IMPORT_URL), {"stage": stage1.pk, "file": _csv(first)})
    second = f"correo,ml,dl,openai,s01,s02,s03,s04,certificado\n{email},88,88,88,sí,sí,sí,sí,no\n"
    staff_client.post(reverse(IMPORT_URL), {"stage": stage1.pk, "file": _csv(second)})
    a.refresh_from_db()
    assert (a.score, a.completed, a.certified) == (Decimal("88.00"), True, False)
    assert ModuleGrade.objects.filter(enrolment=a).count() == 3
    assert not Certificate.objects.exists()


def test_by_module_import_with_bad_lines_writes_nothing_and_names_each_line(
    staff_client, graded_cohort
):
    stage1, _stage2, _modules, _sessions, (a, b, _c) = graded_cohort
    ea, eb = a.application.user.email, b.application.user.email
    text = (
        "correo,ml,dl,openai,s01,s02,s03,s04,certificado\n"
        f"{ea},90,80,70,sí,sí,sí,sí,sí\n"
        f"{eb},101,80,abc,sí,quizá,sí,sí,\n"
        f"{ea},90,80,70,sí,sí,sí,sí,\n"
        "nadie@example.org,60,60,60,no,no,no,no,sí\n"
    )
    response = staff_client.post(reverse(IMPORT_URL), {"stage": stage1.pk, "file": _csv(text)})
    html = response.content.decode()
    assert str(IMPORT_REJECTED_MESSAGE) in html
    assert (
        "Línea 3: ml: debe estar entre 0 y 100; openai: «abc» no es un número; s02: debe ser sí o no."
        in html
    )
    assert f"Línea 4: el correo {ea} ya aparece en la línea 2." in html
    assert "Línea 5: nadie@example.org no participa en esta etapa." in html
    assert not ModuleGrade.objects.exists()
    assert not Attendance.objects.exists()
    a.refresh_from_db()
    assert a.score is None and not a.completed


def test_by_module_import_refuses_missing_or_unknown_columns(staff_client, graded_cohort):
    stage1, _stage2, _modules, _sessions, (a, _b, _c) = graded_cohort
    text = (
        f"correo,ml,dl,calificacion,s01,s02,s03,s04\n{a.application.user.email},1,1,1,sí,sí,sí,sí\n"
    )
    html = staff_client.post(
        reverse(IMPORT_URL), {"stage": stage1.pk, "file": _csv(text)}
    ).content.decode()
    assert "Línea 1: faltan las columnas openai; calificacion no son módulos ni sesiones" in html
    assert not ModuleGrade.objects.exists()


def test_by_module_import_refuses_to_certify_who_did_not_complete(staff_client, graded_cohort):
    stage1, _stage2, _modules, _sessions, (a, _b, _c) = graded_cohort
    email = a.application.user.email
    text = f"correo,ml,dl,openai,s01,s02,s03,s04,certificado\n{email},60,60,60,sí,sí,sí,sí,sí\n"
    html = staff_client.post(
        reverse(IMPORT_URL), {"stage": stage1.pk, "file": _csv(text)}
    ).content.decode()
    assert "Línea 2: no se puede certificar a quien no concluyó la etapa." in html
    assert not ModuleGrade.objects.exists()


def test_by_module_import_reads_xlsx(staff_client, graded_cohort):
    stage1, _stage2, _modules, _sessions, (a, _b, _c) = graded_cohort
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["email", "ML", "DL", "OpenAI", "s01", "s02", "s03", "s04"])
    sheet.append([a.application.user.email, 90.5, 80, 70, 1, 1, 1, 1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("resultados.xlsx", buffer.getvalue())
    staff_client.post(reverse(IMPORT_URL), {"stage": stage1.pk, "file": upload})
    a.refresh_from_db()
    assert (a.score, a.attendance, a.completed) == (Decimal("82.20"), Decimal("100.00"), True)


def test_staff_edit_a_module_grade_in_the_admin_and_the_average_follows(
    staff_client, graded_cohort
):
    _stage1, _stage2, modules, sessions, (a, _b, _c) = graded_cohort
    grades = [
        ModuleGrade.objects.create(enrolment=a, module=m, grade=Decimal("60")) for m in modules
    ]
    for s in sessions:
        Attendance.objects.create(enrolment=a, session=s, attended=True)
    url = reverse("admin:programs_enrolment_change", args=[a.pk])
    assert staff_client.get(url).status_code == 200
    data = {
        "score": "",
        "certified": "on",
        "grades-TOTAL_FORMS": "3",
        "grades-INITIAL_FORMS": "3",
        "attendances-TOTAL_FORMS": "4",
        "attendances-INITIAL_FORMS": "4",
    }
    for n, grade in enumerate(grades):
        data |= {
            f"grades-{n}-id": grade.pk,
            f"grades-{n}-enrolment": a.pk,
            f"grades-{n}-module": grade.module_id,
            f"grades-{n}-grade": "90" if n == 0 else "80",
        }
    for n, attendance in enumerate(Attendance.objects.filter(enrolment=a).order_by("pk")):
        data |= {
            f"attendances-{n}-id": attendance.pk,
            f"attendances-{n}-enrolment": a.pk,
            f"attendances-{n}-session": attendance.session_id,
            f"attendances-{n}-attended": "on",
        }
    response = staff_client.post(url, data)
    import re

    assert response.status_code == 302, re.findall(r"errorlist.{0,300}", response.content.decode())
    a.refresh_from_db()
    # 0.4·90 + 0.4·80 + 0.2·80 = 84
    assert (a.score, a.attendance, a.completed, a.certified) == (
        Decimal("84.00"),
        Decimal("100.00"),
        True,
        True,
    )
    assert Certificate.objects.filter(enrolment=a).exists()


def test_stage_admin_shows_modules_and_sessions_inlines(staff_client, graded_cohort):
    stage1, *_rest = graded_cohort
    html = staff_client.get(reverse("admin:programs_stage_change", args=[stage1.pk])).content
    assert b"modules-TOTAL_FORMS" in html and b"sessions-TOTAL_FORMS" in html
    assert b"https://aula.example.org/sesion-1" in html


def test_attendance_breaks_a_tie_between_equal_averages():
    _program, stage1, _stage2 = program_with_stages(seats=1)
    early = participant(stage1, score=Decimal("90"), completed=True)
    late = participant(stage1, score=Decimal("90"), completed=True)
    early.attendance, late.attendance = Decimal("80"), Decimal("100")
    early.save(update_fields=["attendance"])
    late.save(update_fields=["attendance"])
    ranking = rank_candidates(stage=stage1)
    assert [c.enrolment_id for c in ranking] == [late.pk, early.pk]
    late.attendance = Decimal("80")
    late.save(update_fields=["attendance"])
    # Equal attendance too: the earlier application goes first.
    assert [c.enrolment_id for c in rank_candidates(stage=stage1)] == [early.pk, late.pk]


def test_selection_page_states_the_ranking_rules(staff_client, graded_cohort):
    stage1, *_rest = graded_cohort
    html = staff_client.get(reverse("admin:programs_stage_select", args=[stage1.pk])).content
    assert b"la asistencia en esta etapa, de mayor a menor" in html


def test_participant_sees_grades_attendance_thresholds_and_session_links(client, graded_cohort):
    _stage1, _stage2, modules, sessions, (a, b, _c) = graded_cohort
    for module, grade in zip(modules, ("90", "80", "70"), strict=True):
        ModuleGrade.objects.create(enrolment=a, module=module, grade=Decimal(grade))
    Attendance.objects.create(enrolment=a, session=sessions[0], attended=True)
    a.score, a.attendance = Decimal("82.00"), Decimal("25.00")
    a.save(update_fields=["score", "attendance"])
    ModuleGrade.objects.create(enrolment=b, module=modules[0], grade=Decimal("12.34"))
    client.force_login(a.application.user)
    html = client.get(reverse("programs:mine")).content.decode()
    assert "Módulo ml" in html and "90.00" in html and "82.00" in html and "25.00 %" in html
    assert "promedio ponderado de al menos 70.00" in html and "al menos al 75.00 %" in html
    assert "https://aula.example.org/sesion-1" in html
    assert "12.34" not in html  # someone else's grade
    english = client.get("/en" + reverse("programs:mine")).content.decode()
    assert "Grades by module" in english


# --- Eligibility by residence ------------------------------------------------------------

APPLY = {
    "education_level": "licenciatura",
    "education_field": "Física",
    "institution": "Universidad",
    "nationality": "VE",
    "gender": "",
    "motivation": "Quiero aprender.",
}


def test_a_program_for_residents_of_mexico_asks_for_the_state_and_records_mexico(client):
    program = ProgramFactory(requires_residence_in_mexico=True)
    StageFactory(program=program, order=1)
    user = member()
    client.force_login(user)
    url = reverse("programs:apply", kwargs={"slug": program.slug})
    page = client.get(url).content.decode()
    assert 'name="residence_country"' not in page
    bad = client.post(url, APPLY)
    assert bad.status_code == 200
    assert not Application.objects.exists()
    client.post(url, {**APPLY, "state": "YUC"})
    application = Application.objects.get()
    # A foreign national living in Mexico is eligible (IA 1000).
    assert (application.residence_country, application.state, application.nationality) == (
        "MX",
        "YUC",
        "VE",
    )


def test_a_diaspora_program_does_not_demand_a_mexican_state(client):
    program = ProgramFactory(requires_residence_in_mexico=False)
    user = member()
    client.force_login(user)
    url = reverse("programs:apply", kwargs={"slug": program.slug})
    assert 'name="residence_country"' in client.get(url).content.decode()
    client.post(url, {**APPLY, "nationality": "MX", "residence_country": "US", "state": "JAL"})
    application = Application.objects.get()
    assert (application.residence_country, application.state) == ("US", "")


def test_a_diaspora_program_asks_the_state_of_those_living_in_mexico(client):
    program = ProgramFactory(requires_residence_in_mexico=False)
    client.force_login(member())
    url = reverse("programs:apply", kwargs={"slug": program.slug})
    response = client.post(url, {**APPLY, "residence_country": "MX", "state": ""})
    assert response.status_code == 200
    assert str(STATE_REQUIRED_MESSAGE) in response.content.decode()
    assert not Application.objects.exists()


def test_a_score_typed_in_the_results_list_of_a_stage_graded_by_module_is_refused(
    staff_client, graded_cohort
):
    """The average is computed from the module grades: typing one in the list changes
    nothing and says why, instead of being silently recomputed."""
    stage1, _stage2, modules, sessions, people = graded_cohort
    target = people[0]
    ModuleGrade.objects.bulk_create(
        ModuleGrade(enrolment=target, module=m, grade=Decimal("80")) for m in modules
    )
    Attendance.objects.bulk_create(
        Attendance(enrolment=target, session=s, attended=True) for s in sessions
    )
    save_result(enrolment=target)
    target.refresh_from_db()
    assert target.score == Decimal("80.00")
    url = reverse("admin:programs_enrolment_changelist") + f"?stage__id__exact={stage1.pk}"
    formset = staff_client.get(url).context["cl"].formset
    data = {
        "form-TOTAL_FORMS": str(len(formset.forms)),
        "form-INITIAL_FORMS": str(len(formset.forms)),
        "_save": "Guardar",
    }
    for n, form in enumerate(formset.forms):
        data[f"form-{n}-id"] = str(form.instance.pk)
        score = form.instance.score
        data[f"form-{n}-score"] = "" if score is None else str(score)
        if form.instance.completed:
            data[f"form-{n}-completed"] = "on"
        if form.instance.certified:
            data[f"form-{n}-certified"] = "on"
        if form.instance.pk == target.pk:
            data[f"form-{n}-score"] = "99.00"
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert str(COMPUTED_RESULT_MESSAGE) in response.content.decode()
    target.refresh_from_db()
    assert target.score == Decimal("80.00")
    # In English, the same refusal.
    response = staff_client.post("/en" + url, data)
    assert "This stage is graded by module" in response.content.decode()
