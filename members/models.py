"""People: the user (email login), their profile and the reference taxonomies.

Other apps (chapters, pncs, programs) build on these models; fields are added,
never renamed or removed without a migration plan.
"""

from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GistIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from .choices import EducationLevel, MexicanState
from .listing import CardWords, ListingKey, SearchWords
from .matching import LinkKey, LocalPartKey, MailboxKey, NameKey
from .querysets import PrivacyNoticeQuerySet, ProfileQuerySet, ProfileViewQuerySet


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("email_verified", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who can sign in. The email address is the login; there is no username."""

    username = None
    email = models.EmailField(_("correo electrónico"), unique=True)
    # Mirrors allauth's verified primary address so listings filter on one table.
    email_verified = models.BooleanField(_("correo verificado"), default=False)
    preferred_language = models.CharField(
        _("idioma preferido para correos"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    # Set when the member cancels their account (ARCO); the row stays, anonymised.
    deleted_at = models.DateTimeField(_("cuenta eliminada el"), null=True, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("persona usuaria")
        verbose_name_plural = _("personas usuarias")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="members_user_email_ci_unique"),
        ]
        indexes = [
            # Likely duplicates (members.duplicates): the same mailbox written differently,
            # and the same local part at another provider.
            models.Index(MailboxKey("email"), name="members_user_mailbox"),
            models.Index(
                LocalPartKey("email"),
                condition=Q(email__regex=r"^[^@]{6,}@"),
                name="members_user_local_part",
            ),
        ]

    def __str__(self):
        return self.email


def translated_name_field() -> str:
    """`name_en` or `name_es`: the column of a reference row's name in the active language."""
    lang = (get_language() or settings.LANGUAGE_CODE).lower()
    return "name_en" if lang.startswith("en") else "name_es"


class TranslatedNameMixin:
    """Reference rows carry a Spanish and an English name; `name` follows the active language."""

    @property
    def name(self):
        return getattr(self, translated_name_field())

    def __str__(self):
        return self.name


class Sector(TranslatedNameMixin, models.Model):
    """One of the nine PNCS sectors (reference data, created by a data migration)."""

    slug = models.SlugField(unique=True)
    name_es = models.CharField(_("nombre (español)"), max_length=120)
    name_en = models.CharField(_("nombre (inglés)"), max_length=120)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectores")


class Contribution(TranslatedNameMixin, models.Model):
    """One of the eleven ways a member can contribute ("¿Qué pueden aportar?")."""

    slug = models.SlugField(unique=True)
    name_es = models.CharField(_("nombre (español)"), max_length=160)
    name_en = models.CharField(_("nombre (inglés)"), max_length=160)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("tipo de aportación")
        verbose_name_plural = _("tipos de aportación")


class Language(TranslatedNameMixin, models.Model):
    """A language a member speaks, by its ISO 639-1 code."""

    code = models.CharField(max_length=8, unique=True)
    name_es = models.CharField(_("nombre (español)"), max_length=60)
    name_en = models.CharField(_("nombre (inglés)"), max_length=60)

    class Meta:
        ordering = ["name_es"]
        verbose_name = _("idioma")
        verbose_name_plural = _("idiomas")


class ExpertiseTag(models.Model):
    """A normalised expertise keyword ("machine learning"); `name` is lower-case, single-spaced."""

    name = models.CharField(_("nombre"), max_length=60, unique=True)
    slug = models.SlugField(max_length=70, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("especialidad")
        verbose_name_plural = _("especialidades")

    def __str__(self):
        return self.name


# Columns the database derives from the others (members.listing): never copied by hand.
DERIVED_PROFILE_FIELDS = ("expertise_text", "listing_key", "card_words", "search_words")


class ProfileManager(models.Manager.from_queryset(ProfileQuerySet)):
    def get_queryset(self):
        return super().get_queryset().defer(*DERIVED_PROFILE_FIELDS)


class Profile(models.Model):
    """What a member tells the network about themselves, and their privacy choices."""

    class Visibility(models.TextChoices):
        MEMBERS = "members", _("Otros miembros verificados, los PNCS y el IME")
        PNCS = "pncs", _("Solo la coordinación de los PNCS y el IME")
        IME = "ime", _("Solo el IME")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="profile"
    )
    given_names = models.CharField(_("nombre(s)"), max_length=100, blank=True)
    paternal_surname = models.CharField(_("apellido paterno"), max_length=100, blank=True)
    maternal_surname = models.CharField(_("apellido materno"), max_length=100, blank=True)
    preferred_name = models.CharField(_("nombre preferido"), max_length=100, blank=True)
    photo = models.ImageField(_("foto"), upload_to="photos/", blank=True)
    headline = models.CharField(_("titular"), max_length=160, blank=True)
    bio = models.TextField(_("semblanza"), max_length=2000, blank=True)
    country = CountryField(_("país de residencia"), blank=True)
    city = models.CharField(_("ciudad de residencia"), max_length=100, blank=True)
    state_of_origin = models.CharField(
        _("estado de origen en México"), max_length=3, choices=MexicanState.choices, blank=True
    )
    education_level = models.CharField(
        _("nivel de estudios"), max_length=20, choices=EducationLevel.choices, blank=True
    )
    education_field = models.CharField(_("área de estudios"), max_length=150, blank=True)
    institution = models.CharField(_("institución"), max_length=200, blank=True)
    employer = models.CharField(_("empleador"), max_length=200, blank=True)
    position = models.CharField(_("puesto"), max_length=200, blank=True)
    sectors = models.ManyToManyField(
        Sector, through="ProfileSector", related_name="profiles", blank=True
    )
    expertise = models.ManyToManyField(ExpertiseTag, related_name="profiles", blank=True)
    languages = models.ManyToManyField(Language, related_name="profiles", blank=True)
    contributions = models.ManyToManyField(Contribution, related_name="profiles", blank=True)
    willing_to_travel = models.BooleanField(_("dispuesto a viajar a México"), default=False)
    linkedin_url = models.URLField(_("LinkedIn"), blank=True)
    orcid = models.CharField(_("ORCID"), max_length=19, blank=True)
    website = models.URLField(_("sitio web"), blank=True)

    # Voluntary purposes (SECURITY.md D1): separate, private by default.
    directory_visibility = models.CharField(
        _("quién puede ver mi perfil"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.IME,
    )
    show_email = models.BooleanField(
        _("mostrar mi correo a quien puede ver mi perfil"), default=False
    )
    pncs_contact = models.BooleanField(_("los PNCS pueden contactarme"), default=False)
    notify_chapter = models.BooleanField(_("avisos de mis capítulos"), default=False)
    notify_jornadas = models.BooleanField(_("avisos de Jornadas Informativas"), default=False)
    notify_programs = models.BooleanField(_("avisos de programas de formación"), default=False)
    notify_opportunities = models.BooleanField(_("avisos de oportunidades PNCS"), default=False)
    # The news digest (issue 21): off by default; how often, when on.
    notify_digest = models.BooleanField(
        _("resumen de noticias de mis sectores y capítulos"), default=False
    )
    # Surveys and the yearly diaspora census (issue 26): invitations to answer, off by default.
    notify_surveys = models.BooleanField(
        _("invitaciones a encuestas y al censo de la diáspora"), default=False
    )
    digest_frequency = models.CharField(
        _("frecuencia del resumen de noticias"),
        max_length=8,
        choices=[("weekly", _("Semanal")), ("monthly", _("Mensual"))],
        default="weekly",
    )

    onboarded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # What listings and searches read instead of the text above (members.listing). The
    # names of the member's expertise tags are written by the database only (triggers of
    # migration 0007, on the tags of a profile and on a renamed tag): a save of the profile
    # never overwrites them.
    expertise_text = models.TextField(editable=False, default="", db_default="")
    listing_key = models.GeneratedField(
        expression=ListingKey("preferred_name", "given_names", "paternal_surname", "user_id"),
        output_field=models.TextField(),
        db_persist=True,
    )
    card_words = models.GeneratedField(
        expression=CardWords(
            "preferred_name",
            "given_names",
            "paternal_surname",
            "headline",
            "city",
            "expertise_text",
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    search_words = models.GeneratedField(
        expression=SearchWords(
            "given_names",
            "paternal_surname",
            "maternal_surname",
            "preferred_name",
            "headline",
            "expertise_text",
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    # The derived columns (DERIVED_PROFILE_FIELDS) are left out of every read by default:
    # two tsvectors and the tags' text per row that no page shows (listings read them in SQL).
    objects = ProfileManager()
    # Edit history (who changed what, when): read-only in the admin.
    history = HistoricalRecords(excluded_fields=[*DERIVED_PROFILE_FIELDS, "updated_at"])

    class Meta:
        verbose_name = _("perfil")
        verbose_name_plural = _("perfiles")
        indexes = [
            models.Index(fields=["country"], name="members_profile_country"),
            models.Index(fields=["state_of_origin"], name="members_profile_state"),
            models.Index(fields=["education_level"], name="members_profile_education"),
            models.Index(fields=["-updated_at"], name="members_profile_updated"),
            # The directory, in the order it shows people, from the index alone (the key
            # ends with the id; the id beside it saves reading the row).
            models.Index(
                fields=["listing_key", "user"],
                condition=Q(directory_visibility="members"),
                name="members_profile_listing",
            ),
            models.Index(
                fields=["country", "listing_key", "user"],
                condition=Q(directory_visibility="members"),
                name="members_profile_listing_ctry",
            ),
            # Likely duplicates (members.duplicates): the same name in the same country, a
            # similar name (trigram distance, nearest first from the GiST index), the same
            # ORCID, LinkedIn or website.
            models.Index(
                "country",
                NameKey("given_names", "paternal_surname", "maternal_surname"),
                condition=~Q(given_names="") & ~Q(paternal_surname=""),
                name="members_profile_name_country",
            ),
            GistIndex(
                OpClass(
                    NameKey("given_names", "paternal_surname", "maternal_surname"),
                    name="gist_trgm_ops",
                ),
                condition=~Q(given_names="") & ~Q(paternal_surname=""),
                name="members_profile_name_trgm",
            ),
            models.Index(fields=["orcid"], condition=~Q(orcid=""), name="members_profile_orcid"),
            models.Index(
                LinkKey("linkedin_url"),
                condition=~Q(linkedin_url=""),
                name="members_profile_linkedin",
            ),
            models.Index(
                LinkKey("website"), condition=~Q(website=""), name="members_profile_website"
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def full_name(self):
        return " ".join(
            part
            for part in (self.given_names, self.paternal_surname, self.maternal_surname)
            if part
        )

    @property
    def display_name(self):
        return display_name(self.preferred_name, self.given_names, self.paternal_surname)


def display_name(preferred_name: str, given_names: str, paternal_surname: str) -> str:
    """How a member is named on pages: the preferred name, else given names and first
    surname (also for rows read without their Profile, e.g. the PNCS search)."""
    if preferred_name:
        return preferred_name
    return " ".join(p for p in (given_names, paternal_surname) if p) or str(_("Miembro"))


def full_name(user) -> str:
    """The member's full name as they wrote it (letters, certificates, travel lists), else
    the account's name, else the address's local part."""
    profile = getattr(user, "profile", None)
    if profile is not None and profile.full_name:
        return profile.full_name
    return user.get_full_name() or user.email.split("@")[0]


def public_name(user) -> str:
    """The name a member shows publicly (their profile's display name)."""
    try:
        return user.profile.display_name
    except (AttributeError, ObjectDoesNotExist):  # no user, or no profile yet
        return gettext("Miembro")


class ProfileSector(models.Model):
    """A member's sector: one to three per member, exactly one of them primary."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="profile_sectors")
    sector = models.ForeignKey(Sector, on_delete=models.PROTECT, related_name="profile_sectors")
    is_primary = models.BooleanField(_("principal"), default=False)

    class Meta:
        verbose_name = _("sector del perfil")
        verbose_name_plural = _("sectores del perfil")
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "sector"], name="members_profilesector_unique"
            ),
            models.UniqueConstraint(
                fields=["profile"],
                condition=Q(is_primary=True),
                name="members_profilesector_one_primary",
            ),
        ]
        indexes = [models.Index(fields=["sector", "profile"], name="members_profsector_sector")]

    def __str__(self):
        return f"{self.profile_id}: {self.sector_id}{' *' if self.is_primary else ''}"


def _in_language(obj, field):
    """The Spanish or English variant of a bilingual field, following the active language."""
    lang = (get_language() or settings.LANGUAGE_CODE).lower()
    english = getattr(obj, f"{field}_en")
    return english if lang.startswith("en") and english else getattr(obj, f"{field}_es")


class PrivacyNotice(models.Model):
    """One version of the aviso de privacidad. Staff write it in the admin; the newest
    published version is the current one, and every member must have accepted it."""

    version = models.PositiveIntegerField(_("versión"), unique=True)
    summary_es = models.TextField(_("aviso simplificado (español)"))
    summary_en = models.TextField(_("aviso simplificado (inglés)"))
    body_es = models.TextField(_("aviso integral (español)"))
    body_en = models.TextField(_("aviso integral (inglés)"))
    published_at = models.DateTimeField(
        _("publicado el"),
        null=True,
        blank=True,
        help_text=_("Vacío: borrador. Al publicarse, se pide a cada miembro aceptarlo de nuevo."),
    )
    created_at = models.DateTimeField(_("creado el"), auto_now_add=True)

    objects = PrivacyNoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]
        verbose_name = _("aviso de privacidad")
        verbose_name_plural = _("avisos de privacidad")

    def __str__(self):
        return str(_("Aviso de privacidad, versión %(version)s") % {"version": self.version})

    @property
    def summary(self):
        return _in_language(self, "summary")

    @property
    def body(self):
        return _in_language(self, "body")


class PrivacyAcceptance(models.Model):
    """A member accepted one version of the privacy notice, at this time."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="privacy_acceptances"
    )
    notice = models.ForeignKey(PrivacyNotice, on_delete=models.PROTECT, related_name="acceptances")
    accepted_at = models.DateTimeField(_("aceptado el"), default=timezone.now)

    class Meta:
        ordering = ["-accepted_at"]
        verbose_name = _("aceptación del aviso de privacidad")
        verbose_name_plural = _("aceptaciones del aviso de privacidad")
        constraints = [
            models.UniqueConstraint(fields=["user", "notice"], name="members_acceptance_unique")
        ]

    def __str__(self):
        return f"{self.user_id} v{self.notice_id} {self.accepted_at:%Y-%m-%d %H:%M}"


class ConsentRecord(models.Model):
    """One change of a voluntary-purpose choice (history kept as evidence, SECURITY.md D1/D4).

    `purpose` is the name of the Profile field holding the current choice."""

    class Purpose(models.TextChoices):
        DIRECTORY_VISIBILITY = "directory_visibility", _("Visibilidad en el directorio")
        SHOW_EMAIL = "show_email", _("Mostrar mi correo")
        PNCS_CONTACT = "pncs_contact", _("Contacto de los PNCS")
        NOTIFY_CHAPTER = "notify_chapter", _("Avisos de capítulos")
        NOTIFY_JORNADAS = "notify_jornadas", _("Avisos de Jornadas Informativas")
        NOTIFY_PROGRAMS = "notify_programs", _("Avisos de programas")
        NOTIFY_OPPORTUNITIES = "notify_opportunities", _("Avisos de oportunidades")
        NOTIFY_DIGEST = "notify_digest", _("Resumen de noticias")
        NOTIFY_SURVEYS = "notify_surveys", _("Encuestas y censo")

    class Source(models.TextChoices):
        SIGNUP = "signup", _("Registro")
        SETTINGS = "settings", _("Mis opciones de privacidad")
        EMAIL_LINK = "email_link", _("Enlace en un correo")
        ADMIN = "admin", _("Administración")
        DELETION = "deletion", _("Cuenta eliminada")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consent_records"
    )
    purpose = models.CharField(_("finalidad"), max_length=32, choices=Purpose.choices)
    value = models.CharField(_("valor"), max_length=20)
    source = models.CharField(_("origen"), max_length=16, choices=Source.choices)
    recorded_at = models.DateTimeField(_("registrado el"), default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("cambio de consentimiento")
        verbose_name_plural = _("historial de consentimientos")
        indexes = [models.Index(fields=["user", "-recorded_at"], name="members_consent_user")]

    def __str__(self):
        return f"{self.user_id} {self.purpose}={self.value}"

    def get_value_display(self) -> str:
        """The recorded choice in words: "Sí"/"No" for a yes-or-no purpose, the label of the
        profile field's choice otherwise (the stored value is kept as recorded, as evidence)."""
        if self.value in ("yes", "no"):
            return gettext("Sí") if self.value == "yes" else gettext("No")
        field = Profile._meta.get_field(self.purpose)
        return str(dict(field.flatchoices).get(self.value, self.value))


class ArcoRequest(models.Model):
    """A request to exercise an ARCO right that the member cannot self-serve.

    Mexican law gives the controller 20 business days to answer; `due_on` holds that date."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("Acceso")
        RECTIFICATION = "rectification", _("Rectificación")
        CANCELLATION = "cancellation", _("Cancelación")
        OPPOSITION = "opposition", _("Oposición")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Recibida")
        IN_PROGRESS = "in_progress", _("En trámite")
        ANSWERED = "answered", _("Respondida")
        REJECTED = "rejected", _("Improcedente")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="arco_requests",
    )
    kind = models.CharField(_("derecho"), max_length=16, choices=Kind.choices)
    description = models.TextField(_("descripción de la solicitud"), max_length=4000)
    status = models.CharField(
        _("estado"), max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    created_at = models.DateTimeField(_("recibida el"), default=timezone.now)
    due_on = models.DateField(_("fecha límite legal de respuesta"))
    answered_at = models.DateTimeField(_("respondida el"), null=True, blank=True)
    staff_notes = models.TextField(_("notas internas"), blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("solicitud ARCO")
        verbose_name_plural = _("solicitudes ARCO")

    def __str__(self):
        return f"ARCO #{self.pk} ({self.get_kind_display()})"


class ProfileView(models.Model):
    """What a reader saw of other members: a profile page, a page of directory cards or a
    coordinator's page of one member. One row per reader, kind, page and day.

    The rows behind the daily caps (one rule for every kind: members.services.record_read;
    a second look the same day is free) and the audit of who read what: who, when, which
    member or which filters, how many cards. No personal data of the people read is copied
    here (a member is referred to by id); staff see the top readers of the day."""

    class Kind(models.TextChoices):
        PROFILE = "profile", _("Perfil de un miembro")
        DIRECTORY = "directory", _("Página del directorio")
        PNCS_MEMBER = "pncs_member", _("Ficha de un miembro para los PNCS")
        # Program staff reading the travel data of a stage abroad (issue 23): the list,
        # its CSV or XLSX, or one participant's letter of invitation.
        PROGRAM_TRAVEL = "program_travel", _("Datos de viaje de un programa")
        # IME staff reading the travel needs of a Jornada's registrants (issue 21): the
        # logistics list, its CSV, or one registrant's letter of invitation.
        JORNADA_TRAVEL = "jornada_travel", _("Necesidades de viaje de una Jornada")

    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile_views_made",
        verbose_name=_("quién consultó"),
    )
    kind = models.CharField(_("qué consultó"), max_length=16, choices=Kind, default=Kind.PROFILE)
    # The member read (profile and PNCS pages); empty for a page of the directory.
    profile = models.ForeignKey(
        Profile,
        on_delete=models.CASCADE,
        related_name="views",
        null=True,
        blank=True,
        verbose_name=_("persona consultada"),
    )
    # A page of the directory: a digest of its filters and position (the same page read
    # twice the same day counts once), and the filters themselves.
    page = models.CharField(_("página"), max_length=64, blank=True, default="")
    filters = models.JSONField(_("filtros"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("personas mostradas"), default=1)
    viewed_on = models.DateField(_("día"))
    viewed_at = models.DateTimeField(_("visto el"), default=timezone.now)

    objects = ProfileViewQuerySet.as_manager()

    class Meta:
        verbose_name = _("consulta de datos de personas integrantes")
        verbose_name_plural = _("consultas de datos de personas integrantes")
        constraints = [
            models.UniqueConstraint(
                fields=["viewer", "kind", "profile", "viewed_on"],
                condition=Q(profile__isnull=False),
                name="members_profileview_daily",
            ),
            models.UniqueConstraint(
                fields=["viewer", "kind", "page", "viewed_on"],
                condition=Q(profile__isnull=True),
                name="members_profileview_daily_page",
            ),
        ]
        indexes = [
            models.Index(fields=["viewer", "viewed_on"], name="members_profileview_viewer"),
            # The top readers of a day (staff), from the index alone.
            models.Index(fields=["viewed_on", "viewer", "kind"], name="members_profileview_day"),
        ]

    def __str__(self):
        target = self.profile_id if self.profile_id else self.page[:8]
        return f"{self.viewer_id} -> {self.kind}:{target} {self.viewed_on}"


# --- Duplicates and merges (issue 26) ------------------------------------------------------


class DuplicateCandidate(models.Model):
    """Two accounts that may be one person, for staff to review (members.duplicates finds
    them). One row per pair, the lower id first; a pair staff dismissed stays dismissed."""

    class Reason(models.TextChoices):
        NAME_COUNTRY = "name_country", _("Mismo nombre y país")
        SIMILAR_NAME = "similar_name", _("Nombre parecido")
        LINK = "link", _("Mismo ORCID, LinkedIn o sitio web")
        MAILBOX = "mailbox", _("El mismo buzón de correo escrito de otra forma")
        EMAIL_LOCAL = "email_local", _("Correos con la misma parte local")

    class Status(models.TextChoices):
        OPEN = "open", _("Por revisar")
        DISMISSED = "dismissed", _("No es un duplicado")
        MERGING = "merging", _("Fusión iniciada")
        MERGED = "merged", _("Fusionadas")

    first = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("cuenta A"),
    )
    second = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("cuenta B"),
    )
    reasons = ArrayField(
        models.CharField(max_length=16, choices=Reason.choices), verbose_name=_("motivos")
    )
    similarity = models.FloatField(_("parecido de los nombres"), default=0)
    status = models.CharField(_("estado"), max_length=12, choices=Status, default=Status.OPEN)
    found_at = models.DateTimeField(_("detectado el"), default=timezone.now)
    reviewed_at = models.DateTimeField(_("revisado el"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revisado por"),
    )

    class Meta:
        verbose_name = _("posible cuenta duplicada")
        verbose_name_plural = _("posibles cuentas duplicadas")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="members_duplicate_pair"),
            models.CheckConstraint(
                condition=Q(first__lt=models.F("second")), name="members_duplicate_ordered"
            ),
        ]
        indexes = [models.Index(fields=["status", "-found_at"], name="members_duplicate_queue")]

    def __str__(self):
        return f"#{self.first_id} / #{self.second_id}"

    def reason_labels(self) -> list[str]:
        return [str(self.Reason(r).label) for r in self.reasons if r in self.Reason.values]


class AccountMerge(models.Model):
    """Two accounts of one person becoming one: `merged` moves into `kept` once the owner
    of each address confirmed it by a signed link (members.services.merging). The row is
    the audit of the merge (who started it, when each side confirmed, what moved and what
    was dropped) and the member's data export explains it from here."""

    class Kind(models.TextChoices):
        STAFF = "staff", _("Iniciada por el personal")
        SELF = "self", _("Pedida por la persona")

    class Status(models.TextChoices):
        PENDING = "pending", _("Esperando confirmación")
        DONE = "done", _("Fusionadas")
        CANCELLED = "cancelled", _("Cancelada")

    kept = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="merges_kept",
        verbose_name=_("cuenta que se conserva"),
    )
    merged = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="merges_absorbed",
        verbose_name=_("cuenta que se fusiona y se cierra"),
    )
    kind = models.CharField(_("tipo"), max_length=8, choices=Kind)
    status = models.CharField(_("estado"), max_length=12, choices=Status, default=Status.PENDING)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("iniciada por"),
    )
    candidate = models.ForeignKey(
        DuplicateCandidate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merges",
        verbose_name=_("posible duplicado"),
    )
    # The addresses the links went to: a link is void once its account's address changed.
    kept_email = models.EmailField(_("correo de la cuenta que se conserva"))
    merged_email = models.EmailField(_("correo de la cuenta que se fusiona"))
    kept_confirmed_at = models.DateTimeField(_("confirmada por la cuenta conservada"), null=True)
    merged_confirmed_at = models.DateTimeField(_("confirmada por la otra cuenta"), null=True)
    created_at = models.DateTimeField(_("iniciada el"), default=timezone.now)
    expires_at = models.DateTimeField(_("vence el"))
    completed_at = models.DateTimeField(_("terminada el"), null=True, blank=True)
    # What moved and what was dropped, per app (members.services.merging.move_rows).
    summary = models.JSONField(_("resumen"), default=dict, blank=True)

    class Meta:
        verbose_name = _("fusión de cuentas")
        verbose_name_plural = _("fusiones de cuentas")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kept=models.F("merged")), name="members_merge_two_accounts"
            ),
            # One pending merge per account at a time: two would race for the same rows.
            models.UniqueConstraint(
                fields=["merged"],
                condition=Q(status="pending"),
                name="members_merge_one_pending",
            ),
        ]
        indexes = [models.Index(fields=["kept", "status"], name="members_merge_kept")]

    def __str__(self):
        return f"#{self.merged_id} -> #{self.kept_id} ({self.get_status_display()})"


# --- allauth's rows in the admin, named in the site's languages ----------------------------
# allauth's Authenticator and UserSession models carry no translatable names, so the admin
# listed them as "Authenticators" and "User sessions" on Spanish pages. Proxies (no table of
# their own) give them names in both languages; members.admin registers these instead.


class SecondFactor(Authenticator):
    class Meta:
        proxy = True
        verbose_name = _("segundo factor de acceso")
        verbose_name_plural = _("segundos factores de acceso")


class SignedInSession(UserSession):
    class Meta:
        proxy = True
        verbose_name = _("sesión iniciada")
        verbose_name_plural = _("sesiones iniciadas")
