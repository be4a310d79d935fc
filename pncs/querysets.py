"""Which PNCS rows a caller may see or manage: the permission boundary of the pncs app."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.access import is_ime_staff


class PncsQuerySet(models.QuerySet):
    def active(self):
        """Contact points shown to the public."""
        return self.filter(is_active=True)

    def coordinated_by(self, user):
        """The active PNCS this user coordinates; every PNCS for IME staff."""
        if not user.is_authenticated:
            return self.none()
        if is_ime_staff(user):
            return self.all()
        return self.coordinated_by_member(user.pk)

    def coordinated_by_member(self, user_id):
        """The active PNCS the user with this id coordinates (what a coordinator who is not
        IME staff may use)."""
        return self.filter(is_active=True, coordinators=user_id)


class OpportunityQuerySet(models.QuerySet):
    def open(self):
        """Published, of an active PNCS, not past their deadline and not invite-only."""
        today = timezone.localdate()
        return self.filter(
            Q(deadline__isnull=True) | Q(deadline__gte=today),
            status=self.model.Status.OPEN,
            pncs__is_active=True,
            invite_only=False,
        )

    def managed_by(self, user):
        """Opportunities of the PNCS this user coordinates (all of them for IME staff)."""
        if not user.is_authenticated:
            return self.none()
        if is_ime_staff(user):
            return self.all()
        return self.filter(pncs__is_active=True, pncs__coordinators=user)

    def visible_to(self, user):
        """Open opportunities for everyone; closed ones stay visible to the members who
        answered them; drafts and closed ones to their managers."""
        visible = Q(pk__in=self.open().values("pk"))
        if user.is_authenticated:
            visible |= Q(pk__in=self.managed_by(user).values("pk"))
            visible |= Q(interests__member=user)
        return self.filter(visible).distinct()


class InterestQuerySet(models.QuerySet):
    def of_member(self, user):
        """A member's own answers."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(member=user)

    def managed_by(self, user):
        """Answers to the opportunities this user manages."""
        from .models import Opportunity

        return self.filter(opportunity__in=Opportunity.objects.managed_by(user).values("pk"))


class AffiliationQuerySet(models.QuerySet):
    def of_member(self, user):
        """A member's own declared affiliations."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(member=user)


class MemberExportQuerySet(models.QuerySet):
    def of_user(self, user):
        """The exports `user` asked for: nobody else's (their files are personal data)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def due_to_expire(self, now):
        """Written exports whose link has expired: their files are deleted."""
        return self.filter(status="ready", expires_at__lte=now)


class WorkLineQuerySet(models.QuerySet):
    def managed_by(self, user):
        """Lines of the PNCS this user coordinates (every line for IME staff)."""
        from .models import Pncs

        return self.filter(pncs__in=Pncs.objects.coordinated_by(user).values("pk"))

    def public(self):
        """Lines shown on the public programme pages: of active PNCS."""
        return self.filter(pncs__is_active=True)

    def of_year(self, year):
        return self.filter(year=year)
