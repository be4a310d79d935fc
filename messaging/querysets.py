"""Which threads and reports a person may see: the permission boundary of messaging."""

from django.db import models
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery


class ThreadQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Threads in which `user` is a participant (of either party); nobody else's."""
        if not user.is_authenticated:
            return self.none()
        from .models import Participant

        return self.filter(
            Exists(Participant.objects.filter(party__thread=OuterRef("pk"), user=user))
        )

    def for_inbox(self, user):
        """The user's threads, newest activity first, each with the other side's name
        (`other_label`), whether it holds messages the user has not read (`unread`) and
        whether either side blocked it (`blocked`): one query whatever the number of rows."""
        from .models import Participant, Party

        mine = Participant.objects.filter(party__thread=OuterRef("pk"), user=user)
        return (
            self.visible_to(user)
            .annotate(
                other_label=Subquery(
                    Party.objects.filter(thread=OuterRef("pk"))
                    .exclude(participants__user=user)
                    .order_by("pk")
                    .values("label")[:1]
                ),
                my_last_read=Subquery(mine.values("last_read_at")[:1]),
                blocked=Exists(
                    Party.objects.filter(thread=OuterRef("pk"), blocked_at__isnull=False)
                ),
            )
            .annotate(
                unread=ExpressionWrapper(
                    Q(last_message_at__isnull=False)
                    & ~Q(last_sender=user)
                    & (Q(my_last_read__isnull=True) | Q(last_message_at__gt=F("my_last_read"))),
                    output_field=BooleanField(),
                )
            )
            .order_by(F("last_message_at").desc(nulls_last=True), "-pk")
        )

    def unread_for(self, user):
        """The user's threads with messages they have not read."""
        return self.for_inbox(user).filter(unread=True)


class MessageReportQuerySet(models.QuerySet):
    def open(self):
        """Reports staff have not reviewed yet."""
        return self.filter(status="open")
