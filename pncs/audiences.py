"""The audience PNCS contributes to announcements (announcements.audiences): the members
of sectors (opportunities go to the sectors they concern). IME staff only."""

from django.db.models import Q

from announcements.audiences import Audience


def _members_of(sector_ids) -> Q:
    # Profile sectors can repeat a person: announcements keeps one row per user.
    return Q(profile__profile_sectors__sector_id__in=sector_ids)


AUDIENCES = [Audience(field="audience_sectors", users=_members_of)]
