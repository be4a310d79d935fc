"""What waits for chapter officers and IME staff: join requests and Jornada registrations
awaiting approval, decided in place (members.workbench)."""

from django.urls import reverse
from django.utils.translation import gettext

from core.access import is_ime_staff
from members.models import public_name
from members.workbench import (
    ROWS_PER_SECTION,
    Decision,
    Item,
    Section,
    admin_change_url,
    admin_list_url,
)

from .models import Membership, Registration
from .querysets import managed_chapter_ids


def sections(user) -> list[Section]:
    if not (is_ime_staff(user) or managed_chapter_ids(user).exists()):
        return []
    decide = reverse("chapters:membership_decide")
    requests = Membership.objects.managed_by(user).pending()
    memberships = [
        Item(
            title=f"{public_name(m.user)} → {m.chapter.name}",
            url=admin_change_url(m),
            detail=m.message,
            decisions=[
                Decision(gettext("Aprobar"), decide, {"membership": m.pk, "decision": "approve"}),
                Decision(
                    gettext("Rechazar"),
                    decide,
                    {"membership": m.pk, "decision": "reject"},
                    reason_field="reason",
                    reason_label=gettext("Motivo del rechazo (se envía a la persona)"),
                    style="secondary",
                ),
            ],
        )
        for m in requests.select_related("user__profile", "chapter").order_by("requested_at", "pk")[
            :ROWS_PER_SECTION
        ]
    ]
    registrations = Registration.objects.managed_by(user).pending()
    jornada_rows = [
        Item(
            title=f"{public_name(r.user)} → {r.jornada.title}",
            url=admin_change_url(r),
        )
        for r in registrations.select_related("user__profile", "jornada").order_by("pk")[
            :ROWS_PER_SECTION
        ]
    ]
    return [
        Section(
            key="memberships",
            title=gettext("Solicitudes para unirse a un capítulo"),
            items=memberships,
            total=requests.count(),
            more_url=admin_list_url(Membership, "status__exact=pending"),
            empty=gettext("No hay solicitudes pendientes."),
        ),
        Section(
            key="registrations",
            title=gettext("Registros a Jornadas en espera de aprobación"),
            items=jornada_rows,
            total=registrations.count(),
            more_url=admin_list_url(Registration, "status__exact=pending"),
            empty=gettext("No hay registros en espera."),
        ),
    ]
