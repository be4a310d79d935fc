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
    def _is_open(self) -> Q:
        today = timezone.localdate()
        return Q(
            Q(deadline__isnull=True) | Q(deadline__gte=today),
            status=self.model.Status.OPEN,
            pncs__is_active=True,
            invite_only=False,
        )

    def open(self):
        """Published, of an active PNCS, not past their deadline and not invite-only."""
        return self.filter(self._is_open())

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
        from .models import Interest

        # The row's own conditions, not `pk IN (every open opportunity)`: one page reads one
        # row.
        visible = self._is_open()
        if user.is_authenticated:
            visible |= Q(pk__in=self.managed_by(user).values("pk"))
            # A subquery, not a join: no row repeated per answer, so no DISTINCT to sort away.
            visible |= Q(pk__in=Interest.objects.filter(member=user).values("opportunity_id"))
        return self.filter(visible)


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
