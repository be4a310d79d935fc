"""Which profiles a caller may see or reach: the permission boundary of the members app."""

from django.db import models
from django.utils import timezone

from core.access import PNCS_COORDINATORS, in_group, is_ime_staff

# What a viewer may open of other members' profiles (ProfileQuerySet.visible_at).
NOTHING = "nothing"
OWN = "own"
MEMBERS = "members"
MEMBERS_AND_PNCS = "members+pncs"
EVERY_ACTIVE = "every active"


def profile_visibility(user) -> str:
    """NOTHING (signed out or inactive), OWN (address not verified), EVERY_ACTIVE (IME
    staff), MEMBERS_AND_PNCS (PNCS coordinators) or MEMBERS."""
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    if not user.email_verified:
        return OWN
    if is_ime_staff(user):
        return EVERY_ACTIVE
    if in_group(user, PNCS_COORDINATORS):
        return MEMBERS_AND_PNCS
    return MEMBERS


class ProfileQuerySet(models.QuerySet):
    def active(self):
        """Profiles of people who can use the site: active, verified, not deleted."""
        return self.filter(
            user__is_active=True, user__email_verified=True, user__deleted_at__isnull=True
        )

    def contactable_by_pncs(self):
        """Active profiles whose owner allowed PNCS coordinators to contact them."""
        return self.active().filter(pncs_contact=True)

    def listed(self):
        """Profiles whose owner chose to be visible to other members, by that choice alone:
        what the directory's indexes hold (members.directory checks the owner's account on
        the rows a page shows)."""
        return self.filter(directory_visibility=self.model.Visibility.MEMBERS)

    def visible_in_directory(self):
        """Active profiles whose owner chose to be visible to other members."""
        return self.active().filter(directory_visibility=self.model.Visibility.MEMBERS)

    def visible_to(self, user):
        """Profiles `user` may open: their own, plus what each owner's visibility allows.

        Verified members see "members" profiles; PNCS coordinators also "pncs" ones;
        IME staff every active profile. Anyone else sees nothing."""
        return self.visible_at(profile_visibility(user), viewer_id=user.pk)

    def visible_at(self, visibility: str, *, viewer_id):
        """The profiles a viewer of this `profile_visibility` may open (the conditions of
        `visible_to`)."""
        if visibility == NOTHING:
            return self.none()
        own = models.Q(pk=viewer_id)
        if visibility == OWN:
            return self.filter(own)
        # Conditions on the row itself (not `pk IN (every visible profile)`, which the
        # database would build in full for each lookup: 100 ms at 100,000 members).
        active = models.Q(
            user__is_active=True, user__email_verified=True, user__deleted_at__isnull=True
        )
        if visibility == EVERY_ACTIVE:
            return self.filter(own | active)
        levels = [self.model.Visibility.MEMBERS]
        if visibility == MEMBERS_AND_PNCS:
            levels.append(self.model.Visibility.PNCS)
        return self.filter(own | (active & models.Q(directory_visibility__in=levels)))

    def for_listing(self):
        """What a directory card shows, in a constant number of queries."""
        from .models import ProfileSector

        return (
            self.select_related("user")
            .prefetch_related(
                models.Prefetch(
                    "profile_sectors",
                    queryset=ProfileSector.objects.select_related("sector").order_by(
                        "-is_primary", "sector__order"
                    ),
                ),
                "expertise",
            )
            .order_by("paternal_surname", "given_names", "pk")
        )

    def for_detail(self):
        """The profile with all its relations, in a constant number of queries."""
        return self.for_listing().prefetch_related("languages", "contributions")

    def for_page(self):
        """What a profile page shows: the profile and its user (the lists come from
        members.profile_page.profile_for_page)."""
        return self.select_related("user")

    def with_seen_today(self, viewer_id, *, today=None):
        """Annotate `seen_today`: whether the viewer (by id) already opened the profile today
        (a second look is free under the daily cap: members.services.record_profile_view)."""
        from .models import ProfileView

        return self.annotate(
            seen_today=models.Exists(
                ProfileView.objects.filter(
                    viewer_id=viewer_id,
                    kind=ProfileView.Kind.PROFILE,
                    viewed_on=today or timezone.localdate(),
                    profile_id=models.OuterRef("pk"),
                )
            )
        )


class PrivacyNoticeQuerySet(models.QuerySet):
    def published(self):
        """Versions already published (a future publication date is not yet in force)."""
        return self.filter(published_at__isnull=False, published_at__lte=timezone.now())

    def in_force(self):
        """The published versions, the one in force (the newest) first."""
        return self.published().order_by("-version")

    def current(self):
        """The version in force: the newest published one, or None."""
        return self.in_force().first()


class ProfileViewQuerySet(models.QuerySet):
    def top_readers(self, *, day, limit: int = 50):
        """The readers of `day` who opened the most pages of members' data, most first: per
        reader (`viewer` id), the pages of each kind (`<kind>_pages`, a ProfileView.Kind
        value), the total and the cards their directory pages showed."""
        from django.db.models import Count, Q, Sum

        kinds = {
            f"{kind}_pages": Count("pk", filter=Q(kind=kind))
            for kind in self.model.Kind.values  # profile, directory, pncs_member
        }
        return (
            self.filter(viewed_on=day)
            .values("viewer")
            .annotate(
                total=Count("pk"),
                cards=Sum("row_count", filter=Q(kind=self.model.Kind.DIRECTORY), default=0),
                **kinds,
            )
            .order_by("-total", "viewer")[:limit]
        )
