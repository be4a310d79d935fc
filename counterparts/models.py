"""Mexican organisations (counterparts of the network, issue 20): companies, universities,
research centres, public bodies and civil society. An organisation is registered by a
person, verified by the PNCS of its main sector, and only then shown to the public."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from members.choices import MexicanState
from members.models import Sector

from .querysets import InvitationQuerySet, OrganizationQuerySet
from .validators import validate_rfc


class Organization(models.Model):
    class Kind(models.TextChoices):
        COMPANY = "company", _("Empresa")
        UNIVERSITY = "university", _("Universidad")
        RESEARCH_CENTRE = "research", _("Centro de investigación")
        PUBLIC_BODY = "public", _("Organismo público")
        CIVIL_SOCIETY = "civil", _("Sociedad civil")

    class Size(models.TextChoices):
        MICRO = "micro", _("Micro (hasta 10 personas)")
        SMALL = "small", _("Pequeña (11 a 50)")
        MEDIUM = "medium", _("Mediana (51 a 250)")
        LARGE = "large", _("Grande (más de 250)")

    class Status(models.TextChoices):
        PENDING = "pending", _("En revisión")
        INFO_REQUESTED = "info", _("Se pidió más información")
        VERIFIED = "verified", _("Verificada")
        DECLINED = "declined", _("No aceptada")

    legal_name = models.CharField(_("razón social"), max_length=200)
    slug = models.SlugField(_("dirección en el sitio"), max_length=80, unique=True)
    kind = models.CharField(_("tipo"), max_length=12, choices=Kind.choices)
    rfc = models.CharField(_("RFC"), max_length=13, validators=[validate_rfc])
    state = models.CharField(_("estado"), max_length=3, choices=MexicanState.choices)
    city = models.CharField(_("ciudad"), max_length=100)
    main_sector = models.ForeignKey(
        Sector,
        verbose_name=_("sector principal"),
        on_delete=models.PROTECT,
        related_name="main_organizations",
        help_text=_("El PNCS de este sector verifica la organización."),
    )
    sectors = models.ManyToManyField(
        Sector, verbose_name=_("otros sectores"), related_name="organizations", blank=True
    )
    size = models.CharField(_("tamaño"), max_length=8, choices=Size.choices)
    website = models.URLField(_("sitio web"), blank=True)
    description_es = models.TextField(_("descripción (español)"), max_length=2000, blank=True)
    description_en = models.TextField(_("descripción (inglés)"), max_length=2000, blank=True)
    contact_name = models.CharField(_("persona de contacto"), max_length=150)
    contact_email = models.EmailField(_("correo de contacto"))
    contact_phone = models.CharField(_("teléfono de contacto"), max_length=30, blank=True)
    status = models.CharField(
        _("estado de la verificación"),
        max_length=10,
        choices=Status.choices,
        default=Status.PENDING,
    )
    decision_reason = models.TextField(
        _("motivo o información pedida"), max_length=2000, blank=True
    )
    decided_at = models.DateTimeField(_("decidido el"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decidido por"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registrada el"))
    submitted_at = models.DateTimeField(_("enviada a revisión el"))

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organización")
        verbose_name_plural = _("organizaciones")
        ordering = ["legal_name"]
        constraints = [
            models.UniqueConstraint(Lower("rfc"), name="counterparts_org_rfc_unique"),
        ]
        indexes = [models.Index(fields=["status", "main_sector"], name="counterparts_org_queue")]

    def __str__(self):
        return self.legal_name

    @property
    def description(self):
        if get_language() == "en" and self.description_en:
            return self.description_en
        return self.description_es or self.description_en


class OrganizationMember(models.Model):
    """A person who acts for an organisation: an owner manages its people and data."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Responsable")
        MEMBER = "member", _("Integrante")

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organización"),
        on_delete=models.CASCADE,
        related_name="people",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("persona"),
        on_delete=models.CASCADE,
        related_name="organization_memberships",
    )
    role = models.CharField(_("papel"), max_length=8, choices=Role.choices)
    created_at = models.DateTimeField(_("desde"))

    class Meta:
        verbose_name = _("persona de la organización")
        verbose_name_plural = _("personas de la organización")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"], name="counterparts_person_once"
            ),
        ]

    def __str__(self):
        return f"{self.organization} #{self.user_id}"


class OrganizationInvitation(models.Model):
    """An owner invites someone by e-mail to act for the organisation; the person accepts
    once signed in with that address."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organización"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    email = models.EmailField(_("correo electrónico"))
    role = models.CharField(_("papel"), max_length=8, choices=OrganizationMember.Role.choices)
    token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invitada por"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("enviada el"))
    expires_at = models.DateTimeField(_("vence el"))
    accepted_at = models.DateTimeField(_("aceptada el"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitación a una organización")
        verbose_name_plural = _("invitaciones a organizaciones")

    def __str__(self):
        return f"{self.organization} → {self.email}"
