"""What chapters counts for work programmes (members.progress): a chapter's events held in
a year, the members it welcomed, and the people who attended its events; for a PNCS, its
contributions to IME's Jornadas that IME accepted (agenda items, speakers, materials). The
PNCS of a proposal is found through its sector's reverse relation (`sector__pncs`, a lookup
by name: chapters imports nothing of pncs)."""

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.progress import CHAPTER, PNCS, Item, Measure

from .models import Jornada, JornadaProposal, Membership, Registration


def _events(year):
    return Jornada.objects.published().filter(chapter__isnull=False, starts_at__year=year)


def _count_events(ids, year):
    rows = _events(year).filter(chapter_id__in=ids)
    return dict(rows.values_list("chapter_id").annotate(n=Count("pk")).order_by())


def _event_items(chapter_id, year):
    rows = _events(year).filter(chapter_id=chapter_id).order_by("starts_at", "pk")
    return [Item(timezone.localdate(j.starts_at), j.title, j.get_absolute_url()) for j in rows]


def _count_members(ids, year):
    rows = Membership.objects.approved().filter(chapter_id__in=ids, decided_at__year=year)
    return dict(rows.values_list("chapter_id").annotate(n=Count("pk")).order_by())


def _count_participants(ids, year):
    rows = Registration.objects.confirmed().filter(
        jornada__in=_events(year).filter(chapter_id__in=ids)
    )
    return dict(rows.values_list("jornada__chapter_id").annotate(n=Count("pk")).order_by())


def _contributions(year):
    return JornadaProposal.objects.filter(
        status=JornadaProposal.Status.ACCEPTED, decided_at__year=year
    )


def _count_contributions(ids, year):
    rows = _contributions(year).filter(sector__pncs__in=ids)
    return dict(rows.values_list("sector__pncs").annotate(n=Count("pk")).order_by())


def _contribution_items(pncs_id, year):
    rows = (
        _contributions(year)
        .filter(sector__pncs=pncs_id)
        .select_related("jornada")
        .order_by("decided_at", "pk")
    )
    return [
        Item(
            timezone.localdate(p.decided_at),
            f"{p.jornada.title} · {p.get_kind_display()}: {p.title_es or p.name}",
            p.jornada.get_absolute_url(),
        )
        for p in rows
    ]


MEASURES = [
    Measure(
        key="chapters.events",
        label=_("Jornadas y eventos del capítulo realizados"),
        subject=CHAPTER,
        count=_count_events,
        items=_event_items,
    ),
    Measure(
        key="chapters.new_members",
        label=_("Nuevos miembros aprobados"),
        subject=CHAPTER,
        count=_count_members,
        people=True,
    ),
    Measure(
        key="chapters.participants",
        label=_("Participantes confirmados en sus eventos"),
        subject=CHAPTER,
        count=_count_participants,
        people=True,
    ),
    Measure(
        key="chapters.jornada_contributions",
        label=_("Aportaciones a las Jornadas del IME aceptadas"),
        subject=PNCS,
        count=_count_contributions,
        items=_contribution_items,
    ),
]
