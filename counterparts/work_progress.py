"""What counterparts counts for work programmes (members.progress): the organisations'
requests a PNCS triaged in a year, and the organisations it verified."""

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.progress import PNCS, Item, Measure

from .models import Organization, RequestEvent

TRIAGE_ACTIONS = (
    RequestEvent.Action.ACCEPTED,
    RequestEvent.Action.CHANGES,
    RequestEvent.Action.DECLINED,
)


def _triaged(year):
    """Each triage decision (accepted, changes asked, declined) dated in `year`, credited to
    the PNCS of the request's sector."""
    return RequestEvent.objects.filter(action__in=TRIAGE_ACTIONS, at__year=year)


def _count_triaged(ids, year):
    rows = _triaged(year).filter(request__sector__pncs__in=ids)
    return dict(rows.values_list("request__sector__pncs").annotate(n=Count("pk")).order_by())


def _triaged_items(pncs_id, year):
    rows = (
        _triaged(year)
        .filter(request__sector__pncs=pncs_id)
        .select_related("request")
        .order_by("at", "pk")
    )
    return [
        Item(timezone.localdate(e.at), f"{e.request.title} · {e.get_action_display()}")
        for e in rows
    ]


def _verified(year):
    return Organization.objects.filter(status=Organization.Status.VERIFIED, decided_at__year=year)


def _count_verified(ids, year):
    rows = _verified(year).filter(main_sector__pncs__in=ids)
    return dict(rows.values_list("main_sector__pncs").annotate(n=Count("pk")).order_by())


def _verified_items(pncs_id, year):
    rows = _verified(year).filter(main_sector__pncs=pncs_id).order_by("decided_at", "pk")
    return [Item(timezone.localdate(o.decided_at), o.legal_name) for o in rows]


MEASURES = [
    Measure(
        key="counterparts.requests_triaged",
        label=_("Solicitudes de organizaciones atendidas (triage)"),
        subject=PNCS,
        count=_count_triaged,
        items=_triaged_items,
    ),
    Measure(
        key="counterparts.organizations_verified",
        label=_("Organizaciones mexicanas verificadas"),
        subject=PNCS,
        count=_count_verified,
        items=_verified_items,
    ),
]
