"""Public pages of chapters and Jornadas, and the members' join/leave/register actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.access import is_ime_staff, lacks_second_factor, mfa_setup_redirect, role_required
from core.replica import replica_reads
from core.worldmap import land_path, world_geometry

from . import page_cache, services
from .exports import calendar_for, participants_csv_response
from .filters import ChapterFilter
from .forms import (
    MembershipDecisionForm,
    MembershipRequestForm,
    RegistrationForm,
    TravelNeedsForm,
)
from .models import (
    AgendaItem,
    Chapter,
    Jornada,
    Material,
    Membership,
    Registration,
    Speaker,
    TravelNeeds,
)
from .querysets import managed_chapter_ids

JOIN_REQUESTED_MESSAGE = _("Solicitud enviada. La mesa directiva del capítulo la revisará.")
LEFT_MESSAGE = _("Saliste del capítulo.")
WITHDRAWN_MESSAGE = _("Retiraste tu solicitud.")
HOME_SET_MESSAGE = _("Listo: este es ahora tu capítulo principal.")
REGISTERED_MESSAGES = {
    Registration.Status.CONFIRMED: _("¡Listo! Tu lugar está confirmado."),
    Registration.Status.WAITLISTED: _("El cupo está lleno: quedaste en la lista de espera."),
    Registration.Status.PENDING: _("Recibimos tu registro; el equipo lo revisará."),
}
CANCELLED_MESSAGE = _("Cancelaste tu registro.")
TRAVEL_SAVED_MESSAGE = _("Guardamos tus necesidades de viaje.")
TRAVEL_DELETED_MESSAGE = _("Borramos tus necesidades de viaje.")
DECISION_INVALID_MESSAGE = _("Elige aprobar o rechazar una solicitud.")
APPROVED_MESSAGE = _("Solicitud aprobada; avisamos a la persona por correo.")
REJECTED_MESSAGE = _("Solicitud rechazada; avisamos a la persona por correo con el motivo.")


def officiates_or_ime(user) -> bool:
    """IME staff, or an officer of at least one chapter today."""
    return is_ime_staff(user) or managed_chapter_ids(user).exists()


# --- Chapters ---------------------------------------------------------------------------


@require_GET
@replica_reads
def chapter_list(request):
    """Chapters, filtered by region and country, with a server-side SVG map.

    The list itself (filters, map, cards) is the same for every visitor: it is rendered
    once per language and filter and cached under the chapter pages' generation
    (page_cache.list_section); a filter value outside the known ones is rendered each time,
    with its error, and never cached."""
    region, country = request.GET.get("region", ""), request.GET.get("country", "")
    section = page_cache.list_section(
        region, country, render=lambda: _render_chapter_list(region, country)
    )
    return render(request, "chapters/chapter_list.html", {"section": section})


def _render_chapter_list(region, country):
    """The list's section (chapters/chapter_list.html#chapter-list) for these filters."""
    data = QueryDict(mutable=True)
    for name, value in (("region", region), ("country", country)):
        if value:
            data[name] = value
    filterset = ChapterFilter(data or None, queryset=Chapter.objects.public().for_listing())
    chapters = list(filterset.qs)
    counts = page_cache.member_counts()
    for chapter in chapters:
        chapter.member_count = counts.get(chapter.pk, 0)
    mapped = [c for c in chapters if c.latitude is not None and c.longitude is not None]
    return render_to_string(
        "chapters/chapter_list.html#chapter-list",
        {
            "filter": filterset,
            "chapters": chapters,
            "mapped": mapped,
            # The figures' world map (core.worldmap): real outlines under the pins.
            "map_land": land_path(),
            "map_size": world_geometry(),
        },
    )


def _membership_of(user, chapter):
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(chapter=chapter, user=user).first()


def _render_chapter(request, chapter, page, *, form=None, status=200):
    """The chapter page: the cached public sections (page_cache) around the visitor's box."""
    pending_requests = None
    user = request.user
    if user.is_staff and Chapter.objects.managed_by(user).filter(pk=chapter.pk).exists():
        pending_requests = Membership.objects.pending().filter(chapter=chapter).count()
    return render(
        request,
        "chapters/chapter_detail.html",
        {
            "chapter": chapter,
            "page": page,
            "membership": _membership_of(user, chapter),
            "form": form or MembershipRequestForm(),
            "pending_requests": pending_requests,
        },
        status=status,
    )


