"""Which chapter rows a caller may see or manage: the permission boundary of the chapters app.

Officer powers are computed here at request time from the officers' terms
(`Officer.objects.current()`): nobody flips a flag when a term ends.
"""

from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from core.access import is_ime_staff
from members.plugins import coordinated_sector_ids


def managed_chapter_ids(user, *, writable=False):
    """A subquery of the ids (`pk`) of the chapters `user` manages today (empty for others):
    the chapters they currently officiate and those of the regions they coordinate, never
    through a suspended term. `writable`: without the chapters IME suspended (their
    officers' tools are read-only)."""
    from .models import Chapter, Officer, RegionalCoordinator

    if not user.is_authenticated or not user.is_active:
        return Chapter.objects.none().values("pk")
    officiated = Officer.objects.current().active().filter(user=user).values("chapter_id")
    regions = RegionalCoordinator.objects.current().active().filter(user=user).values("region")
    chapters = Chapter.objects.filter(Q(pk__in=officiated) | Q(region__in=regions))
    if writable:
        chapters = chapters.filter(suspended_at__isnull=True)
    return chapters.values("pk")


def appointing_chapter_ids(user):
    """A subquery of the ids of the chapters whose officers `user` may appoint and end
    today: those they preside (or sit on the board of, when the chapter says the board
    appoints), and those of the regions they coordinate, not suspended, by an unsuspended
    current term (IME staff: every chapter). Within IME's roles either way
    (chapters.services.appoint_officer)."""
    from .models import Chapter, Officer, RegionalCoordinator

    if is_ime_staff(user):
        return Chapter.objects.values("pk")
    if not user.is_authenticated or not user.is_active:
        return Chapter.objects.none().values("pk")
    terms = Officer.objects.current().active().filter(user=user)
    presides = terms.filter(role=Officer.Role.PRESIDENT).values("chapter_id")
    on_board = terms.values("chapter_id")
    regions = RegionalCoordinator.objects.current().active().filter(user=user).values("region")
    return (
        Chapter.objects.filter(suspended_at__isnull=True)
        .filter(
            Q(pk__in=presides) | Q(pk__in=on_board, appointments_by="board") | Q(region__in=regions)
        )
        .values("pk")
    )


class ChapterQuerySet(models.QuerySet):
    def public(self):
        """Chapters the public sees: forming and formalised (inactive and suspended ones
        are hidden)."""
        return self.exclude(status=self.model.Status.INACTIVE).filter(suspended_at__isnull=True)

    def visible_to(self, user):
        """Public chapters, plus any chapter the user manages (IME staff: all)."""
        if is_ime_staff(user):
            return self.all()
        return self.filter(
            Q(pk__in=managed_chapter_ids(user))
            | (~Q(status="inactive") & Q(suspended_at__isnull=True))
        )

    def managed_by(self, user):
        """Chapters the user may manage: all for IME staff, their current chapters for officers."""
        if is_ime_staff(user):
            return self.all()
        return self.filter(pk__in=managed_chapter_ids(user))

    def with_member_count(self):
        """Annotate `member_count`: approved memberships, counted in SQL."""
        return self.annotate(
            member_count=Count("memberships", filter=Q(memberships__status="approved"))
        )

    def for_listing(self):
        """What the chapter list shows: areas of interest prefetched (the member counts come
        from chapters.page_cache.member_counts, one cached GROUP BY for every chapter)."""
        return self.prefetch_related("sectors").order_by("name")


class OfficerQuerySet(models.QuerySet):
    def current(self, today=None):
        """Officers whose term covers `today` (default: today in the site's time zone)."""
        today = today or timezone.localdate()
        return self.filter(term_start__lte=today).filter(
            Q(term_end__isnull=True) | Q(term_end__gte=today)
        )

    def active(self):
        """Terms IME has not suspended."""
        return self.filter(suspended_at__isnull=True)

    def managed_by(self, user):
        """Officer rows of the chapters the user manages."""
        if is_ime_staff(user):
            return self.all()
        return self.filter(chapter_id__in=managed_chapter_ids(user))


