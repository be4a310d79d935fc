"""What the pncs app counts for work programmes (members.progress): the opportunities a
PNCS published in a year (all, or of one kind) and the members it accepted for them."""

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from members.progress import PNCS, Item, Measure

from .models import Interest, Opportunity


def _published(year, kind=None):
    """Opportunities out of draft, by the year they were written (open or since closed,
    public or for invited members only)."""
    rows = Opportunity.objects.exclude(status=Opportunity.Status.DRAFT).filter(
        created_at__year=year
    )
    return rows.filter(kind=kind) if kind else rows


def _opportunity_counter(kind=None):
    def count(ids, year):
        rows = _published(year, kind).filter(pncs_id__in=ids)
        return dict(rows.values_list("pncs_id").annotate(n=Count("pk")).order_by())

    return count


def _opportunity_items(kind=None):
    def items(pncs_id, year):
        rows = _published(year, kind).filter(pncs_id=pncs_id).order_by("created_at", "pk")
        return [
            Item(
                timezone.localdate(o.created_at),
                o.title,
                reverse("pncs:opportunity_detail", args=[o.pk]),
            )
            for o in rows
        ]

    return items


def _accepted(ids, year):
    rows = Interest.objects.filter(
        status=Interest.Status.ACCEPTED, decided_at__year=year, opportunity__pncs_id__in=ids
    )
    return dict(rows.values_list("opportunity__pncs_id").annotate(n=Count("pk")).order_by())


MEASURES = [
    Measure(
        key="pncs.opportunities",
        label=_("Oportunidades publicadas (todas)"),
        subject=PNCS,
        count=_opportunity_counter(),
        items=_opportunity_items(),
    ),
    *(
        Measure(
            key=f"pncs.opportunities.{kind.value}",
            label=format_lazy(_("Oportunidades publicadas: {kind}"), kind=kind.label),
            subject=PNCS,
            count=_opportunity_counter(kind.value),
            items=_opportunity_items(kind.value),
        )
        for kind in Opportunity.Kind
    ),
    Measure(
        key="pncs.accepted",
        label=_("Personas aceptadas en oportunidades"),
        subject=PNCS,
        count=_accepted,
        people=True,
    ),
]