@require_GET
def chapter_detail(request, slug):
    """Description, officers, member count, upcoming events and the visitor's join button.

    Anonymous visitors (most of the traffic) get the cached public sections without a
    query; a signed-in visitor's chapter is looked up (visible_to) for their own box."""
    if not request.user.is_authenticated:
        page = page_cache.public_page(slug)
        if page is None or not page["is_public"]:
            raise Http404("no such chapter")
        return render(request, "chapters/chapter_detail.html", {"page": page})
    chapter = get_object_or_404(Chapter.objects.visible_to(request.user), slug=slug)
    page = page_cache.public_page(slug)
    if page is None:  # renamed meanwhile
        raise Http404("no such chapter")
    return _render_chapter(request, chapter, page)


@login_required
@require_POST
def membership_request(request, slug):
    chapter = get_object_or_404(Chapter.objects.public(), slug=slug)
    form = MembershipRequestForm(request.POST)
    if not form.is_valid():
        page = page_cache.public_page(slug)
        return _render_chapter(request, chapter, page, form=form, status=400)
    try:
        services.request_membership(
            chapter=chapter, user=request.user, message=form.cleaned_data["message"]
        )
    except services.ChapterActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, JOIN_REQUESTED_MESSAGE)
    return redirect(chapter.get_absolute_url())


@login_required
@require_POST
def membership_leave(request, slug):
    chapter = get_object_or_404(Chapter.objects.visible_to(request.user), slug=slug)
    was_pending = Membership.objects.pending().filter(chapter=chapter, user=request.user).exists()
    try:
        services.leave_chapter(chapter=chapter, user=request.user)
    except services.ChapterActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, WITHDRAWN_MESSAGE if was_pending else LEFT_MESSAGE)
    return redirect(chapter.get_absolute_url())


@login_required
@require_POST
def membership_set_home(request, slug):
    chapter = get_object_or_404(Chapter.objects.visible_to(request.user), slug=slug)
    try:
        services.set_home_chapter(chapter=chapter, user=request.user)
    except services.ChapterActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, HOME_SET_MESSAGE)
    return redirect(chapter.get_absolute_url())


# --- Jornadas ---------------------------------------------------------------------------


@require_GET
@replica_reads
def jornada_list(request):
    """Upcoming and past Jornadas and chapter events."""
    now = timezone.now()
    published = Jornada.objects.published().for_listing()
    return render(
        request,
        "chapters/jornada_list.html",
        {
            "upcoming": list(published.upcoming(now)),
            "past": list(published.past(now)[:100]),
        },
    )


def _agenda(jornada):
    return AgendaItem.objects.filter(jornada=jornada).prefetch_related(
        Prefetch(
            "speakers",
            queryset=Speaker.objects.select_related("member__profile").order_by("order", "pk"),
        )
    )


@require_GET
def jornada_detail(request, slug):
    """The Jornada with its agenda, speakers, materials and the visitor's registration."""
    jornada = get_object_or_404(Jornada.objects.visible_to(request.user).for_listing(), slug=slug)
    return _render_jornada(request, jornada)


def _render_jornada(request, jornada, *, form=None, status=200):
    user = request.user
    registration = None
    if user.is_authenticated:
        registration = Registration.objects.filter(jornada=jornada, user=user).first()
        form = form or RegistrationForm(user=user)
    waitlist_position = None
    if registration and registration.status == Registration.Status.WAITLISTED:
        waitlist_position = (
            Registration.objects.filter(jornada=jornada)
            .waitlisted()
            .filter(queued_at__lte=registration.queued_at)
            .count()
        )
    can_manage = (
        user.is_authenticated and Jornada.objects.managed_by(user).filter(pk=jornada.pk).exists()
    )
    # The ones this visitor may open (chapters.files serves them), and how many more the
    # Jornada keeps for its registrants.
    may_open = Exists(Material.objects.visible_to(user).filter(pk=OuterRef("pk")))
    rows = list(Material.objects.filter(jornada=jornada).annotate(may_open=may_open))
    materials = [material for material in rows if material.may_open]
    hidden = len(rows) - len(materials)
    return render(
        request,
        "chapters/jornada_detail.html",
        {
            "jornada": jornada,
            "agenda": _agenda(jornada),
            "materials": materials,
            "materials_for_registrants": hidden,
            "registration": registration,
            "waitlist_position": waitlist_position,
            "registration_open": jornada.registration_is_open(timezone.now()),
            "spots_left": (
                None
                if jornada.capacity is None
                else max(jornada.capacity - jornada.confirmed_count, 0)
            ),
            "form": form,
            "can_manage": can_manage,
        },
        status=status,
    )


