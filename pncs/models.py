"""Sector contact points (PNCS), their opportunities, members' interest, affiliations,
the denormalised member search index and the audit of coordinators' searches and exports."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from members.models import Contribution, ExpertiseTag, Profile, Sector

from .querysets import (
    AffiliationQuerySet,
    InterestQuerySet,
    OpportunityQuerySet,
    PncsQuerySet,
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
        verbose_name=_("coordinadores"),
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
        verbose_name=_("usuario"),
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
    # Unaccented, lower-case names: trigram (fuzzy) matching, and the plain fallback.
    names = models.CharField(max_length=400, blank=True)
    headline = models.CharField(max_length=160, blank=True)
    body = models.TextField(blank=True)
    expertise_text = models.TextField(blank=True)
    # Unaccented, lower-case concatenation of everything searchable (SQLite fallback).
    plain_text = models.TextField(blank=True)
    document = SearchVectorField(null=True)
    country = models.CharField(max_length=2, blank=True)
    state_of_origin = models.CharField(max_length=3, blank=True)
    education_level = models.CharField(max_length=20, blank=True)
    willing_to_travel = models.BooleanField(default=False)
    # The member's sectors as {"<sector slug>": position}, 0 for the primary one: the
    # sector filter, facet and column read the index row alone (a JSON object, so
    # `has_any_keys` works on PostgreSQL and SQLite).
    sectors = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("índice de búsqueda de miembros")
        verbose_name_plural = _("índice de búsqueda de miembros")
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


class MemberExportLists(models.Model):
    """The four list cells of a member's CSV row, written when the member's lists (or the
    names they hold) change rather than gathered from four tables at every export: the
    database writes a CSV of 100,000 members about twice as fast (`make bench`).

    `cells` is {"es": [sectors, expertise, contributions, languages], "en": [...]}, each
    cell the names joined by "; " in the order `pncs.exports.iter_rows` gives them (the
    primary sector first). Kept in step with the search index (`pncs.search`) and by
    `pncs.signals` when a sector, contribution, language or tag is renamed or deleted;
    written by PostgreSQL (`pncs.exports.refresh_export_lists`); read only by the
    PostgreSQL CSV export. Not personal data beyond what the profile holds.
    """

    profile = models.OneToOneField(
        Profile, on_delete=models.CASCADE, primary_key=True, related_name="export_lists"
    )
    cells = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("listas de exportación de un miembro")
        verbose_name_plural = _("listas de exportación de miembros")

    def __str__(self):
        return f"export lists {self.profile_id}"
