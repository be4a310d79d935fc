"""Internships: the public list and page (published placements), the host's offer and its
applications, the PNCS's review, the student's profile and applications, and the CV seen
only by who may decide an application to that placement. Every object comes through a
scoped queryset: anything else answers 404."""

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_countries import countries

from core.access import role_required, second_factor_required
from core.storage import STORAGE_UNAVAILABLE, storage_errors
from members.access import member_required
from members.files import file_response
from members.models import Profile
from pncs.access import can_use_pncs_area

from . import services
from .forms import (
    ApplicationDecisionForm,
    ApplyForm,
    PlacementFilterForm,
    PlacementForm,
    ReviewForm,
    StudentProfileForm,
)
from .models import Application, Placement, StudentProfile

PAGE_SIZE = 20
SUBMITTED = _("Enviamos tu pasantía al PNCS del sector. Te avisaremos por correo de cada paso.")
RESUBMITTED = _("Pasantía corregida y enviada de nuevo al PNCS.")
REVIEWED = _("Decisión guardada y enviada por correo a la persona anfitriona.")
PROFILE_SAVED = _("Guardamos tu perfil de estudiante.")
APPLIED = _("Enviamos tu postulación. Te avisaremos por correo de cada paso.")
DECIDED = _("Decisión guardada y enviada por correo a la persona estudiante.")
WITHDRAWN = _(
    "Retiraste tu postulación: la persona anfitriona ya no ve tu CV para ella. Puedes volver "
    "a postular mientras la pasantía esté abierta."
)
MEMBERS_ONLY = _("Solo los miembros de la red con su perfil completo ofrecen pasantías.")
FIX_ERRORS = _("Revisa los campos marcados.")

reviewer_required = role_required(can_use_pncs_area)


def _student_profile(user):
    return StudentProfile.objects.of_user(user).first()


def student_required(view):
    """A signed-in account (verified, notice accepted) with a student profile; without one,
    the student's own registration page first."""

    @wraps(view)
    @member_required
    def wrapper(request, *args, **kwargs):
        profile = _student_profile(request.user)
        if profile is None:
            url = reverse("internships:student_profile")
            return redirect(f"{url}?{urlencode({'next': request.get_full_path()})}")
        request.student_profile = profile
        return view(request, *args, **kwargs)

    return wrapper


def _is_member(user) -> bool:
    return Profile.objects.filter(user=user, onboarded_at__isnull=False).exists()


# --- Public -------------------------------------------------------------------------------


def _country_choices():
    used = set(Placement.objects.published().values_list("country", flat=True).distinct())
    return sorted(((code, countries.name(code)) for code in used), key=lambda c: str(c[1]))


@require_GET
def placement_list(request):
    """Published placements, filtered by sector, country, field, language, open only."""
    form = PlacementFilterForm(request.GET or None, countries=_country_choices())
    placements = Placement.objects.for_listing()
    if form.is_bound:
        placements = form.filter(placements) if form.is_valid() else placements.none()
    page = Paginator(placements, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "internships/placement_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "today": timezone.localdate(),
        },
    )


def placement_detail(request, pk):
    """A published placement; a student may apply from here."""
    placement = get_object_or_404(Placement.objects.for_listing(), pk=pk)
    application = None
    student = None
    if request.user.is_authenticated:
        student = _student_profile(request.user)
        application = (
            Application.objects.of_student(request.user)
            .standing()
            .filter(placement=placement)
            .first()
        )
    is_open = placement.deadline >= timezone.localdate() and placement.taken < placement.seats
    return render(
        request,
        "internships/placement_detail.html",
        {
            "placement": placement,
            "application": application,
            "student": student,
            "is_open": is_open,
        },
    )


# --- Hosts --------------------------------------------------------------------------------


@never_cache
@member_required
def offer(request):
    """A member offers a placement; it goes to the PNCS of its sector."""
    if not _is_member(request.user):
        messages.error(request, MEMBERS_ONLY)
        return redirect("members:onboarding")
    form = PlacementForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            placement = services.submit_placement(form=form, host=request.user)
            messages.success(request, SUBMITTED)
            return redirect("internships:host_placement", pk=placement.pk)
        messages.error(request, FIX_ERRORS)
    return render(request, "internships/placement_form.html", {"form": form})


@never_cache
@member_required
def host_list(request):
    """The placements the member offers, with their state and applications."""
    placements = (
        Placement.objects.hosted_by(request.user)
        .select_related("sector")
        .with_taken_seats()
        .order_by("-created_at")
    )
    return render(request, "internships/host_list.html", {"placements": placements})


def _applications(placement):
    return placement.applications.select_related("student__student_profile").order_by(
        "created_at", "pk"
    )


@never_cache
@member_required
def host_placement(request, pk):
    """One of the member's placements: its review history and its applications."""
    placement = get_object_or_404(
        Placement.objects.hosted_by(request.user).select_related("sector", "language"), pk=pk
    )
    return render(
        request,
        "internships/host_placement.html",
        {
            "placement": placement,
            "events": placement.events.all(),
            "applications": _applications(placement),
        },
    )


@never_cache
@member_required
def host_edit(request, pk):
    """Correct a placement the PNCS asked changes of; it goes back to the PNCS."""
    placement = get_object_or_404(
        Placement.objects.hosted_by(request.user).filter(status=Placement.Status.CHANGES), pk=pk
    )
    form = PlacementForm(request.POST or None, instance=placement)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.resubmit_placement(form=form, host=request.user)
            except services.InternshipError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, RESUBMITTED)
            return redirect("internships:host_placement", pk=placement.pk)
        messages.error(request, FIX_ERRORS)
    return render(
        request, "internships/placement_form.html", {"form": form, "placement": placement}
    )


