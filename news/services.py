"""Writing, submitting, reviewing and withdrawing news posts (each owns its transaction)."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from core.access import is_ime_staff
from members.models import public_name
from members.services import queue_email_to_user

from .models import RESERVED_SLUGS, Post, Tag, TrustedAuthor

NOT_SUBMITTABLE = _("Solo se puede enviar a revisión un borrador o una noticia devuelta.")
NOT_PENDING = _("Esta noticia ya no está en revisión.")
REASON_REQUIRED = _("Escribe el motivo de la devolución: la autora o el autor lo leerá.")
NOT_EDITABLE = _("Esta noticia ya está en revisión o publicada; no se puede cambiar.")
NOT_ALLOWED = _("Ya no puedes publicar en nombre de este sector o capítulo.")

MAX_TAGS = 8


class NewsError(Exception):
    """A state change that cannot happen; `message` is a translatable constant."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def is_trusted(user) -> bool:
    """IME staff and the authors IME marked trusted publish without review."""
    return is_ime_staff(user) or TrustedAuthor.objects.filter(user=user.pk).exists()


def unique_slug(title: str, *, exclude_pk=None) -> str:
    """A slug from the title, unique among posts, never a reserved path of /news/."""
    base = (slugify(title) or "noticia")[:70].strip("-") or "noticia"
    taken = set(
        Post.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    candidate, n = base, 1
    while candidate in taken or candidate in RESERVED_SLUGS:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def tags_from_names(names: list[str]) -> list[Tag]:
    """The tags named (created when new), lower case, at most MAX_TAGS."""
    tags = []
    for name in names[:MAX_TAGS]:
        slug = slugify(name)[:50]
        if not slug:
            continue
        tag, _created = Tag.objects.get_or_create(slug=slug, defaults={"name": name[:40]})
        tags.append(tag)
    return tags


def save_post(*, form, author, submit: bool) -> Post:
    """Save a post from a valid PostForm (new, a draft or a returned one), then submit it
    when asked: published at once for trusted authors, to IME's review otherwise."""
    with transaction.atomic():
        post = form.save(commit=False)
        if post.pk:
            current = Post.objects.select_for_update().get(pk=post.pk)
            if current.status not in (Post.Status.DRAFT, Post.Status.REJECTED) and not (
                is_ime_staff(author)
            ):
                raise NewsError(NOT_EDITABLE)
        else:
            post.author = author
        post.slug = unique_slug(post.title_es, exclude_pk=post.pk)
        post.save()
        post.tags.set(tags_from_names(form.cleaned_data.get("tag_names", [])))
    if submit and post.status in (Post.Status.DRAFT, Post.Status.REJECTED):
        post = submit_post(post_id=post.pk, by=author)
    return post


def submit_post(*, post_id: int, by) -> Post:
    """Send a draft or returned post on: published when its author is trusted, to review
    otherwise. The publication date is never before the moment it goes live."""
    with transaction.atomic():
        post = Post.objects.select_for_update().filter(pk=post_id).first()
        if post is None or post.status not in (Post.Status.DRAFT, Post.Status.REJECTED):
            raise NewsError(NOT_SUBMITTABLE)
        now = timezone.now()
        post.submitted_at = now
        if is_trusted(by):
            post.status = Post.Status.PUBLISHED
            post.published_at = max(post.published_at, now)
            post.rejection_reason = ""
        else:
            post.status = Post.Status.PENDING
        post.save(update_fields=["status", "submitted_at", "published_at", "rejection_reason"])
    return post


def approve_post(*, post_id: int, by, trust_author: bool = False) -> Post:
    """IME publishes a post under review (from its publication date, or now if that has
    passed), and optionally marks its author trusted from then on."""
    with transaction.atomic():
        post = Post.objects.select_for_update().filter(pk=post_id).first()
        if post is None or post.status != Post.Status.PENDING:
            raise NewsError(NOT_PENDING)
        now = timezone.now()
        post.status = Post.Status.PUBLISHED
        post.published_at = max(post.published_at, now)
        post.reviewed_by = by
        post.reviewed_at = now
        post.rejection_reason = ""
        post.save(
            update_fields=[
                "status",
                "published_at",
                "reviewed_by",
                "reviewed_at",
                "rejection_reason",
            ]
        )
        if trust_author and post.author_id:
            TrustedAuthor.objects.get_or_create(user_id=post.author_id, defaults={"granted_by": by})
        _tell_author(post, approved=True)
    return post


def reject_post(*, post_id: int, by, reason: str) -> Post:
    """IME returns a post under review to its author with the reason (which they read)."""
    reason = (reason or "").strip()
    if not reason:
        raise NewsError(REASON_REQUIRED)
    with transaction.atomic():
        post = Post.objects.select_for_update().filter(pk=post_id).first()
        if post is None or post.status != Post.Status.PENDING:
            raise NewsError(NOT_PENDING)
        post.status = Post.Status.REJECTED
        post.rejection_reason = reason
        post.reviewed_by = by
        post.reviewed_at = timezone.now()
        post.save(update_fields=["status", "rejection_reason", "reviewed_by", "reviewed_at"])
        _tell_author(post, approved=False)
    return post


def _tell_author(post: Post, *, approved: bool) -> None:
    """Mail the author IME's decision in their language, once the decision commits: the
    post's page when published, the reason and the link to edit it when returned. A post
    whose author's account is gone tells no one."""
    author = post.author
    if author is None or not author.is_active:
        return
    queue_email_to_user(
        user=author,
        subject=lambda: (
            (
                pgettext("news mail", "Tu noticia se publicó: %(title)s")
                if approved
                else pgettext("news mail", "Tu noticia volvió con comentarios: %(title)s")
            )
            % {"title": post.title}
        ),
        template="news/email/review_decision.txt",
        context=lambda: {
            "name": public_name(author),
            "post": post,
            "approved": approved,
            "reason": post.rejection_reason,
            "post_url": settings.SITE_URL + post.get_absolute_url(),
            "edit_url": settings.SITE_URL + reverse("news:edit", args=[post.pk]),
            "signature": gettext("Red de Talentos Mexicanos"),
        },
    )


def withdraw_post(*, post_id: int, by) -> Post:
    """The author (or IME) takes a post back to draft: it leaves the site and the feeds."""
    with transaction.atomic():
        post = Post.objects.select_for_update().filter(pk=post_id).first()
        if post is None or post.status == Post.Status.DRAFT:
            raise NewsError(NOT_SUBMITTABLE)
        post.status = Post.Status.DRAFT
        post.save(update_fields=["status"])
    return post
