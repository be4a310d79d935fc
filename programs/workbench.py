"""What waits for program staff: applications to decide and certificates to issue, per
program and stage (members.workbench)."""

from django.db.models import Count, Exists, OuterRef
from django.utils.translation import gettext

from core.language import by_language
from members.workbench import ROWS_PER_SECTION, Item, Section, admin_list_url

from .access import is_program_staff
from .models import Application, Certificate, Enrolment


def sections(user) -> list[Section]:
    if not is_program_staff(user):
        return []
    pending = (
        Application.objects.filter(status=Application.Status.APPLIED)
        .values("program", "program__name_es", "program__name_en")
        .annotate(n=Count("pk"))
        .order_by("program")
    )
    application_rows = list(pending[:ROWS_PER_SECTION])
    applications = [
        Item(
            title=by_language(row["program__name_es"], row["program__name_en"]),
            url=admin_list_url(
                Application, f"status__exact=applied&program__id__exact={row['program']}"
            ),
            detail=gettext("%(n)s solicitudes por decidir") % {"n": row["n"]},
        )
        for row in application_rows
    ]
    missing = (
        Enrolment.objects.filter(certified=True)
        .exclude(
            Exists(
                Certificate.objects.filter(
                    enrolment=OuterRef("pk"), kind=Certificate.Kind.CONSTANCIA
                )
            )
        )
        .values("stage", "stage__name_es", "stage__name_en", "stage__program__name_es")
        .annotate(n=Count("pk"))
        .order_by("stage")
    )
    certificate_rows = list(missing[:ROWS_PER_SECTION])
    certificates = [
        Item(
            title=f"{row['stage__program__name_es']} · "
            f"{by_language(row['stage__name_es'], row['stage__name_en'])}",
            url=admin_list_url(Enrolment, f"certified__exact=1&stage__id__exact={row['stage']}"),
            detail=gettext("%(n)s constancias por emitir") % {"n": row["n"]},
        )
        for row in certificate_rows
    ]
    return [
        Section(
            key="applications",
            title=gettext("Solicitudes a programas por decidir"),
            items=applications,
            total=sum(row["n"] for row in pending),
            more_url=admin_list_url(Application, "status__exact=applied"),
            empty=gettext("No hay solicitudes por decidir."),
        ),
        Section(
            key="certificates",
            title=gettext("Constancias por emitir"),
            items=certificates,
            total=sum(row["n"] for row in missing),
            more_url=admin_list_url(Enrolment, "certified__exact=1"),
            empty=gettext("No hay constancias pendientes."),
        ),
    ]