class MembershipQuerySet(models.QuerySet):
    def approved(self):
        """Members of their chapter (the audience of chapter announcements)."""
        return self.filter(status="approved")

    def pending(self):
        """Join requests waiting for a decision."""
        return self.filter(status="pending")

    def of_active_users(self):
        """Memberships of people who can still use the site (not deactivated or deleted)."""
        return self.filter(user__is_active=True, user__deleted_at__isnull=True)

    def managed_by(self, user):
        """Memberships of the chapters the user manages."""
        if is_ime_staff(user):
            return self.all()
        return self.filter(chapter_id__in=managed_chapter_ids(user))


class JornadaQuerySet(models.QuerySet):
    def published(self):
        """Jornadas and events the public can see."""
        return self.filter(is_published=True)

    def upcoming(self, now=None):
        """Not finished yet, soonest first."""
        return self.filter(ends_at__gte=now or timezone.now()).order_by("starts_at")

    def past(self, now=None):
        """Finished, most recent first."""
        return self.filter(ends_at__lt=now or timezone.now()).order_by("-starts_at")

    def open_to_proposals(self, now=None):
        """IME's network-wide Jornadas, published and not finished: what PNCS coordinators
        may propose agenda items, speakers and materials for."""
        return self.published().upcoming(now).filter(chapter__isnull=True)

    def managed_by(self, user):
        """IME staff: every Jornada; officers: their chapters' events (never network-wide)."""
        if is_ime_staff(user):
            return self.all()
        return self.filter(chapter_id__in=managed_chapter_ids(user))

    def visible_to(self, user):
        """Published ones, plus unpublished ones the user manages."""
        if is_ime_staff(user):
            return self.all()
        return self.filter(Q(is_published=True) | Q(chapter_id__in=managed_chapter_ids(user)))

    def with_counts(self):
        """Annotate `confirmed_count` and `waitlist_count` in SQL."""
        return self.annotate(
            confirmed_count=Count("registrations", filter=Q(registrations__status="confirmed")),
            waitlist_count=Count("registrations", filter=Q(registrations__status="waitlisted")),
        )

    def for_listing(self):
        """What the Jornada list shows: organising chapter joined, counts annotated."""
        return self.select_related("chapter").with_counts()


class RegistrationQuerySet(models.QuerySet):
    def confirmed(self):
        """Confirmed participants (the audience of a Jornada's announcements)."""
        return self.filter(status="confirmed")

    def waitlisted(self):
        """The waitlist, in the order it is served."""
        return self.filter(status="waitlisted").order_by("queued_at", "pk")

    def pending(self):
        return self.filter(status="pending")

    def active(self):
        """Registrations that hold or wait for a place."""
        return self.filter(status__in=["confirmed", "waitlisted", "pending"])

    def managed_by(self, user):
        """Registrations of the Jornadas the user manages."""
        if is_ime_staff(user):
            return self.all()
        return self.filter(jornada__chapter_id__in=managed_chapter_ids(user))


class MaterialQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Materials of the Jornadas the user may see: public ones; "registrants" ones for
        people with a confirmed place and for those who manage the Jornada (IME staff:
        all). The permission boundary of the material downloads (chapters.files)."""
        from .models import Jornada, Registration

        materials = self.filter(jornada__in=Jornada.objects.visible_to(user))
        if is_ime_staff(user):
            return materials
        public = Q(audience=self.model.Audience.PUBLIC, jornada__is_published=True)
        if not user.is_authenticated or not user.is_active:
            return materials.filter(public)
        registered = Exists(
            Registration.objects.confirmed().filter(jornada_id=OuterRef("jornada_id"), user=user)
        )
        managed = Q(jornada__chapter_id__in=managed_chapter_ids(user))
        return materials.filter(public | managed | registered)


class ChapterLineQuerySet(models.QuerySet):
    def managed_by(self, user):
        """Lines of the chapters the user manages (officers, regional coordinators, IME)."""
        if is_ime_staff(user):
            return self.all()
        return self.filter(chapter_id__in=managed_chapter_ids(user))

    def of_year(self, year):
        return self.filter(year=year)


class JornadaProposalQuerySet(models.QuerySet):
    def visible_to(self, user):
        """IME staff: every proposal; a coordinator: those of the sectors they coordinate
        today (another sector's: none); anyone else: none."""
        if not user.is_authenticated:
            return self.none()
        if is_ime_staff(user):
            return self.all()
        return self.filter(sector_id__in=coordinated_sector_ids(user))

    def pending(self):
        return self.filter(status="pending")
