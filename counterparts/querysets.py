"""Which organisations a person may see or act on: the permission boundary of counterparts."""

from django.db import models
from django.utils import timezone

from core.access import is_ime_staff


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
