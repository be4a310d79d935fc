"""Which organisations a person may see or act on: the permission boundary of counterparts."""

from datetime import datetime, time, timedelta

from django.db import models
from django.utils import timezone

from core.access import is_ime_staff
from core.business_days import add_business_days

# Business days the PNCS has to triage an organisation's request (issue 20).
TRIAGE_BUSINESS_DAYS = 10


def triage_due_on(submitted_at):
    """The last business day of the PNCS's triage of a request sent at `submitted_at`."""
    return add_business_days(timezone.localdate(submitted_at), TRIAGE_BUSINESS_DAYS)


def overdue_before(today=None):
    """The moment before which a request still waiting for triage is overdue `today`:
    the start of the day after the last submission day whose due date has passed."""
    today = today or timezone.localdate()
    day = today - timedelta(days=1)
    while add_business_days(day, TRIAGE_BUSINESS_DAYS) >= today:
        day -= timedelta(days=1)
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


class OrganizationQuerySet(models.QuerySet):
    def verified(self):
        """Organisations the PNCS verified: the only ones the public sees."""
        return self.filter(status="verified")

    def for_listing(self):
        """The public list: verified, with their sectors, by name."""
        return (
            self.verified()
            .select_related("main_sector")
            .prefetch_related("sectors")
            .order_by("legal_name")
        )

    def of_person(self, user):
        """Organisations the user acts for (owner or member)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(people__user=user)

    def owned_by(self, user):
        """Organisations the user manages (owner)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(people__user=user, people__role="owner")

    def reviewable_by(self, user):
        """What the user may verify: IME staff every organisation; a coordinator those whose
        main sector is that of an active PNCS they coordinate."""
        if not user.is_authenticated:
            return self.none()
        if is_ime_staff(user):
            return self.all()
        return self.filter(main_sector__pncs__is_active=True, main_sector__pncs__coordinators=user)


class InvitationQuerySet(models.QuerySet):
    def open(self):
        """Not accepted and not expired."""
        return self.filter(accepted_at__isnull=True, expires_at__gt=timezone.now())


class ExpertiseRequestQuerySet(models.QuerySet):
    def of_person(self, user):
        """Requests of the organisations the user acts for."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(organization__people__user=user)

    def triageable_by(self, user):
        """What the user may triage: IME staff every request; a coordinator those whose
        main sector is that of an active PNCS they coordinate."""
        if not user.is_authenticated:
            return self.none()
        if is_ime_staff(user):
            return self.all()
        return self.filter(sector__pncs__is_active=True, sector__pncs__coordinators=user)

    def awaiting_triage(self):
        return self.filter(status="submitted")

    def overdue(self, today=None):
        """Waiting for triage past the PNCS's 10 business days."""
        return self.awaiting_triage().filter(submitted_at__lt=overdue_before(today))


class MemberInvitationQuerySet(models.QuerySet):
    def of_member(self, user):
        """A member's own invitations."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(member=user)

    def pending(self):
        return self.filter(status="pending")

    def due_to_expire(self, now=None):
        """Pending invitations whose reply time has passed."""
        return self.pending().filter(expires_at__lte=now or timezone.now())


class EngagementQuerySet(models.QuerySet):
    def of_member(self, user):
        """The engagements of the network member `user`."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(member__user=user)

    def of_organization_person(self, user):
        """The engagements of the organisations `user` acts for."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(organization__people__user=user)

    def followed_by(self, user):
        """What a coordinator follows: IME staff every engagement; a coordinator those of
        the sectors of the active PNCS they coordinate."""
        if not user.is_authenticated:
            return self.none()
        if is_ime_staff(user):
            return self.all()
        return self.filter(sector__pncs__is_active=True, sector__pncs__coordinators=user)

    def involving(self, user):
        """The user's own engagements: as the network member, as the student and as a
        person of the organisation (subqueries, not joins: one row each)."""
        if not user.is_authenticated:
            return self.none()
        of_organization = self.model.objects.of_organization_person(user).values("pk")
        return self.filter(
            models.Q(member__user=user) | models.Q(student=user) | models.Q(pk__in=of_organization)
        )

    def visible_to(self, user):
        """Every engagement the user may open: their own (`involving`) and those their PNCS
        follows."""
        if not user.is_authenticated:
            return self.none()
        of_organization = self.model.objects.of_organization_person(user).values("pk")
        followed = self.model.objects.followed_by(user).values("pk")
        return self.filter(
            models.Q(member__user=user)
            | models.Q(student=user)
            | models.Q(pk__in=of_organization)
            | models.Q(pk__in=followed)
        )

    def open(self):
        """Planned or active."""
        return self.filter(state__in=("planned", "active"))
