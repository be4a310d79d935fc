"""News pages: the public list and a post's page; the authors' desk (their posts, writing,
submitting); IME's review (approve, or return with a reason)."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from announcements.mail import markdown_to_html
from core.access import is_ime_staff
from core.replica import replica_reads

from .access import author_required, may_write_for, reviewer_required
from .filters import PostFilter
from .forms import ApproveForm, PostForm, RejectForm
from .models import Post
from .services import (
    NOT_ALLOWED,
    NOT_EDITABLE,
    NewsError,
    approve_post,
    reject_post,
    save_post,
    submit_post,
    withdraw_post,
)

POSTS_PER_PAGE = 12
SAVED_DRAFT = _("Borrador guardado.")
SUBMITTED = _("Noticia enviada: el IME la revisará antes de publicarla.")
PUBLISHED = _("Noticia publicada.")
APPROVED = _("Noticia aprobada y publicada.")
REJECTED = _("Noticia devuelta a su autora o autor con el motivo.")
WITHDRAWN = _("La noticia volvió a borrador; ya no aparece en el sitio.")


def _body_html(post):
    """The body in the active language: Markdown rendered and sanitised by nh3 exactly as
    announcements are (announcements.mail.markdown_to_html), the only markup shown."""
    return mark_safe(markdown_to_html(post.body))  # noqa: S308 - sanitised by nh3


def _outcome_message(post):
    return PUBLISHED if post.status == Post.Status.PUBLISHED else SUBMITTED


@require_GET
@replica_reads
def post_list(request):
    """Everything published, newest first, filterable by sector, chapter and tag."""
    filterset = PostFilter(request.GET or None, queryset=Post.objects.published().for_listing())
    posts = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    page = Paginator(posts, POSTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "news/post_list.html",
        {"filter": filterset, "page_obj": page, "query": query.urlencode()},
    )


@require_GET
def post_detail(request, slug):
    """A post, with Open Graph and a meta description; unpublished ones only to their
    author and IME (everyone else: 404)."""
    post = get_object_or_404(
        Post.objects.visible_to(request.user)
        .select_related("sector", "chapter")
        .prefetch_related("tags"),
        slug=slug,
    )
    is_live = Post.objects.published().filter(pk=post.pk).exists()
    description = Truncator(strip_tags(post.summary)).chars(160)
    image_url = f"{settings.SITE_URL}{post.image.url}" if post.image else ""
    return render(
        request,
        "news/post_detail.html",
        {
            "post": post,
            "is_live": is_live,
            "body_html": _body_html(post),
            "meta_description": description,
            "canonical_url": f"{settings.SITE_URL}{request.path}",
            "image_url": image_url,
        },
    )


# --- The authors' desk ------------------------------------------------------------------


@never_cache
@author_required
def manage_home(request):
    """The author's posts in every state (IME: also how many wait for review)."""
    posts = Post.objects.authored_by(request.user).for_listing()
    pending = Post.objects.awaiting_review().count() if is_ime_staff(request.user) else None
    return render(request, "news/manage_home.html", {"posts": posts, "pending": pending})


def _edit(request, post=None):
    form = PostForm(request.POST or None, request.FILES or None, instance=post, user=request.user)
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            saved = save_post(form=form, author=request.user, submit=submit)
        except NewsError as exc:
            messages.error(request, exc.message)
            return redirect("news:manage")
        messages.success(request, _outcome_message(saved) if submit else SAVED_DRAFT)
        return redirect("news:manage")
    return render(request, "news/post_form.html", {"form": form, "post": post})


@never_cache
@author_required
def post_create(request):
    """Write a post for a sector, a chapter or the network (what the author may write for)."""
    return _edit(request)


def _own_post(request, pk):
    post = get_object_or_404(
        Post.objects.authored_by(request.user)
        if not is_ime_staff(request.user)
        else Post.objects.all(),
        pk=pk,
    )
    return post


@never_cache
@author_required
def post_edit(request, pk):
    """Edit one's draft or returned post (IME: any post)."""
    post = _own_post(request, pk)
    if not may_write_for(request.user, post):
        messages.error(request, NOT_ALLOWED)
        return redirect("news:manage")
    if post.status not in (Post.Status.DRAFT, Post.Status.REJECTED) and not is_ime_staff(
        request.user
    ):
        messages.error(request, NOT_EDITABLE)
        return redirect("news:manage")
    return _edit(request, post)


@require_POST
@author_required
def post_submit(request, pk):
    """Send a draft or returned post to review (published at once if trusted)."""
    post = _own_post(request, pk)
    if not may_write_for(request.user, post):
        messages.error(request, NOT_ALLOWED)
        return redirect("news:manage")
    try:
        post = submit_post(post_id=post.pk, by=request.user)
    except NewsError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _outcome_message(post))
    return redirect("news:manage")


@require_POST
@author_required
def post_withdraw(request, pk):
    """Take one's post back to draft (it leaves the site and the feeds)."""
    post = _own_post(request, pk)
    try:
        withdraw_post(post_id=post.pk, by=request.user)
    except NewsError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, WITHDRAWN)
    return redirect("news:manage")


# --- IME's review -----------------------------------------------------------------------


@never_cache
@reviewer_required
def review_list(request):
    """Posts waiting for review, oldest first, with what each author has had published."""
    posts = (
        Post.objects.awaiting_review()
        .select_related("sector", "chapter", "author__profile")
        .annotate(
            author_published=Count(
                "author__news_posts",
                filter=Q(author__news_posts__status=Post.Status.PUBLISHED),
            )
        )
    )
    return render(request, "news/review_list.html", {"posts": posts})


@never_cache
@reviewer_required
def review(request, pk):
    """One post under review: read it, approve it (optionally trusting its author) or
    return it with a reason."""
    post = get_object_or_404(
        Post.objects.select_related("sector", "chapter", "author__profile").prefetch_related(
            "tags"
        ),
        pk=pk,
    )
    approve_form, reject_form = ApproveForm(), RejectForm()
    if request.method == "POST":
        try:
            if request.POST.get("decision") == "approve":
                approve_form = ApproveForm(request.POST)
                if approve_form.is_valid():
                    approve_post(
                        post_id=post.pk,
                        by=request.user,
                        trust_author=approve_form.cleaned_data["trust_author"],
                    )
                    messages.success(request, APPROVED)
                    return redirect("news:review_list")
            else:
                reject_form = RejectForm(request.POST)
                if reject_form.is_valid():
                    reject_post(
                        post_id=post.pk, by=request.user, reason=reject_form.cleaned_data["reason"]
                    )
                    messages.success(request, REJECTED)
                    return redirect("news:review_list")
        except NewsError as exc:
            messages.error(request, exc.message)
            return redirect("news:review_list")
    return render(
        request,
        "news/review.html",
        {
            "post": post,
            "body_html": _body_html(post),
            "approve_form": approve_form,
            "reject_form": reject_form,
        },
        status=400 if request.method == "POST" else 200,
    )
