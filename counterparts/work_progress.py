"""What counterparts counts for work programmes (members.progress): the organisations'
requests a PNCS triaged in a year, the organisations it verified, the engagements of its
sector begun and completed; for a chapter, the engagements its members began (the chapters
app's `member_groups` hook gives its memberships: counterparts does not import chapters)."""

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.plugins import app_modules
from members.progress import CHAPTER, PNCS, Item, Measure

from .models import Engagement, Organization, RequestEvent

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


def _begun(year):
    """Engagements opened in `year` and not cancelled (planned, active or completed)."""
    return Engagement.objects.filter(created_at__year=year).exclude(
        state=Engagement.State.CANCELLED
    )


def _count_begun(ids, year):
    rows = _begun(year).filter(sector__pncs__in=ids)
    return dict(rows.values_list("sector__pncs").annotate(n=Count("pk")).order_by())


def _count_completed(ids, year):
    rows = Engagement.objects.filter(
        state=Engagement.State.COMPLETED, completed_at__year=year, sector__pncs__in=ids
    )
    return dict(rows.values_list("sector__pncs").annotate(n=Count("pk")).order_by())


def _begun_items(pncs_id, year):
    rows = _begun(year).filter(sector__pncs=pncs_id).order_by("created_at", "pk")
    return [Item(timezone.localdate(e.created_at), e.title) for e in rows]


def _chapter_memberships(ids):
    hook = next(
        (module for _label, module in app_modules("member_groups") if module.KIND == "chapter"),
        None,
    )
    return hook.approved_memberships_of(ids) if hook is not None else None


def _count_members_engagements(ids, year):
    """Engagements begun in `year` by the approved members of each chapter (one counted
    for each chapter its member belongs to)."""
    memberships = _chapter_memberships(ids)
    if memberships is None:
        return {}
    begun = Q(user__profile__engagements__created_at__year=year) & ~Q(
        user__profile__engagements__state=Engagement.State.CANCELLED
    )
    rows = memberships.values_list("chapter_id").annotate(
        n=Count("user__profile__engagements", filter=begun)
    )
    return {chapter_id: n for chapter_id, n in rows.order_by() if n}


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
    Measure(
        key="counterparts.engagements",
        label=_("Colaboraciones con organizaciones iniciadas"),
        subject=PNCS,
        count=_count_begun,
        people=True,
        items=_begun_items,
    ),
    Measure(
        key="counterparts.engagements_completed",
        label=_("Colaboraciones con organizaciones concluidas"),
        subject=PNCS,
        count=_count_completed,
        people=True,
    ),
    Measure(
        key="counterparts.members_engagements",
        label=_("Colaboraciones iniciadas por sus miembros"),
        subject=CHAPTER,
        count=_count_members_engagements,
        people=True,
    ),
]
