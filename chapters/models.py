"""Chapters, their officers and memberships; Jornadas Informativas with agenda and registration."""

import secrets
import zoneinfo
from pathlib import Path

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import ordinal as humanize_ordinal
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from core.images import clean_logo
from core.language import by_language, is_english
from core.worldmap import project
from members.models import Sector, public_name
from members.progress import FIRST_YEAR
from members.storage import public_storage

from .querysets import (
    ChapterLineQuerySet,
    ChapterQuerySet,
    JornadaProposalQuerySet,
    JornadaQuerySet,
    MaterialQuerySet,
    MembershipQuerySet,
    OfficerQuerySet,
    RegistrationQuerySet,
)

# Reserved by the URLconf: /jornadas/feed.ics is the calendar feed, never a Jornada.
RESERVED_JORNADA_SLUGS = ("feed",)
MAX_MATERIAL_BYTES = 20 * 1024 * 1024
MATERIAL_EXTENSIONS = {
    # extension -> the magic bytes its content must start with
    ".pdf": (b"%PDF-",),
    ".pptx": (b"PK\x03\x04",),
    ".odp": (b"PK\x03\x04",),
    ".key": (b"PK\x03\x04",),
    ".ppt": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
}
MATERIAL_SIZE_MESSAGE = _("El archivo pesa más de 20 MB. Sube una versión más ligera.")
MATERIAL_TYPE_MESSAGE = _("Sube un PDF o una presentación (PPTX, PPT, ODP o Keynote).")
RESERVED_SLUG_MESSAGE = _("Este identificador está reservado. Elige otro.")
TIMEZONE_MESSAGE = _("Escribe una zona horaria válida, por ejemplo America/Mexico_City.")
DATES_ORDER_MESSAGE = _("Elige una fecha de término posterior a la de inicio.")
WINDOW_ORDER_MESSAGE = _("Elige un cierre de registro posterior a su apertura.")


def validate_not_reserved_slug(value):
    if value in RESERVED_JORNADA_SLUGS:
        raise ValidationError(RESERVED_SLUG_MESSAGE, code="reserved")


def validate_timezone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(TIMEZONE_MESSAGE, code="timezone")


def validate_material(upload):
    """Size cap, then the extension and the first bytes must agree (content, not name)."""
    if upload.size > MAX_MATERIAL_BYTES:
        raise ValidationError(MATERIAL_SIZE_MESSAGE, code="too_large")
    extension = Path(upload.name).suffix.lower()
    magics = MATERIAL_EXTENSIONS.get(extension)
    if not magics:
        raise ValidationError(MATERIAL_TYPE_MESSAGE, code="type")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in magics):
        raise ValidationError(MATERIAL_TYPE_MESSAGE, code="type")


def validate_logo(upload):
    """Size, pixel count (decompression bombs) and format, read from the content (the rule
    of every logo: core.images.clean_logo)."""
    clean_logo(upload)


def material_upload_to(instance, filename):
    # A random stored name: the uploader's file name never becomes a path.
    return f"jornadas/materials/{secrets.token_hex(16)}{Path(filename).suffix.lower()}"


MAX_STATUTES_BYTES = 10 * 1024 * 1024
STATUTES_MESSAGE = _("Sube los estatutos como PDF de hasta 10 MB.")


def validate_statutes(upload):
    """A PDF of at most 10 MB, recognised by its first bytes (content, not name)."""
    if upload.size > MAX_STATUTES_BYTES or Path(upload.name).suffix.lower() != ".pdf":
        raise ValidationError(STATUTES_MESSAGE, code="statutes")
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head != b"%PDF-":
        raise ValidationError(STATUTES_MESSAGE, code="statutes")


def statutes_upload_to(instance, filename):
    # Private storage, a random name: served by chapters.files to who may see it.
    return f"chapters/statutes/{secrets.token_hex(16)}.pdf"


