"""Which surveys a member may see and answer."""

from django.db import models
from django.db.models import Exists, OuterRef, Q

from announcements.models import Delivery


class SurveyQuerySet(models.QuerySet):
    def open(self, now):
        """Surveys taking answers now (never the Jornada feedback template)."""
        return self.filter(is_template=False, opens_at__lte=now, closes_at__gt=now)

    def answerable_by(self, user, now):
        """Open surveys `user` may answer signed in: open to every member, or sent to them.
        (A personal link answers as its owner: surveys.mail_links.)"""
        if not user.is_authenticated:
            return self.none()
        invited = Delivery.objects.filter(
            announcement_id=OuterRef("invitation_id"), user_id=user.pk
        )
        return self.open(now).filter(Q(open_to_members=True) | Exists(invited))
