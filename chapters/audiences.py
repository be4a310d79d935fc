"""The audiences chapters contribute to announcements (announcements.audiences): the
members of chapters and the confirmed registrants of Jornadas; and the chapters an officer
publishes for."""

from django.db.models import Q

from announcements.audiences import Audience

from .models import Chapter, Jornada, Membership, Registration
from .querysets import managed_chapter_ids


def _members_of(chapter_ids) -> Q:
    return Q(
        pk__in=Membership.objects.approved().filter(chapter_id__in=chapter_ids).values("user_id")
    )


def _registrants_of(jornada_ids) -> Q:
    return Q(
        pk__in=Registration.objects.confirmed().filter(jornada_id__in=jornada_ids).values("user_id")
    )


AUDIENCES = [
    Audience(
        field="audience_chapters",
        users=_members_of,
        officer_choices=Chapter.objects.managed_by,
    ),
    Audience(
        field="audience_jornadas",
        users=_registrants_of,
        # An officer's chapters' events only: never a network-wide Jornada.
        officer_choices=Jornada.objects.managed_by,
        staff_choices=lambda: Jornada.objects.order_by("-starts_at"),
    ),
]


def publisher_ids(user):
    """The chapters `user` currently officiates: the ones they publish announcements for."""
    return managed_chapter_ids(user).values_list("pk", flat=True)