def logo_upload_to(instance, filename):
    return f"chapters/logos/{secrets.token_hex(16)}{Path(filename).suffix.lower()}"


class Chapter(models.Model):
    """A regional chapter of the network, autonomous in its areas of interest."""

    class Status(models.TextChoices):
        FORMING = "forming", _("En formación")
        FORMALIZED = "formalized", _("Formalizado")
        INACTIVE = "inactive", _("Inactivo")

    class Region(models.TextChoices):
        NORTH_AMERICA = "north-america", _("Norteamérica")
        EUROPE = "europe", _("Europa")
        LATIN_AMERICA = "latin-america", _("América Latina")
        ASIA_PACIFIC = "asia-pacific", _("Asia-Pacífico")
        OTHER = "other", _("Otra región")

    name = models.CharField(_("nombre"), max_length=120)
    slug = models.SlugField(_("identificador"), max_length=80, unique=True)
    city = models.CharField(_("ciudad"), max_length=100)
    country = CountryField(_("país"))
    region = models.CharField(_("región"), max_length=20, choices=Region.choices)
    status = models.CharField(
        _("estado"), max_length=12, choices=Status.choices, default=Status.FORMING
    )
    formalized_on = models.DateField(_("fecha de formalización"), null=True, blank=True)
    description_es = models.TextField(_("descripción (español)"), blank=True)
    description_en = models.TextField(_("descripción (inglés)"), blank=True)
    contact_email = models.EmailField(_("correo de contacto"), blank=True)
    website = models.URLField(_("sitio web"), blank=True)
    linkedin_url = models.URLField(_("LinkedIn"), blank=True)
    # Public (members.storage): served at a stable URL to anyone, like the chapter's page.
    logo = models.ImageField(
        _("logotipo"),
        upload_to=logo_upload_to,
        storage=public_storage,
        blank=True,
        validators=[validate_logo],
    )
    # The chapter's own areas of interest, in its words (one per line), and, separately,
    # the PNCS sectors it works with.
    interests_es = models.TextField(
        _("áreas de interés (español)"), blank=True, help_text=_("Una por línea.")
    )
    interests_en = models.TextField(
        _("áreas de interés (inglés)"), blank=True, help_text=_("Una por línea.")
    )
    sectors = models.ManyToManyField(
        Sector,
        related_name="chapters",
        blank=True,
        verbose_name=_("sectores del PNCS con los que trabaja"),
    )
    # The chapter's statutes (issue 21): a PDF in the private storage, public or for its
    # officers (and IME) only, as the officers choose (chapters.files serves it).
    statutes = models.FileField(
        _("estatutos"),
        upload_to=statutes_upload_to,
        blank=True,
        validators=[validate_statutes],
    )
    statutes_public = models.BooleanField(_("estatutos públicos"), default=False)
    statutes_updated_at = models.DateTimeField(
        _("estatutos actualizados el"), null=True, blank=True
    )
    appointments_by = models.CharField(
        _("quién nombra a la mesa directiva"),
        max_length=10,
        choices=[("president", _("La presidencia")), ("board", _("La mesa directiva"))],
        default="president",
    )
    # IME's power: a suspended chapter is hidden from the public and its officers' tools
    # are read-only (chapters.querysets.managed_chapter_ids(writable=True)).
    suspended_at = models.DateTimeField(_("suspendido el"), null=True, blank=True)
    suspension_reason = models.TextField(_("motivo de la suspensión"), blank=True)
    latitude = models.DecimalField(
        _("latitud"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitud"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ChapterQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("capítulo")
        verbose_name_plural = _("capítulos")
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="chapters_chapter_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="chapters_chapter_longitude_range",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("chapters:detail", kwargs={"slug": self.slug})

    @property
    def description(self):
        return by_language(self.description_es, self.description_en)

    @property
    def interests(self):
        """The chapter's own areas of interest in the active language, one per line."""
        text = by_language(self.interests_es, self.interests_en)
        return [line.strip() for line in text.splitlines() if line.strip()]

    @property
    def map_point(self):
        """(x, y) of the chapter on the world map (core.worldmap), None without coordinates."""
        if self.longitude is None or self.latitude is None:
            return None
        return project(float(self.longitude), float(self.latitude))

    @property
    def map_x(self):
        point = self.map_point
        return point[0] if point else None

    @property
    def map_y(self):
        point = self.map_point
        return point[1] if point else None


class Officer(models.Model):
    """A chapter's officer for a term. Powers exist only while the term is current."""

    class Role(models.TextChoices):
        PRESIDENT = "president", _("Presidente")
        VICE_PRESIDENT = "vice-president", _("Vicepresidente")
        SECRETARY = "secretary", _("Secretario")
        TREASURER = "treasurer", _("Tesorero")
        MEMBER = "member", _("Vocal")

    chapter = models.ForeignKey(
        Chapter, on_delete=models.CASCADE, related_name="officers", verbose_name=_("capítulo")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="chapter_officer_terms",
        verbose_name=_("persona"),
    )
    role = models.CharField(_("cargo"), max_length=20, choices=Role.choices)
    term_start = models.DateField(_("inicio del periodo"))
    term_end = models.DateField(_("fin del periodo"), null=True, blank=True)
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nombrado por"),
    )
    # IME's power: a suspended officer loses their powers at once (managed_chapter_ids).
    suspended_at = models.DateTimeField(_("suspendido el"), null=True, blank=True)

    objects = OfficerQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["chapter", "role", "term_start"]
        verbose_name = _("mesa directiva (cargo)")
        verbose_name_plural = _("mesa directiva (cargos)")
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gte=models.F("term_start")),
                name="chapters_officer_term_order",
            )
        ]

    def __str__(self):
        return f"{self.get_role_display()} · {self.chapter_id}"

    def clean(self):
        if self.term_end and self.term_start and self.term_end < self.term_start:
            raise ValidationError({"term_end": DATES_ORDER_MESSAGE})


