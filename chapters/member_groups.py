"""Chapters as groups of members, for other apps' member searches: the PNCS search finds
this module by its name (members.plugins.app_modules, like `<app>.personal_data`) and
filters on chapters without importing chapters."""

from .models import Chapter, Membership

KIND = "chapter"
# The choice's value and label: columns of `groups()`.
VALUE, LABEL = "slug", "name"


def groups():
    """Every chapter (a queryset the search lists by name)."""
    return Chapter.objects.all()


def memberships(values):
    """Approved memberships of the chapters whose slug is in `values` (a pending request
    is not membership); the search correlates them on `user_id`."""
    return Membership.objects.approved().filter(chapter__slug__in=values)


def approved_memberships_of(chapter_ids):
    """Approved memberships of the chapters with these ids: other apps count their
    members' activity for the chapters' work programmes (counterparts.work_progress)."""
    return Membership.objects.approved().filter(chapter_id__in=chapter_ids)
