"""The chapter's officer area: its board, the appointments and ends of term its president
(or board) makes without IME, and the board's history (chapters.services keeps the rules)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.access import is_ime_staff, lacks_second_factor, mfa_setup_redirect

from . import services
from .forms import AppointOfficerForm
from .models import Chapter, Officer

APPOINTED_MESSAGE = _("Cargo nombrado. La persona ya tiene las herramientas de la mesa directiva.")
ENDED_MESSAGE = _("Periodo terminado. La persona queda en el historial de la mesa directiva.")
HISTORY_SHOWN = 50


def _managed_chapter(request, slug):
    """The chapter, if the user manages it (officers, regional coordinators, IME): else 404."""
    return get_object_or_404(Chapter.objects.managed_by(request.user), slug=slug)


def _roles_for(user):
    return Officer.Role.values if is_ime_staff(user) else services.appointable_roles()


@never_cache
@login_required
def officers(request, slug):
    """The board today, the past officers, the changes, and (for who may) the appointment form."""
    chapter = _managed_chapter(request, slug)
    if lacks_second_factor(request.user):
        return mfa_setup_redirect(request)
    may_appoint = services.may_appoint(user=request.user, chapter=chapter)
    roles = _roles_for(request.user)
    form = None
    if may_appoint:
        form = AppointOfficerForm(
            request.POST or None,
            chapter=chapter,
            roles=roles,
            initial={"term_start": timezone.localdate()},
        )
    elif request.method == "POST":
        messages.error(request, services.NOT_APPOINTER_MESSAGE)
        return redirect("chapters:officers", slug=chapter.slug)
    if request.method == "POST" and form.is_valid():
        try:
            services.appoint_officer(
                chapter=chapter, appointed_by=request.user, **form.cleaned_data
            )
        except services.ChapterActionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, APPOINTED_MESSAGE)
            return redirect("chapters:officers", slug=chapter.slug)
    today = timezone.localdate()
    terms = Officer.objects.filter(chapter=chapter).select_related("user__profile")
    current = list(terms.current(today).order_by("role", "term_start"))
    past = list(terms.exclude(pk__in=[o.pk for o in current]).order_by("-term_start"))
    changes = list(
        Officer.history.filter(chapter_id=chapter.pk)
        .select_related("history_user__profile", "user__profile")
        .order_by("-history_date")[:HISTORY_SHOWN]
    )
    return render(
        request,
        "chapters/officers.html",
        {
            "chapter": chapter,
            "current": current,
            "past": past,
            "changes": changes,
            "form": form,
            "may_appoint": may_appoint,
            "read_only": chapter.suspended_at is not None,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def officer_end(request, slug, pk):
    """End a current term of the chapter today (president or board, per the chapter)."""
    chapter = _managed_chapter(request, slug)
    if lacks_second_factor(request.user):
        return mfa_setup_redirect(request)
    try:
        services.end_officer_term(officer_id=pk, ended_by=request.user, chapter=chapter)
    except services.ChapterActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ENDED_MESSAGE)
    return redirect("chapters:officers", slug=chapter.slug)
