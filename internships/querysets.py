"""Who may see which placement, student profile and application: the permission boundary
of internships. A host sees the applications to their own placements; the PNCS of a
placement's sector (and IME staff) those of the sector; a student only their own."""

from django.db import models
from django.db.models import Count, Q
from django.utils import timezone

from core.access import is_ime_staff


def _coordinated_sector(user):
    """The filter of rows whose sector has an active PNCS the user coordinates."""
    return Q(sector__pncs__is_active=True, sector__pncs__coordinators=user)


class PlacementQuerySet(models.QuerySet):
    def published(self):
        """Placements the PNCS approved: the only ones the public sees."""
        return self.filter(status="published")

    def with_taken_seats(self):
        """Each placement with `taken`: how many applications were accepted."""
        return self.annotate(
            taken=Count("applications", filter=Q(applications__status="accepted"), distinct=True)
        )

    def open(self, today=None):
        """Published, the deadline not passed and a seat left."""
        today = today or timezone.localdate()
        return (
            self.published()
            .filter(deadline__gte=today)
            .with_taken_seats()
            .filter(taken__lt=models.F("seats"))
        )

    def for_listing(self):
        """The public list: published, with sector, language and seats taken, by deadline."""
        return (
            self.published()
            .select_related("sector", "language")
            .with_taken_seats()
            .order_by("deadline", "pk")
        )

    def hosted_by(self, user):
        """The placements a member offers."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(host=user)

    def reviewable_by(self, user):
        """What the user may review: IME staff every placement; a coordinator those of the
        sectors of an active PNCS they coordinate."""
        if not user.is_authenticated:
            return self.none()
        if is_ime_staff(user):
            return self.all()
        return self.filter(_coordinated_sector(user)).distinct()


class StudentProfileQuerySet(models.QuerySet):
    def of_user(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)


class ApplicationQuerySet(models.QuerySet):
    def of_student(self, user):
        """A student's own applications."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(student=user)

    def decidable_by(self, user):
        """Applications the user may read (with the CV) and decide: to placements they
        host, to placements of a sector whose active PNCS they coordinate, or any for IME
        staff. Never a student's application to another placement."""
        if not user.is_authenticated:
            return self.none()
        if is_ime_staff(user):
            return self.all()
        return self.filter(
            Q(placement__host=user)
            | Q(
                placement__sector__pncs__is_active=True,
                placement__sector__pncs__coordinators=user,
            )
        ).distinct()

    def accepted(self):
        return self.filter(status="accepted")

    def standing(self):
        """Applications not withdrawn: their student still stands by them and consents to
        share the CV for them."""
        return self.exclude(status="withdrawn")
