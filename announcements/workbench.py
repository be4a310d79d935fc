"""What waits for whoever publishes announcements: drafts to finish and send, and sends
scheduled for later (members.workbench). Scoped like the announcement admin: IME staff
see every announcement, officers their chapters'."""

from django.utils import formats
from django.utils.translation import gettext

from core.access import is_ime_staff
from members.workbench import ROWS_PER_SECTION, Item, Section, admin_change_url, admin_list_url

from . import audiences
from .models import Announcement


def _in_scope(user):
    queryset = Announcement.objects.all()
    if is_ime_staff(user):
        return queryset
    return queryset.filter(chapter__in=audiences.publisher_ids(user))


def sections(user) -> list[Section]:
    if not user.has_perm("announcements.change_announcement"):
        return []
    if not (is_ime_staff(user) or len(audiences.publisher_ids(user))):
        return []
    waiting = _in_scope(user).filter(
        status__in=[Announcement.Status.DRAFT, Announcement.Status.SCHEDULED]
    )
    items = []
    for announcement in waiting.order_by("status", "scheduled_for", "pk")[:ROWS_PER_SECTION]:
        if announcement.status == Announcement.Status.SCHEDULED and announcement.scheduled_for:
            detail = gettext("Programado para el %(when)s") % {
                "when": formats.date_format(announcement.scheduled_for, "DATETIME_FORMAT")
            }
        else:
            detail = gettext("Borrador: revisa el público y envíalo o prográmalo.")
        items.append(
            Item(title=announcement.subject, url=admin_change_url(announcement), detail=detail)
        )
    return [
        Section(
            key="announcements",
            title=gettext("Avisos por enviar"),
            items=items,
            total=waiting.count(),
            more_url=admin_list_url(Announcement),
            empty=gettext("No hay avisos en borrador ni programados."),
        )
    ]