class AppointableRole(models.Model):
    """The roles a chapter may fill by itself (IME keeps this list; the other roles only
    IME appoints, in the admin). DEFAULT_ROLES on a database that has none."""

    DEFAULT_ROLES = ("vice-president", "secretary", "treasurer", "member")

    role = models.CharField(_("cargo"), max_length=20, choices=Officer.Role.choices, unique=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["role"]
        verbose_name = _("cargo que nombra el capítulo")
        verbose_name_plural = _("cargos que nombra el capítulo")

    def __str__(self):
        return self.get_role_display()


class OfficerTermAlert(models.Model):
    """A notice that an officer's term ends soon: one per officer, threshold and end date
    (the daily task is idempotent; a term extended later is announced again)."""

    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="term_alerts")
    days_before = models.PositiveSmallIntegerField()
    term_end = models.DateField()
    sent_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["officer", "days_before", "term_end"], name="chapters_term_alert_once"
            )
        ]

    def __str__(self):
        return f"{self.officer_id} · {self.days_before}"


class RegionalCoordinator(models.Model):
    """A coordinator of a region (Chapter.Region): manages the region's chapters with the
    same scoping as their officers (chapters.querysets.managed_chapter_ids)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="regional_coordinations",
        verbose_name=_("persona"),
    )
    region = models.CharField(_("región"), max_length=20, choices=Chapter.Region.choices)
    term_start = models.DateField(_("inicio del periodo"))
    term_end = models.DateField(_("fin del periodo"), null=True, blank=True)
    suspended_at = models.DateTimeField(_("suspendido el"), null=True, blank=True)

    objects = OfficerQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["region", "term_start"]
        verbose_name = _("coordinación regional")
        verbose_name_plural = _("coordinaciones regionales")
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gte=models.F("term_start")),
                name="chapters_coordinator_term_order",
            )
        ]

    def __str__(self):
        return f"{self.get_region_display()} · {self.user_id}"

    def clean(self):
        if self.term_end and self.term_start and self.term_end < self.term_start:
            raise ValidationError({"term_end": DATES_ORDER_MESSAGE})


class ChapterLine(models.Model):
    """A line of action of a chapter's yearly programme (issue 21): free text in both
    languages (not limited to the PNCS sectors), a numeric target, and what it counts
    (members.progress: the chapter's events, posts, members...). Progress is computed."""

    chapter = models.ForeignKey(
        Chapter, on_delete=models.CASCADE, related_name="lines", verbose_name=_("capítulo")
    )
    year = models.PositiveSmallIntegerField(_("año"))
    title_es = models.CharField(_("línea de acción (español)"), max_length=200)
    title_en = models.CharField(_("línea de acción (inglés)"), max_length=200)
    description_es = models.TextField(_("descripción (español)"), max_length=2000, blank=True)
    description_en = models.TextField(_("descripción (inglés)"), max_length=2000, blank=True)
    measure = models.CharField(_("qué cuenta"), max_length=60)
    target = models.PositiveIntegerField(_("meta"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ChapterLineQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["chapter", "year", "pk"]
        verbose_name = _("línea de acción de un capítulo")
        verbose_name_plural = _("líneas de acción de los capítulos")
        constraints = [
            models.CheckConstraint(condition=Q(target__gte=1), name="chapters_line_target"),
            models.CheckConstraint(condition=Q(year__gte=FIRST_YEAR), name="chapters_line_year"),
        ]
        indexes = [models.Index(fields=["chapter", "year"], name="chapters_line_year_idx")]

    def __str__(self):
        return self.title

    @property
    def title(self):
        return by_language(self.title_es, self.title_en)

    @property
    def description(self):
        return by_language(self.description_es, self.description_en)


class Membership(models.Model):
    """A member's request to belong to a chapter, and its decision. One row per (chapter, user)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pendiente")
        APPROVED = "approved", _("Aprobada")
        REJECTED = "rejected", _("Rechazada")
        LEFT = "left", _("Dada de baja")

    chapter = models.ForeignKey(
        Chapter, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("capítulo")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="chapter_memberships",
        verbose_name=_("miembro"),
    )
    status = models.CharField(
        _("estado"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    is_home = models.BooleanField(_("capítulo principal"), default=False)
    message = models.TextField(_("mensaje del solicitante"), max_length=1000, blank=True)
    requested_at = models.DateTimeField(_("solicitada el"), default=dj_timezone.now)
    decided_at = models.DateTimeField(_("decidida el"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decidida por"),
    )
    decision_reason = models.TextField(_("motivo de la decisión"), max_length=1000, blank=True)
    left_at = models.DateTimeField(_("baja el"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("membresía")
        verbose_name_plural = _("membresías")
        constraints = [
            models.UniqueConstraint(fields=["chapter", "user"], name="chapters_membership_unique"),
            models.UniqueConstraint(
                fields=["user"], condition=Q(is_home=True), name="chapters_membership_one_home"
            ),
        ]
        indexes = [models.Index(fields=["chapter", "status"], name="chapters_membership_status")]

    def __str__(self):
        return f"{self.user} · {self.chapter}"


class Jornada(models.Model):
    """A Jornada Informativa (network-wide, organised by IME) or a chapter's event."""

    class RegistrationMode(models.TextChoices):
        OPEN = "open", _("Abierto")
        APPROVAL = "approval", _("Con aprobación del personal")

    slug = models.SlugField(
        _("identificador"), max_length=80, unique=True, validators=[validate_not_reserved_slug]
    )
    chapter = models.ForeignKey(
        Chapter,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="jornadas",
        verbose_name=_("capítulo organizador"),
        help_text=_("Vacío: Jornada de toda la red, organizada por el IME."),
    )
    title_es = models.CharField(_("título (español)"), max_length=200)
    title_en = models.CharField(_("título (inglés)"), max_length=200, blank=True)
    edition = models.PositiveSmallIntegerField(_("número de edición"), null=True, blank=True)
    starts_at = models.DateTimeField(_("inicio"))
    ends_at = models.DateTimeField(_("término"))
    timezone = models.CharField(
        _("zona horaria"),
        max_length=64,
        default="America/Mexico_City",
        validators=[validate_timezone],
    )
    venue = models.CharField(_("sede"), max_length=200, blank=True)
    city = models.CharField(_("ciudad"), max_length=100, blank=True)
    country = CountryField(_("país"), blank=True)
    online_url = models.URLField(_("enlace en línea"), blank=True)
    description_es = models.TextField(_("descripción (español)"), blank=True)
    description_en = models.TextField(_("descripción (inglés)"), blank=True)
    capacity = models.PositiveIntegerField(
        _("cupo"), null=True, blank=True, help_text=_("Vacío: sin límite.")
    )
    registration_opens_at = models.DateTimeField(_("apertura del registro"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("cierre del registro"), null=True, blank=True)
    registration_mode = models.CharField(
        _("modo de registro"),
        max_length=10,
        choices=RegistrationMode.choices,
        default=RegistrationMode.OPEN,
    )
    logistics_notes = models.TextField(_("notas de logística (solo personal)"), blank=True)
    # Participants from abroad (issue 21): each registration may give its travel needs
    # (TravelNeeds), kept until the Jornada ends (services.purge_travel_needs).
    asks_travel_needs = models.BooleanField(
        _("pide necesidades de viaje"),
        default=False,
        help_text=_(
            "Quienes se registren podrán indicar llegada, salida, hospedaje y carta de "
            "invitación para la visa. Se borran al terminar la Jornada."
        ),
    )
    is_published = models.BooleanField(_("publicada"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = JornadaQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("Jornada o evento")
        verbose_name_plural = _("Jornadas y eventos")
        constraints = [
            models.CheckConstraint(
                condition=~Q(slug__in=RESERVED_JORNADA_SLUGS), name="chapters_jornada_slug_free"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")), name="chapters_jornada_dates"
            ),
        ]
        indexes = [models.Index(fields=["is_published", "starts_at"], name="chapters_jornada_pub")]

    def __str__(self):
        return self.title_es

    def get_absolute_url(self):
        return reverse("chapters:jornada_detail", kwargs={"slug": self.slug})

    def clean(self):
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            errors["ends_at"] = DATES_ORDER_MESSAGE
        if (
            self.registration_opens_at
            and self.registration_closes_at
            and self.registration_closes_at < self.registration_opens_at
        ):
            errors["registration_closes_at"] = WINDOW_ORDER_MESSAGE
        if errors:
            raise ValidationError(errors)

    @property
    def title(self):
        return by_language(self.title_es, self.title_en)

    @property
    def description(self):
        return by_language(self.description_es, self.description_en)

    @property
    def edition_label(self):
        """ "Cuarta Jornada Informativa" / "Fourth Jornada Informativa"."""
        if not self.edition:
            return ""
        ordinals = [str(o) for o in ORDINALS]
        if self.edition <= len(ordinals):
            ordinal = ordinals[self.edition - 1]
        elif is_english():
            ordinal = humanize_ordinal(self.edition)  # "11th", "22nd" (Django's humanize)
        else:
            ordinal = f"{self.edition}.ª"
        return gettext("%(ordinal)s Jornada Informativa") % {"ordinal": ordinal}

    @property
    def tz(self):
        try:
            return zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo(settings.TIME_ZONE)

    def registration_is_open(self, now):
        if now >= self.ends_at:
            return False
        if self.registration_opens_at and now < self.registration_opens_at:
            return False
        return not (self.registration_closes_at and now > self.registration_closes_at)


ORDINALS = [
    pgettext_lazy("edición", "Primera"),
    pgettext_lazy("edición", "Segunda"),
    pgettext_lazy("edición", "Tercera"),
    pgettext_lazy("edición", "Cuarta"),
    pgettext_lazy("edición", "Quinta"),
    pgettext_lazy("edición", "Sexta"),
    pgettext_lazy("edición", "Séptima"),
    pgettext_lazy("edición", "Octava"),
    pgettext_lazy("edición", "Novena"),
    pgettext_lazy("edición", "Décima"),
]


class AgendaItem(models.Model):
    """One slot of a Jornada's agenda, in order."""

    jornada = models.ForeignKey(
        Jornada, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("Jornada")
    )
    order = models.PositiveSmallIntegerField(_("orden"), default=0)
    starts_at = models.DateTimeField(_("hora de inicio"))
    title_es = models.CharField(_("título (español)"), max_length=200)
    title_en = models.CharField(_("título (inglés)"), max_length=200, blank=True)
    description_es = models.TextField(_("descripción (español)"), blank=True)
    description_en = models.TextField(_("descripción (inglés)"), blank=True)

    class Meta:
        ordering = ["jornada", "order", "starts_at"]
        verbose_name = _("punto de la agenda")
        verbose_name_plural = _("agenda")

    def __str__(self):
        return self.title_es

    @property
    def title(self):
        return by_language(self.title_es, self.title_en)

    @property
    def description(self):
        return by_language(self.description_es, self.description_en)


class Speaker(models.Model):
    """A speaker of an agenda item: a member of the network, or an external guest."""

    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="speakers", verbose_name=_("punto")
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("miembro de la red"),
    )
    name = models.CharField(
        _("nombre"), max_length=160, blank=True, help_text=_("Para ponentes externos.")
    )
    affiliation = models.CharField(_("afiliación"), max_length=200, blank=True)
    bio = models.TextField(_("semblanza breve"), max_length=1000, blank=True)
    order = models.PositiveSmallIntegerField(_("orden"), default=0)

    class Meta:
        ordering = ["agenda_item", "order", "pk"]
        verbose_name = _("ponente")
        verbose_name_plural = _("ponentes")
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False) | ~Q(name=""), name="chapters_speaker_named"
            )
        ]

    def __str__(self):
        return self.public_name

    def clean(self):
        if not self.member_id and not self.name:
            raise ValidationError({"name": SPEAKER_NAME_MESSAGE})

    @property
    def public_name(self):
        if self.name:
            return self.name
        return public_name(self.member) if self.member_id else ""


SPEAKER_NAME_MESSAGE = _(
    "Elige a un miembro de la red o escribe el nombre de la persona ponente externa."
)


class Material(models.Model):
    """A PDF or slides of a Jornada (size-limited, type checked by content), for everyone
    who may see the Jornada or only for its registrants. Kept in the private storage and
    downloaded through a view that checks who may see it (chapters.files)."""

    class Audience(models.TextChoices):
        PUBLIC = "public", _("Público")
        REGISTRANTS = "registrants", _("Solo personas registradas")

    jornada = models.ForeignKey(
        Jornada, on_delete=models.CASCADE, related_name="materials", verbose_name=_("Jornada")
    )
    title = models.CharField(_("título"), max_length=200)
    file = models.FileField(
        _("archivo"), upload_to=material_upload_to, validators=[validate_material]
    )
    audience = models.CharField(
        _("quién lo ve"),
        max_length=12,
        choices=Audience.choices,
        default=Audience.REGISTRANTS,
        help_text=_("Las personas registradas son las que tienen un lugar confirmado."),
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = MaterialQuerySet.as_manager()

    class Meta:
        ordering = ["jornada", "uploaded_at"]
        verbose_name = _("material")
        verbose_name_plural = _("materiales")

    def __str__(self):
        return self.title


class Registration(models.Model):
    """A member's place at a Jornada: confirmed, on the waitlist, awaiting approval, cancelled."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En espera de aprobación")
        CONFIRMED = "confirmed", _("Confirmado")
        WAITLISTED = "waitlisted", _("En lista de espera")
        CANCELLED = "cancelled", _("Cancelado")
        REJECTED = "rejected", _("No aprobado")

    jornada = models.ForeignKey(
        Jornada, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("Jornada")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="jornada_registrations",
        verbose_name=_("participante"),
    )
    representing = models.ForeignKey(
        Chapter,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("capítulo que representa"),
    )
    status = models.CharField(_("estado"), max_length=10, choices=Status.choices)
    registered_at = models.DateTimeField(_("registrado el"), default=dj_timezone.now)
    # The waitlist is served in this order (re-registering puts you at the end).
    queued_at = models.DateTimeField(_("en la fila desde"), default=dj_timezone.now)
    confirmed_at = models.DateTimeField(_("confirmado el"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelado el"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("asistencia registrada el"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("asistencia registrada por"),
    )

    objects = RegistrationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["jornada", "queued_at"]
        verbose_name = _("registro")
        verbose_name_plural = _("registros")
        constraints = [
            models.UniqueConstraint(fields=["jornada", "user"], name="chapters_registration_unique")
        ]
        indexes = [
            models.Index(fields=["jornada", "status", "queued_at"], name="chapters_reg_queue")
        ]

    def __str__(self):
        return f"{self.user} · {self.jornada}"


def proposal_upload_to(instance, filename):
    # Random stored name; a directory of its own (chapters.files serves it to IME and to the
    # proposing sector's coordinators only).
    return f"jornadas/proposals/{secrets.token_hex(16)}{Path(filename).suffix.lower()}"


LETTER_DATA_MESSAGE = _(
    "Para la carta de invitación escribe tu nombre como aparece en el pasaporte y tu nacionalidad."
)
TRAVEL_DATES_MESSAGE = _("Elige una fecha de salida igual o posterior a la de llegada.")


class TravelNeeds(models.Model):
    """What a registrant coming from abroad needs, for Jornadas that ask
    (Jornada.asks_travel_needs). IME staff read it in the admin (second factor), each read
    audited (members.ProfileView); deleted once the Jornada has ended
    (services.purge_travel_needs) or with the account (personal_data.erase)."""

    registration = models.OneToOneField(
        Registration,
        on_delete=models.CASCADE,
        related_name="travel_needs",
        verbose_name=_("registro"),
    )
    arrival_on = models.DateField(_("fecha de llegada"))
    departure_on = models.DateField(_("fecha de salida"))
    lodging_needed = models.BooleanField(_("necesito hospedaje"), default=False)
    invitation_letter_needed = models.BooleanField(
        _("necesito carta de invitación para la visa"), default=False
    )
    passport_name = models.CharField(
        _("nombre como aparece en el pasaporte"), max_length=200, blank=True
    )
    nationality = CountryField(_("nacionalidad"), blank=True)
    updated_at = models.DateTimeField(_("actualizado"), auto_now=True)

    class Meta:
        verbose_name = _("necesidades de viaje")
        verbose_name_plural = _("necesidades de viaje")
        constraints = [
            models.CheckConstraint(
                condition=Q(departure_on__gte=models.F("arrival_on")),
                name="chapters_travel_departure_after_arrival",
            ),
            models.CheckConstraint(
                condition=Q(invitation_letter_needed=False)
                | (~Q(passport_name="") & ~Q(nationality="")),
                name="chapters_travel_letter_data",
            ),
        ]

    def __str__(self):
        return f"travel {self.registration_id}"

    def clean(self):
        errors = {}
        if self.arrival_on and self.departure_on and self.departure_on < self.arrival_on:
            errors["departure_on"] = TRAVEL_DATES_MESSAGE
        if self.invitation_letter_needed:
            if not self.passport_name.strip():
                errors["passport_name"] = LETTER_DATA_MESSAGE
            if not self.nationality:
                errors["nationality"] = LETTER_DATA_MESSAGE
        if errors:
            raise ValidationError(errors)


class JornadaProposal(models.Model):
    """A PNCS coordinator's proposal for a Jornada of IME: an agenda item, a speaker (a
    member of the network or a guest) or a material. IME accepts it (it becomes the
    AgendaItem, Speaker or Material the Jornada's page shows) or declines it with a reason;
    the coordinator is told by mail either way (services.decide_proposal)."""

    class Kind(models.TextChoices):
        AGENDA_ITEM = "agenda", _("Punto de la agenda")
        SPEAKER = "speaker", _("Ponente")
        MATERIAL = "material", _("Material")

    class Status(models.TextChoices):
        PENDING = "pending", _("En revisión")
        ACCEPTED = "accepted", _("Aceptada")
        DECLINED = "declined", _("No aceptada")

    jornada = models.ForeignKey(
        Jornada, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("Jornada")
    )
    sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, related_name="+", verbose_name=_("sector del PNCS")
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="jornada_proposals",
        verbose_name=_("propuesta por"),
    )
    kind = models.CharField(_("tipo"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("estado"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    # Agenda item and material: the title; agenda item: also the description and the time.
    title_es = models.CharField(_("título (español)"), max_length=200, blank=True)
    title_en = models.CharField(_("título (inglés)"), max_length=200, blank=True)
    description_es = models.TextField(_("descripción (español)"), max_length=4000, blank=True)
    description_en = models.TextField(_("descripción (inglés)"), max_length=4000, blank=True)
    starts_at = models.DateTimeField(_("hora de inicio"), null=True, blank=True)
    # Speaker: the agenda item, and a member of the network or a guest's name.
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("punto de la agenda"),
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("miembro de la red"),
    )
    name = models.CharField(_("nombre"), max_length=160, blank=True)
    affiliation = models.CharField(_("afiliación"), max_length=200, blank=True)
    bio = models.TextField(_("semblanza breve"), max_length=1000, blank=True)
    # Material: the file (the materials' checks) and who may download it once accepted.
    file = models.FileField(
        _("archivo"), upload_to=proposal_upload_to, validators=[validate_material], blank=True
    )
    audience = models.CharField(
        _("quién lo ve"),
        max_length=12,
        choices=Material.Audience.choices,
        default=Material.Audience.REGISTRANTS,
    )
    created_at = models.DateTimeField(_("propuesta el"), default=dj_timezone.now)
    decided_at = models.DateTimeField(_("decidida el"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decidida por"),
    )
    decision_reason = models.TextField(_("motivo de la decisión"), max_length=1000, blank=True)

    objects = JornadaProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("propuesta de un PNCS")
        verbose_name_plural = _("propuestas de los PNCS")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="agenda") | (~Q(title_es="") & Q(starts_at__isnull=False)),
                name="chapters_proposal_agenda_complete",
            ),
            models.CheckConstraint(
                condition=~Q(kind="speaker")
                | (Q(agenda_item__isnull=False) & (Q(member__isnull=False) | ~Q(name=""))),
                name="chapters_proposal_speaker_complete",
            ),
            models.CheckConstraint(
                condition=~Q(kind="material") | (~Q(title_es="") & ~Q(file="")),
                name="chapters_proposal_material_complete",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decision_reason=""),
                name="chapters_proposal_declined_with_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="chapters_proposal_status")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.summary}"

    @property
    def summary(self):
        """What is proposed, in a line: the title, or the speaker's name."""
        if self.kind == self.Kind.SPEAKER:
            return self.name or (public_name(self.member) if self.member_id else "")
        return by_language(self.title_es, self.title_en)