@login_required
@require_POST
def jornada_register(request, slug):
    jornada = get_object_or_404(Jornada.objects.published(), slug=slug)
    form = RegistrationForm(request.POST, user=request.user)
    if not form.is_valid():
        jornada = Jornada.objects.for_listing().get(pk=jornada.pk)
        return _render_jornada(request, jornada, form=form, status=400)
    try:
        registration = services.register_for_jornada(
            jornada_id=jornada.pk,
            user=request.user,
            representing=form.cleaned_data["representing"],
        )
    except services.ChapterActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, REGISTERED_MESSAGES[registration.status])
    return redirect(jornada.get_absolute_url())


@login_required
@require_POST
def jornada_cancel(request, slug):
    jornada = get_object_or_404(Jornada.objects.visible_to(request.user), slug=slug)
    try:
        services.cancel_registration(jornada_id=jornada.pk, user=request.user)
    except services.ChapterActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, CANCELLED_MESSAGE)
    return redirect(jornada.get_absolute_url())


def _calendar_response(content, filename):
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def jornada_ics(request, slug):
    """One Jornada as an iCalendar file."""
    jornada = get_object_or_404(Jornada.objects.visible_to(request.user), slug=slug)
    content = calendar_for(
        [jornada],
        build_url=lambda j: request.build_absolute_uri(j.get_absolute_url()),
        name=jornada.title,
    )
    return _calendar_response(content, f"{jornada.slug}.ics")


@require_GET
@replica_reads
def jornada_feed(request):
    """The calendar feed of upcoming published Jornadas."""
    jornadas = Jornada.objects.published().upcoming()
    content = calendar_for(
        jornadas,
        build_url=lambda j: request.build_absolute_uri(j.get_absolute_url()),
        name=gettext("Jornadas Informativas · Red de Talentos Mexicanos"),
    )
    response = _calendar_response(content, "jornadas.ics")
    response["Content-Disposition"] = 'inline; filename="jornadas.ics"'
    return response


@never_cache
@login_required
@require_GET
def jornada_participants_csv(request, slug):
    """Participants as CSV, for IME staff and the organising chapter's current officers."""
    jornada = get_object_or_404(Jornada.objects.managed_by(request.user), slug=slug)
    if lacks_second_factor(request.user):
        return mfa_setup_redirect(request)
    return participants_csv_response(
        jornada_ids=[jornada.pk], user=request.user, filename=f"participantes-{jornada.slug}.csv"
    )


# --- Decisions from the staff workbench ---------------------------------------------------


@role_required(officiates_or_ime)
@require_POST
def membership_decide(request):
    """Approve or reject one join request of a chapter the user manages (404 otherwise),
    then back to the workbench. The member is told by mail (chapters.services)."""
    form = MembershipDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, DECISION_INVALID_MESSAGE)
        return redirect("members:workbench")
    decidable = Membership.objects.managed_by(request.user)
    if not is_ime_staff(request.user):  # a suspended chapter's tools are read-only
        decidable = decidable.filter(
            chapter_id__in=managed_chapter_ids(request.user, writable=True)
        )
    membership = get_object_or_404(decidable, pk=form.cleaned_data["membership"])
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.decide_membership(
            membership_id=membership.pk,
            decided_by=request.user,
            approve=approve,
            reason=form.cleaned_data["reason"],
        )
    except services.ChapterActionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, APPROVED_MESSAGE if approve else REJECTED_MESSAGE)
    return redirect("members:workbench")


@never_cache
@login_required
def jornada_travel(request, slug):
    """The registrant's travel needs (arrival, departure, lodging, visa invitation letter)
    for a Jornada that asks for them and has not ended; anyone else: 404."""
    registration = get_object_or_404(
        Registration.objects.active().select_related("jornada"),
        jornada__slug=slug,
        jornada__asks_travel_needs=True,
        jornada__is_published=True,
        jornada__ends_at__gte=timezone.now(),
        user=request.user,
    )
    jornada = registration.jornada
    instance = TravelNeeds.objects.filter(registration=registration).first()
    if request.method == "POST" and "delete" in request.POST:
        services.delete_travel_needs(registration=registration)
        messages.success(request, TRAVEL_DELETED_MESSAGE)
        return redirect(jornada.get_absolute_url())
    form = TravelNeedsForm(request.POST or None, instance=instance)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            fields = TravelNeedsForm.Meta.fields
            services.save_travel_needs(
                registration=registration, data={f: form.cleaned_data[f] for f in fields}
            )
            messages.success(request, TRAVEL_SAVED_MESSAGE)
            return redirect(jornada.get_absolute_url())
        status = 400
    return render(
        request,
        "chapters/jornada_travel.html",
        {"jornada": jornada, "form": form, "needs": instance},
        status=status,
    )