# --- The PNCS -----------------------------------------------------------------------------


@never_cache
@reviewer_required
def review_list(request):
    """Placements of the coordinator's sectors, those waiting first."""
    status = request.GET.get("status") or Placement.Status.SUBMITTED
    if status not in Placement.Status.values:
        status = Placement.Status.SUBMITTED
    placements = (
        Placement.objects.reviewable_by(request.user)
        .filter(status=status)
        .select_related("sector")
        .order_by("submitted_at", "pk")
    )
    page = Paginator(placements, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "internships/review_list.html",
        {
            "page": page,
            "status": status,
            "status_query": f"status={status}",
            "statuses": Placement.Status.choices,
        },
    )


@never_cache
@reviewer_required
def review(request, pk):
    """Approve, ask for changes or decline a placement (dated, mailed to the host); once
    published, its applications."""
    placement = get_object_or_404(
        Placement.objects.reviewable_by(request.user).select_related("sector", "language", "host"),
        pk=pk,
    )
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_placement(
                placement_id=placement.pk,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except services.InternshipError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, REVIEWED)
        return redirect("internships:review", pk=placement.pk)
    return render(
        request,
        "internships/review.html",
        {
            "placement": placement,
            "form": form if placement.status == Placement.Status.SUBMITTED else None,
            "events": placement.events.all(),
            "applications": _applications(placement),
        },
    )


# --- Applications: the host and the PNCS decide; the CV only for them --------------------


@never_cache
@member_required
@second_factor_required
def application(request, pk):
    """An application, with the student's profile and CV, for the host of the placement or
    the PNCS of its sector: shortlist, accept or decline."""
    application = get_object_or_404(
        Application.objects.decidable_by(request.user).select_related(
            "placement__sector", "student__student_profile"
        ),
        pk=pk,
    )
    form = ApplicationDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_application(
                application_id=application.pk,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except services.InternshipError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, DECIDED)
        return redirect("internships:application", pk=application.pk)
    return render(
        request,
        "internships/application.html",
        {
            "application": application,
            "profile": getattr(application.student, "student_profile", None),
            "withdrawn": application.status == Application.Status.WITHDRAWN,
            "form": form if application.undecided else None,
        },
    )


def _cv_response(profile):
    if profile is None or not profile.cv:
        raise Http404("no CV")
    try:
        fileobj = profile.cv.storage.open(profile.cv.name, "rb")
    except FileNotFoundError:
        raise Http404("no CV") from None
    return file_response(fileobj, filename="cv.pdf", attachment=True, private=True)


@never_cache
@member_required
@second_factor_required
def application_cv(request, pk):
    """The CV of the student of one application, for who may decide it only (404 for
    anyone else, for any placement the student did not apply to, and once the student
    withdrew the application)."""
    application = get_object_or_404(
        Application.objects.decidable_by(request.user)
        .standing()
        .select_related("student__student_profile"),
        pk=pk,
    )
    return _cv_response(getattr(application.student, "student_profile", None))


# --- Students -----------------------------------------------------------------------------


@never_cache
@member_required
def student_profile(request):
    """The student's registration and later edits (university, programme, semester, state,
    CV). Students never go through the member's onboarding."""
    profile = _student_profile(request.user)
    form = StudentProfileForm(request.POST or None, request.FILES or None, instance=profile)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.save_student_profile(form=form, user=request.user)
            except storage_errors():
                form.add_error("cv", STORAGE_UNAVAILABLE)
                messages.error(request, STORAGE_UNAVAILABLE)
            else:
                messages.success(request, PROFILE_SAVED)
                target = request.GET.get("next", "")
                if url_has_allowed_host_and_scheme(
                    target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
                ):
                    return redirect(target)
                return redirect("internships:student_home")
        else:
            messages.error(request, FIX_ERRORS)
    return render(request, "internships/student_profile.html", {"form": form, "profile": profile})


@never_cache
@student_required
def student_home(request):
    """The student's page: their profile and their applications with their states."""
    applications = (
        Application.objects.of_student(request.user)
        .select_related("placement__sector")
        .order_by("-created_at")
    )
    return render(
        request,
        "internships/student_home.html",
        {"profile": request.student_profile, "applications": applications},
    )


@member_required
@require_POST
@student_required
def withdraw(request, pk):
    """The student withdraws one of their applications not yet decided (404 for anyone
    else's)."""
    application = get_object_or_404(Application.objects.of_student(request.user), pk=pk)
    try:
        services.withdraw_application(application_id=application.pk, student=request.user)
    except services.InternshipError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, WITHDRAWN)
    return redirect("internships:student_home")


@never_cache
@student_required
def student_cv(request):
    """The student's own CV."""
    return _cv_response(request.student_profile)


@never_cache
@student_required
def apply(request, pk):
    """Apply to a published placement: a short motivation and the consent to share the CV
    with its host."""
    placement = get_object_or_404(Placement.objects.for_listing(), pk=pk)
    form = ApplyForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.apply(
                    placement_id=placement.pk,
                    student=request.user,
                    motivation=form.cleaned_data["motivation"],
                )
            except services.InternshipError as error:
                messages.error(request, error.message)
                return redirect("internships:detail", pk=placement.pk)
            messages.success(request, APPLIED)
            return redirect("internships:student_home")
        messages.error(request, FIX_ERRORS)
    return render(
        request,
        "internships/apply.html",
        {"placement": placement, "form": form, "profile": request.student_profile},
    )
