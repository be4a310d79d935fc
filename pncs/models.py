"""Sector contact points (PNCS), their opportunities, members' interest, affiliations,
the denormalised member search index, the audit of coordinators' searches and exports,
and the large exports written by a worker."""

import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from members.models import Contribution, ExpertiseTag, Profile, Sector
from members.progress import FIRST_YEAR

from .querysets import (
    AffiliationQuerySet,
    InterestQuerySet,
    MemberExportQuerySet,
    OpportunityQuerySet,
    PncsQuerySet,
    WorkLineQuerySet,
)


def _in_english():
    return (get_language() or settings.LANGUAGE_CODE).lower().startswith("en")


class Pncs(models.Model):
    """A Punto Nacional de Contacto Sectorial: one per sector, hosted by an institution."""

    sector = models.OneToOneField(
        Sector, on_delete=models.PROTECT, related_name="pncs", verbose_name=_("sector")
    )
    host_institution = models.CharField(_("institución anfitriona"), max_length=200)
    description_es = models.TextField(_("descripción (español)"), blank=True)
    description_en = models.TextField(_("descripción (inglés)"), blank=True)
    contact_email = models.EmailField(_("correo de contacto"), blank=True)
    is_active = models.BooleanField(_("activo"), default=True)
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="coordinated_pncs",
        blank=True,
        verbose_name=_("personas coordinadoras"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PncsQuerySet.as_manager()

    class Meta:
        ordering = ["sector__order"]
        verbose_name = _("PNCS")
        verbose_name_plural = _("PNCS")

    def __str__(self):
        return f"PNCS {self.sector.name}"

    @property
    def description(self):
        return (self.description_en if _in_english() else self.description_es) or (
            self.description_es or self.description_en
        )


class Opportunity(models.Model):
    """Something a PNCS offers the network: an internship, a mentoring, a committee seat..."""

    class Kind(models.TextChoices):
        INTERNSHIP = "pasantia", _("Pasantía")
        MENTORING = "mentoria", _("Mentoría a instituciones mexicanas")
        VISIT = "visita", _("Visita a México (congresos, reuniones)")
        COMMITTEE = "comite", _("Comité de evaluación de proyectos")
        MISSION = "mision", _("Misión comercial o de aprendizaje de negocios")
        BINATIONAL = "binacional", _("Proyecto binacional de innovación")
        OTHER = "otra", _("Otra")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Borrador")
        OPEN = "open", _("Abierta")
        CLOSED = "closed", _("Cerrada")

    pncs = models.ForeignKey(
        Pncs, on_delete=models.CASCADE, related_name="opportunities", verbose_name=_("PNCS")
    )
    kind = models.CharField(_("tipo"), max_length=20, choices=Kind.choices)
    sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, related_name="opportunities", verbose_name=_("sector")
    )
    title_es = models.CharField(_("título (español)"), max_length=200)
    title_en = models.CharField(_("título (inglés)"), max_length=200, blank=True)
    description_es = models.TextField(_("descripción (español)"), max_length=5000)
    description_en = models.TextField(_("descripción (inglés)"), max_length=5000, blank=True)
    # The project's institution: members affiliated with it are left out of committees.
    institution = models.CharField(_("institución del proyecto"), max_length=200, blank=True)
    institution_key = models.CharField(max_length=200, blank=True, editable=False)
    location = models.CharField(_("lugar"), max_length=200, blank=True)
    country = CountryField(_("país"), default="MX", blank=True)
    is_remote = models.BooleanField(_("a distancia"), default=False)
    deadline = models.DateField(_("fecha límite"), null=True, blank=True)
    places = models.PositiveSmallIntegerField(_("lugares"), null=True, blank=True)
    status = models.CharField(
        _("estado"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # Published for the members the coordinator invites only (an organisation's request,
    # issue 20): never listed, and nobody else can answer it.
    invite_only = models.BooleanField(_("solo por invitación"), default=False)
    expertise = models.ManyToManyField(
        ExpertiseTag, related_name="opportunities", blank=True, verbose_name=_("especialidades")
    )
    contributions = models.ManyToManyField(
        Contribution,
        related_name="opportunities",
        blank=True,
        verbose_name=_("tipos de aportación buscados"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("oportunidad")
        verbose_name_plural = _("oportunidades")
        indexes = [models.Index(fields=["status", "sector"], name="pncs_opp_status_sector")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Derived column (a single-row invariant): how conflicts of interest are compared.
        from .services import normalize_institution

        self.institution_key = normalize_institution(self.institution)
        if kwargs.get("update_fields") is not None and "institution" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "institution_key"}
        super().save(*args, **kwargs)

    @property
    def title(self):
        return (self.title_en if _in_english() else self.title_es) or self.title_es

    @property
    def description(self):
        return (self.description_en if _in_english() else self.description_es) or (
            self.description_es
        )


class Interest(models.Model):
    """A member's answer to an opportunity, and the coordinator's decision on it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Recibida")
        SHORTLISTED = "shortlisted", _("Preseleccionada")
        ACCEPTED = "accepted", _("Aceptada")
        DECLINED = "declined", _("No seleccionada")

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="interests")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pncs_interests"
    )
    message = models.TextField(_("mensaje"), max_length=1000, blank=True)
    status = models.CharField(
        _("estado"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = InterestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("interés")
        verbose_name_plural = _("intereses")
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "member"], name="pncs_interest_once")
        ]

    def __str__(self):
        return f"{self.member_id} → {self.opportunity_id} ({self.status})"


class Affiliation(models.Model):
    """An institution a member is tied to, declared by the member (conflicts of interest)."""

    class Relation(models.TextChoices):
        EMPLOYEE = "employee", _("Trabajo ahí")
        BOARD = "board", _("Consejo o dirección")
        CONSULTANT = "consultant", _("Consultoría o asesoría")
        STUDENT = "student", _("Estudio ahí")
        OTHER = "other", _("Otro vínculo (familiar, financiero...)")

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pncs_affiliations"
    )
    institution = models.CharField(_("institución"), max_length=200)
    # Lower-case, accents and punctuation removed: "U.N.A.M." and "unam" compare equal.
    institution_key = models.CharField(max_length=200, db_index=True, editable=False)
    relation = models.CharField(_("vínculo"), max_length=12, choices=Relation.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AffiliationQuerySet.as_manager()

    class Meta:
        ordering = ["institution"]
        verbose_name = _("afiliación")
        verbose_name_plural = _("afiliaciones")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "institution_key"], name="pncs_affiliation_once"
            )
        ]

    def __str__(self):
        return self.institution

    def save(self, *args, **kwargs):
        from .services import normalize_institution

        self.institution_key = normalize_institution(self.institution)
        super().save(*args, **kwargs)


class SearchAudit(models.Model):
    """Who searched or exported members, when, with which filters and how many rows.

    Holds no personal data of the members found (SECURITY.md D5).
    """

    class Action(models.TextChoices):
        SEARCH = "search", _("Búsqueda")
        EXPORT_CSV = "export_csv", _("Exportación CSV")
        EXPORT_XLSX = "export_xlsx", _("Exportación XLSX")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("persona usuaria"),
    )
    action = models.CharField(_("acción"), max_length=12, choices=Action.choices)
    filters = models.JSONField(_("filtros"), default=dict)
    row_count = models.PositiveIntegerField(_("filas"), null=True)
    capped = models.BooleanField(_("conteo limitado"), default=False)
    created_at = models.DateTimeField(_("fecha"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("registro de búsqueda o exportación")
        verbose_name_plural = _("registros de búsquedas y exportaciones")

    def __str__(self):
        return f"{self.get_action_display()} · {self.created_at:%Y-%m-%d %H:%M}"


class MemberSearchIndex(models.Model):
    """One row per profile, denormalised for the coordinators' search.

    Kept in sync by signal receivers (an index is a cache concern) and rebuilt by
    `manage.py rebuild_member_search`. Never a permission boundary on its own: the rows a
    search shows and every export also intersect with `Profile.objects.contactable_by_pncs()`.
    """

    profile = models.OneToOneField(
        Profile, on_delete=models.CASCADE, primary_key=True, related_name="search_index"
    )
    contactable = models.BooleanField(default=False)
    sort_name = models.CharField(max_length=320, blank=True)
    # Unaccented, lower-case names: trigram (fuzzy) matching.
    names = models.CharField(max_length=400, blank=True)
    headline = models.CharField(max_length=160, blank=True)
    body = models.TextField(blank=True)
    expertise_text = models.TextField(blank=True)
    document = SearchVectorField(null=True)
    country = models.CharField(max_length=2, blank=True)
    state_of_origin = models.CharField(max_length=3, blank=True)
    education_level = models.CharField(max_length=20, blank=True)
    willing_to_travel = models.BooleanField(default=False)
    # The member's sectors as {"<sector slug>": position}, 0 for the primary one: the
    # sector filter, facet and column read the index row alone (a JSON object: the
    # filter is `has_any_keys`, served by a GIN index).
    sectors = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("índice de búsqueda de personas integrantes")
        verbose_name_plural = _("índice de búsqueda de personas integrantes")
        # GIN indexes (full text, trigram) are created by a PostgreSQL-only migration.
        indexes = [
            models.Index(fields=["contactable", "education_level"], name="pncs_msi_education"),
            models.Index(fields=["contactable", "state_of_origin"], name="pncs_msi_state"),
            models.Index(fields=["contactable", "-updated_at"], name="pncs_msi_updated"),
            # Listed by name, with or without a country: the window of the search is read
            # in index order, and (covering) without visiting the wide rows.
            models.Index(
                fields=["contactable", "sort_name", "profile"],
                include=["country", "education_level", "sectors"],
                name="pncs_msi_name_cover",
            ),
            models.Index(
                fields=["contactable", "country", "sort_name", "profile"],
                include=["education_level", "sectors"],
                name="pncs_msi_country_cover",
            ),
        ]

    def __str__(self):
        return f"index {self.profile_id}"


class MemberExport(models.Model):
    """A coordinator's export too large for a request: queued, written by a worker into
    private storage (pncs.exports.write_export), downloaded by the coordinator who asked
    (with their second factor) until `expires_at`, then its file is deleted.

    The search is kept as its query string and the filters it applied, so the worker
    exports exactly what the coordinator saw; the audit row (who, when, filters, rows) is
    written when it is asked for and completed with the row count (SECURITY.md D5).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("En cola")
        RUNNING = "running", _("Generándose")
        READY = "ready", _("Lista para descargar")
        FAILED = "failed", _("Falló")
        EXPIRED = "expired", _("Vencida")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("pedida por"),
    )
    format = models.CharField(_("formato"), max_length=4, choices=Format.choices)
    query = models.TextField(_("búsqueda"), blank=True)
    filters = models.JSONField(_("filtros"), default=dict)
    language = models.CharField(_("idioma"), max_length=10)
    status = models.CharField(
        _("estado"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    row_count = models.PositiveIntegerField(_("filas"), null=True, blank=True)
    # The file's name in the "exports" storage (settings.STORAGES), never served publicly.
    file_name = models.CharField(max_length=200, blank=True)
    error = models.CharField(_("motivo"), max_length=200, blank=True)
    audit = models.OneToOneField(
        SearchAudit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(_("pedida el"), auto_now_add=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("lista el"), null=True, blank=True)
    expires_at = models.DateTimeField(_("vence el"), null=True, blank=True)
    downloads = models.PositiveIntegerField(_("descargas"), default=0)
    last_downloaded_at = models.DateTimeField(null=True, blank=True)

    objects = MemberExportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("exportación de personas integrantes")
        verbose_name_plural = _("exportaciones de personas integrantes")
        indexes = [
            models.Index(fields=["user", "-created_at"], name="pncs_export_user"),
            models.Index(
                fields=["status", "expires_at"],
                condition=Q(status__in=["queued", "running", "ready"]),
                name="pncs_export_open",
            ),
        ]

    def __str__(self):
        return f"{self.get_format_display()} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def filename(self) -> str:
        """The name the coordinator's browser saves it under."""
        return f"miembros-{timezone.localtime(self.created_at):%Y%m%d-%H%M}.{self.format}"

    def is_expired(self, now=None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.EXPIRED or (
            self.expires_at is not None and self.expires_at <= now
        )


class WorkLine(models.Model):
    """A line of action of a PNCS's yearly work programme (issue 21), under one of the
    seed's headings, with a numeric target and the coordinator responsible for it.

    Its progress is computed, never typed: the line names a measure (members.progress,
    contributed by the apps that hold what is counted) and counts that measure's rows of
    its PNCS in its year."""

    class Heading(models.TextChoices):
        HUMAN_CAPITAL = "human-capital", _("Desarrollo de capital humano")
        INNOVATION_POLICY = "innovation-policy", _("Apoyo al desarrollo de políticas de innovación")
        INFORMATION = "information", _("Procesamiento de información")
        PROJECTS = "projects", _("Identificación de proyectos")
        CHAPTERS = "chapters", _("Trabajo con los capítulos de la Red")
        JORNADAS = "jornadas", _("Jornadas Informativas del IME")

    pncs = models.ForeignKey(
        Pncs, on_delete=models.CASCADE, related_name="work_lines", verbose_name=_("PNCS")
    )
    year = models.PositiveSmallIntegerField(_("año"))
    heading = models.CharField(_("rubro"), max_length=20, choices=Heading.choices)
    title_es = models.CharField(_("línea de acción (español)"), max_length=200)
    title_en = models.CharField(_("línea de acción (inglés)"), max_length=200)
    measure = models.CharField(
        _("qué cuenta"),
        max_length=60,
        help_text=_("El avance se calcula solo: cuenta lo que el PNCS hizo en el año."),
    )
    target = models.PositiveIntegerField(_("meta"))
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pncs_work_lines",
        verbose_name=_("persona responsable"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkLineQuerySet.as_manager()

    class Meta:
        ordering = ["pncs", "year", "heading", "pk"]
        verbose_name = _("línea de acción de un PNCS")
        verbose_name_plural = _("líneas de acción de los PNCS")
        constraints = [
            models.CheckConstraint(condition=Q(target__gte=1), name="pncs_workline_target"),
            models.CheckConstraint(condition=Q(year__gte=FIRST_YEAR), name="pncs_workline_year"),
        ]
        indexes = [models.Index(fields=["pncs", "year"], name="pncs_workline_year_idx")]

    def __str__(self):
        return self.title

    @property
    def title(self):
        return (self.title_en if _in_english() else self.title_es) or self.title_es
