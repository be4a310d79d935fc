"""Who receives an announcement, and who may send it to whom.

The audience is the union of the announcement's criteria, one message per person. Two
criteria belong to members and are read here (every member, members living in some
countries); the others are contributed by the apps that own their rows, through a module
`<app>.audiences` discovered like `<app>.personal_data` (members.plugins.app_modules):

- `AUDIENCES`: a list of `Audience`, each naming the Announcement many-to-many that holds
  its choice and turning the chosen rows into a filter on users (chapters: members of
  chapters, registrants of Jornadas; pncs: members of sectors; programs: applicants to
  programs, the cohort of a stage);
- `publisher_ids(user)` (optional): the ids of the chapters `user` publishes for as an
  officer (the announcement's `chapter`), a flat values queryset: the scope of officers.

This app never imports the apps that plug in; they import it.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from core.access import is_ime_staff
from members.plugins import app_modules

from .models import KIND_FLAGS, Announcement

# The kinds an officer may send (their chapter's news and events); the others are IME's.
OFFICER_KINDS = (Announcement.Kind.CHAPTER, Announcement.Kind.JORNADAS)
# Criteria of members' own (not contributed by an app): IME staff only.
MEMBER_FIELDS = ("audience_all_members", "audience_countries")


@dataclass(frozen=True)
class Audience:
    """One criterion of the audience, contributed by the app owning its rows."""

    # The Announcement many-to-many that holds the chosen rows.
    field: str
    # The people of the chosen rows (their ids), as a filter on users.
    users: Callable[[list[int]], Q]
    # What an officer may choose, given the user (None: IME staff only).
    officer_choices: Callable[[object], QuerySet] | None = None
    # The choices offered to IME staff, in the order they read best (None: the model's).
    staff_choices: Callable[[], QuerySet] | None = None

    def chosen_ids(self, announcement) -> list[int]:
        # .all(): a prefetched announcement answers without a query.
        return [row.pk for row in getattr(announcement, self.field).all()]


@functools.cache
def _hooks() -> tuple:
    # This module has the hook's name too: it is the host, not a contributor.
    return tuple(module for label, module in app_modules("audiences") if label != "announcements")


def contributed() -> list[Audience]:
    """Every installed app's audiences, in INSTALLED_APPS order."""
    return [audience for module in _hooks() for audience in getattr(module, "AUDIENCES", ())]


def by_field() -> dict[str, Audience]:
    return {audience.field: audience for audience in contributed()}


def staff_only_fields() -> list[str]:
    """The criteria an officer may not use (the admin hides them from officers)."""
    return [
        *MEMBER_FIELDS,
        *(a.field for a in contributed() if a.officer_choices is None),
    ]


def publisher_ids(user):
    """The ids of the chapters `user` publishes for as an officer: the hook's flat values
    queryset (usable as a subquery), or a list (empty when no installed app provides one)."""
    providers = [module.publisher_ids for module in _hooks() if hasattr(module, "publisher_ids")]
    if len(providers) == 1:
        return providers[0](user)
    return sorted({pk for provider in providers for pk in provider(user)})


def audience_filter(announcement) -> Q | None:
    """The union of the announcement's criteria as one filter on users (None: no criterion)."""
    parts = []
    for audience in contributed():
        chosen = audience.chosen_ids(announcement)
        if chosen:
            parts.append(audience.users(chosen))
    if announcement.audience_all_members:
        parts.append(Q(profile__isnull=False))
    countries = [str(c) for c in announcement.audience_countries]
    if countries:
        parts.append(Q(profile__country__in=countries))
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return combined


def eligible_users(kind: str):
    """People who may receive an announcement of `kind` now: active, verified, opted in."""
    return get_user_model().objects.filter(
        is_active=True,
        deleted_at__isnull=True,
        email_verified=True,
        **{f"profile__{KIND_FLAGS[kind]}": True},
    )


def recipient_ids(announcement, criteria: Q | None = None):
    """Ids of the people who receive it, once each (a values queryset, never loaded whole).
    `criteria`: the announcement's `audience_filter`, when the caller has it already."""
    User = get_user_model()
    criteria = audience_filter(announcement) if criteria is None else criteria
    if criteria is None:
        return User.objects.none().values_list("pk", flat=True)
    # A join (sectors, say) can repeat a person: a subquery keeps one row per user.
    matching = User.objects.filter(criteria).values("pk")
    return (
        eligible_users(announcement.kind)
        .filter(pk__in=matching)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def can_send(user, announcement) -> bool:
    """IME staff may target anyone; an officer only what each audience lets officers choose
    (their current chapters' members, their chapters' events' registrants), in
    announcements their chapter publishes."""
    if is_ime_staff(user):
        return True
    if not user.is_authenticated or not user.is_staff:
        return False
    managed = set(publisher_ids(user))
    if not managed or announcement.chapter_id not in managed:
        return False
    if announcement.kind not in OFFICER_KINDS:
        return False
    if announcement.audience_all_members or announcement.audience_countries:
        return False
    for audience in contributed():
        chosen = audience.chosen_ids(announcement)
        if not chosen:
            continue
        if audience.officer_choices is None:
            return False
        allowed = audience.officer_choices(user).filter(pk__in=chosen).count()
        if allowed != len(set(chosen)):
            return False
    return True
