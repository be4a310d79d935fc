"""What waits for PNCS coordinators and IME staff in counterparts (members.workbench):
organisations' requests to triage, by the PNCS's deadline of 10 business days, overdue
first."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from members.workbench import ROWS_PER_SECTION, Item, Section
from pncs.access import can_use_pncs_area

from .models import ExpertiseRequest
from .querysets import triage_due_on


def sections(user) -> list[Section]:
    if not can_use_pncs_area(user):
        return []
    waiting = ExpertiseRequest.objects.triageable_by(user).awaiting_triage()
    today = timezone.localdate()
    items = []
    for expertise_request in waiting.select_related("organization").order_by("submitted_at", "pk")[
        :ROWS_PER_SECTION
    ]:
        due = triage_due_on(expertise_request.submitted_at)
        items.append(
            Item(
                title=f"{expertise_request.organization.legal_name}: {expertise_request.title}",
                url=reverse("counterparts:triage", args=[expertise_request.pk]),
                detail=expertise_request.get_kind_display(),
                due=due,
                overdue=due < today,
            )
        )
    return [
        Section(
            key="expertise_requests",
            title=gettext("Solicitudes de organizaciones por revisar"),
            items=items,
            total=waiting.count(),
            more_url=reverse("counterparts:triage_list"),
            empty=gettext("No hay solicitudes de organizaciones por revisar."),
        )
    ]
