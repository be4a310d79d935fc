"""Which profiles a caller may see or reach: the permission boundary of the members app."""

from django.db import models


class ProfileQuerySet(models.QuerySet):
    def active(self):
        """Profiles of people who can use the site: active, verified, not deleted."""
        return self.filter(
            user__is_active=True, user__email_verified=True, user__deleted_at__isnull=True
        )

    def contactable_by_pncs(self):
        """Active profiles whose owner allowed PNCS coordinators to contact them."""
        return self.active().filter(pncs_contact=True)

    def visible_in_directory(self):
        """Active profiles whose owner chose to be visible to other members."""
        return self.active().filter(directory_visibility=self.model.Visibility.MEMBERS)
