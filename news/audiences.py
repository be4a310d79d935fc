"""The audience news contributes to announcements (announcements.audiences): the
recipients of a digest group (news.digest writes them; never chosen by hand)."""

from django.db.models import Q

from announcements.audiences import Audience

from .models import DigestRecipient


def _recipients_of(digest_ids) -> Q:
    return Q(pk__in=DigestRecipient.objects.filter(digest_id__in=digest_ids).values("user_id"))


AUDIENCES = [Audience(field="audience_digests", users=_recipients_of)]
