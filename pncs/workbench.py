"""What waits for PNCS coordinators and IME staff: answers to decide (in place) and draft
opportunities to review and publish (members.workbench)."""

from django.urls import reverse
from django.utils.translation import gettext

from members.models import public_name
from members.workbench import ROWS_PER_SECTION, Decision, Item, Section

from .access import can_use_pncs_area
from .models import Interest, Opportunity


def sections(user) -> list[Section]:
    if not can_use_pncs_area(user):
        return []
    back = {"next": reverse("members:workbench")}
    pending = Interest.objects.managed_by(user).filter(status=Interest.Status.PENDING)
    interests = []
    for interest in pending.select_related("member__profile", "opportunity").order_by(
        "created_at", "pk"
    )[:ROWS_PER_SECTION]:
        decide = reverse("pncs:interest_decide", args=[interest.pk])
        interests.append(
            Item(
                title=f"{public_name(interest.member)} → {interest.opportunity.title}",
                url=reverse("pncs:opportunity_manage", args=[interest.opportunity_id]),
                detail=interest.message,
                decisions=[
                    Decision(gettext("Aceptar"), decide, {"status": "accepted", **back}),
                    Decision(gettext("Preseleccionar"), decide, {"status": "shortlisted", **back}),
                    Decision(
                        gettext("Declinar"),
                        decide,
                        {"status": "declined", **back},
                        style="secondary",
                    ),
                ],
            )
        )
    drafts = Opportunity.objects.managed_by(user).filter(status=Opportunity.Status.DRAFT)
    draft_items = [
        Item(
            title=opportunity.title,
            url=reverse("pncs:opportunity_edit", args=[opportunity.pk]),
            detail=gettext("Borrador: revísala y publícala, o descártala."),
        )
        for opportunity in drafts.order_by("pk")[:ROWS_PER_SECTION]
    ]
    return [
        Section(
            key="interests",
            title=gettext("Respuestas a oportunidades por decidir"),
            items=interests,
            total=pending.count(),
            more_url=reverse("pncs:manage"),
            empty=gettext("No hay respuestas por decidir."),
        ),
        Section(
            key="opportunities",
            title=gettext("Oportunidades en borrador por revisar"),
            items=draft_items,
            total=drafts.count(),
            more_url=reverse("pncs:manage"),
            empty=gettext("No hay oportunidades en borrador."),
        ),
    ]
