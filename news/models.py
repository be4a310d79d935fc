"""News of the network: posts by PNCS coordinators (their sector), chapter officers (their
chapter) and IME staff (the whole network), bilingual Markdown sanitised as announcements
are, reviewed by IME unless the author is trusted; their tags and the trusted authors."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from members.models import Sector

from .querysets import PostQuerySet

# Paths under /news/ that are not posts: a post's slug never takes one of them.
RESERVED_SLUGS = frozenset({"manage", "feed", "tags"})


def _in_english():
    return (get_language() or settings.LANGUAGE_CODE).lower().startswith("en")


def image_upload_to(instance, filename):
    # The name is random (core.images re-encodes to JPEG under a random name too); the
    # directory is the one news.files serves from, to who may see the post.
    return f"news/{secrets.token_hex(16)}.jpg"


class Tag(models.Model):
    """A free keyword of posts (lower case), shared by every author."""

    name = models.CharField(_("nombre"), max_length=40, unique=True)
    slug = models.SlugField(_("identificador"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("etiqueta")
        verbose_name_plural = _("etiquetas")

    def __str__(self):
        return self.name


class Post(models.Model):
    """One news post, in Spanish and English, of a sector, a chapter or the whole network."""

    class Scope(models.TextChoices):
        NETWORK = "network", _("Toda la red")
        SECTOR = "sector", _("Sector (PNCS)")
        CHAPTER = "chapter", _("Capítulo")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Borrador")
        PENDING = "pending", _("En revisión")
        PUBLISHED = "published", _("Publicada")
        REJECTED = "rejected", _("Devuelta")

    scope = models.CharField(_("ámbito"), max_length=10, choices=Scope.choices)
    sector = models.ForeignKey(
        Sector,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name=_("sector"),
    )
    chapter = models.ForeignKey(
        "chapters.Chapter",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name=_("capítulo"),
    )
    slug = models.SlugField(_("identificador"), max_length=80, unique=True, editable=False)
    title_es = models.CharField(_("título (español)"), max_length=200)
    title_en = models.CharField(_("título (inglés)"), max_length=200)
    summary_es = models.CharField(
        _("resumen (español)"),
        max_length=300,
        help_text=_("Una o dos frases: aparecen en la lista, en los canales y al compartir."),
    )
    summary_en = models.CharField(_("resumen (inglés)"), max_length=300)
    body_es = models.TextField(
        _("texto (español)"), max_length=20000, help_text=_("En formato Markdown.")
    )
    body_en = models.TextField(
        _("texto (inglés)"), max_length=20000, help_text=_("En formato Markdown.")
    )
    image = models.ImageField(_("imagen"), upload_to=image_upload_to, blank=True)
    tags = models.ManyToManyField(
        Tag, blank=True, related_name="posts", verbose_name=_("etiquetas")
    )
    published_at = models.DateTimeField(
        _("fecha de publicación"),
        help_text=_("La noticia aparece a partir de esta fecha (y nunca antes de aprobarse)."),
    )
    status = models.CharField(
        _("estado"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    rejection_reason = models.TextField(_("motivo de la devolución"), max_length=2000, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="news_posts",
        verbose_name=_("persona autora"),
    )
    submitted_at = models.DateTimeField(_("enviada a revisión el"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revisada por"),
    )
    reviewed_at = models.DateTimeField(_("revisada el"), null=True, blank=True)
    created_at = models.DateTimeField(_("creada el"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizada el"), auto_now=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("noticia")
        verbose_name_plural = _("noticias")
        constraints = [
            # Exactly the target its scope names: a sector post has a sector and no chapter...
            models.CheckConstraint(
                condition=(
                    Q(scope="network", sector__isnull=True, chapter__isnull=True)
                    | Q(scope="sector", sector__isnull=False, chapter__isnull=True)
                    | Q(scope="chapter", sector__isnull=True, chapter__isnull=False)
                ),
                name="news_post_scope_target",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="news_post_published"),
        ]

    def __str__(self):
        return self.title_es

    def get_absolute_url(self):
        return reverse("news:detail", kwargs={"slug": self.slug})

    def _pick(self, field):
        spanish, english = getattr(self, f"{field}_es"), getattr(self, f"{field}_en")
        return (english or spanish) if _in_english() else (spanish or english)

    @property
    def title(self):
        return self._pick("title")

    @property
    def summary(self):
        return self._pick("summary")

    @property
    def body(self):
        return self._pick("body")

    @property
    def is_live(self):
        return self.status == self.Status.PUBLISHED

    @property
    def source_name(self):
        """Who the post speaks for: the sector's PNCS, the chapter or the network."""
        if self.scope == self.Scope.SECTOR and self.sector_id:
            return self.sector.name
        if self.scope == self.Scope.CHAPTER and self.chapter_id:
            return self.chapter.name
        return _("Red de Talentos Mexicanos")


class TrustedAuthor(models.Model):
    """An author whose posts IME publishes without reviewing them first."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="trusted_author",
        verbose_name=_("persona"),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("otorgado por"),
    )
    granted_at = models.DateTimeField(_("otorgado el"), auto_now_add=True)

    class Meta:
        verbose_name = _("persona autora de confianza")
        verbose_name_plural = _("personas autoras de confianza")

    def __str__(self):
        return str(self.user)


class DigestRun(models.Model):
    """The news digest of one period for one frequency: written once (unique), which is
    what makes a re-run of the periodic task, a retry or a second worker send nothing twice."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Semanal")
        MONTHLY = "monthly", _("Mensual")

    frequency = models.CharField(_("frecuencia"), max_length=8, choices=Frequency.choices)
    period_start = models.DateTimeField(_("desde"))
    period_end = models.DateTimeField(_("hasta"))
    created_at = models.DateTimeField(_("preparado el"), auto_now_add=True)
    recipient_count = models.PositiveIntegerField(_("personas destinatarias"), default=0)

    class Meta:
        ordering = ["-period_start", "frequency"]
        verbose_name = _("resumen de noticias")
        verbose_name_plural = _("resúmenes de noticias")
        constraints = [
            models.UniqueConstraint(
                fields=["frequency", "period_start"], name="news_digestrun_once_per_period"
            )
        ]

    def __str__(self):
        return f"{self.get_frequency_display()} {self.period_start:%Y-%m-%d}"


class Digest(models.Model):
    """One message of a run: the posts a group of subscribers shares (the network's, and
    those of the sectors and chapters they follow). Its announcement (announcements app,
    `audience_digests`) is sent to its recipients through the outbox."""

    run = models.ForeignKey(
        DigestRun, on_delete=models.CASCADE, related_name="digests", verbose_name=_("resumen")
    )
    posts = models.ManyToManyField(Post, related_name="digests", verbose_name=_("noticias"))

    class Meta:
        verbose_name = _("grupo del resumen")
        verbose_name_plural = _("grupos del resumen")

    def __str__(self):
        return f"{self.run} #{self.pk}"


class DigestRecipient(models.Model):
    """A subscriber in one group of one run: at most one group per person and run."""

    run = models.ForeignKey(DigestRun, on_delete=models.CASCADE, related_name="+")
    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="news_digests"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "user"], name="news_digestrecipient_once")
        ]
        indexes = [models.Index(fields=["digest", "user"], name="news_digestrecipient_digest")]

    def __str__(self):
        return f"{self.digest_id} → {self.user_id}"
