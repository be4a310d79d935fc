"""Organisations: the public list and page (verified only), registration and management by
their people, invitations, and verification by the PNCS. Every object comes through a
scoped queryset: another organisation's page answers 404."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.access import role_required
from members.access import member_required
from pncs.access import can_use_pncs_area

from . import services
from .engagements import public_stories
from .forms import DecisionForm, InvitationForm, OrganizationFilterForm, OrganizationForm
from .models import Engagement, Organization, OrganizationInvitation, OrganizationMember

PAGE_SIZE = 20
STORIES_SHOWN = 10
REGISTERED = _("Registramos tu organización. El PNCS de su sector la revisará y te escribirá.")
SAVED = _("Cambios guardados.")
RESUBMITTED = _("Cambios guardados. La organización vuelve a revisión del PNCS.")
INVITED = _("Enviamos la invitación a %(email)s.")
JOINED = _("Ahora formas parte de %(name)s.")
INVITATION_NOT_YOURS = _(
    "Esta invitación es para otra dirección de correo o ya no es válida. Inicia sesión con "
    "la dirección invitada o pide una nueva invitación."
)
REMOVED = _("La persona ya no forma parte de la organización.")
LAST_OWNER = _("Una organización necesita al menos una persona responsable.")
DECIDED = _("Decisión guardada y enviada por correo a la organización.")
UNCHANGED = _("La organización ya estaba en ese estado; no se envió nada.")


def organization_list(request):
    """Verified organisations, filtered by sector, state and kind."""
    form = OrganizationFilterForm(request.GET or None)
    organizations = Organization.objects.for_listing()
    if form.is_bound:
        organizations = form.filter(organizations) if form.is_valid() else organizations.none()
    page = Paginator(organizations, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "counterparts/organization_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


def organization_detail(request, slug):
    """A verified organisation's public page."""
    organization = get_object_or_404(Organization.objects.for_listing(), slug=slug)
    # Stories of its completed engagements that both sides agreed to publish.
    stories = (
        public_stories(Engagement.objects.filter(organization=organization))
        .prefetch_related("outcomes")
        .order_by("-completed_at")[:STORIES_SHOWN]
    )
    return render(
        request,
        "counterparts/organization_detail.html",
        {"organization": organization, "stories": stories},
    )


@member_required
def register(request):
    """Register an organisation; the person becomes its owner."""
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organization = services.register_organization(form=form, user=request.user)
        messages.success(request, REGISTERED)
        return redirect("counterparts:manage", pk=organization.pk)
    return render(request, "counterparts/organization_form.html", {"form": form})


@member_required
def my_organizations(request):
    """The organisations the person acts for, with their verification state."""
    people = (
        OrganizationMember.objects.filter(user=request.user)
        .select_related("organization")
        .order_by("organization__legal_name")
    )
    return render(request, "counterparts/my_organizations.html", {"people": people})


@member_required
def manage(request, pk):
    """An organisation's own page for its people: state, data, people and invitations."""
    organization = get_object_or_404(Organization.objects.of_person(request.user), pk=pk)
    is_owner = organization.people.filter(
        user=request.user, role=OrganizationMember.Role.OWNER
    ).exists()
    invitation_form = InvitationForm()
    if request.method == "POST":
        if not is_owner:
            raise Http404
        invitation_form = InvitationForm(request.POST)
        if invitation_form.is_valid():
            services.invite_person(
                organization=organization, by=request.user, **invitation_form.cleaned_data
            )
            messages.success(request, INVITED % {"email": invitation_form.cleaned_data["email"]})
            return redirect("counterparts:manage", pk=organization.pk)
    return render(
        request,
        "counterparts/manage.html",
        {
            "organization": organization,
            "is_owner": is_owner,
            "people": organization.people.select_related("user").order_by("created_at"),
            "invitations": organization.invitations.open().order_by("-created_at")
            if is_owner
            else [],
            "invitation_form": invitation_form,
        },
    )


@member_required
def edit(request, pk):
    """An owner corrects the organisation's data."""
    organization = get_object_or_404(Organization.objects.owned_by(request.user), pk=pk)
    form = OrganizationForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        resubmitted = services.update_organization(form=form)
        messages.success(request, RESUBMITTED if resubmitted else SAVED)
        return redirect("counterparts:manage", pk=organization.pk)
    return render(
        request, "counterparts/organization_form.html", {"form": form, "organization": organization}
    )


@member_required
@require_POST
def remove_person(request, pk, person_pk):
    organization = get_object_or_404(Organization.objects.owned_by(request.user), pk=pk)
    try:
        removed = services.remove_person(organization=organization, person_id=person_pk)
    except services.LastOwnerError:
        messages.error(request, LAST_OWNER)
        return redirect("counterparts:manage", pk=organization.pk)
    if not removed:
        raise Http404
    messages.success(request, REMOVED)
    if not Organization.objects.of_person(request.user).filter(pk=pk).exists():
        return redirect("counterparts:mine")
    return redirect("counterparts:manage", pk=organization.pk)


@member_required
def invitation(request, token):
    """The invited person, signed in, accepts (with the invited address only)."""
    invitation = get_object_or_404(
        OrganizationInvitation.objects.open().select_related("organization"), token=token
    )
    for_me = invitation.email.lower() == request.user.email.lower()
    if request.method == "POST" and for_me:
        person = services.accept_invitation(invitation_id=invitation.pk, user=request.user)
        if person is not None:
            messages.success(request, JOINED % {"name": invitation.organization.legal_name})
            return redirect("counterparts:manage", pk=invitation.organization_id)
    return render(
        request,
        "counterparts/invitation.html",
        {
            "invitation": invitation,
            "for_me": for_me,
            "not_yours": INVITATION_NOT_YOURS,
        },
        status=200 if for_me else 403,
    )


# Coordinators of an active PNCS and IME staff (then each sees the sectors they coordinate).
reviewer_required = role_required(can_use_pncs_area)


@reviewer_required
def review_list(request):
    """Organisations of the coordinator's sectors waiting for verification (all states on
    request)."""
    status = request.GET.get("status") or Organization.Status.PENDING
    if status not in Organization.Status.values:
        status = Organization.Status.PENDING
    organizations = (
        Organization.objects.reviewable_by(request.user)
        .filter(status=status)
        .select_related("main_sector")
        .order_by("submitted_at")
    )
    page = Paginator(organizations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "counterparts/review_list.html",
        {
            "page": page,
            "status": status,
            "status_query": f"status={status}",
            "statuses": Organization.Status.choices,
        },
    )


@reviewer_required
def review(request, pk):
    """Verify, ask for more information or decline, with a reason sent by e-mail."""
    organization = get_object_or_404(
        Organization.objects.reviewable_by(request.user).select_related("main_sector"), pk=pk
    )
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        changed = services.decide_organization(
            organization_id=organization.pk,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
        messages.success(request, DECIDED if changed else UNCHANGED)
        return redirect("counterparts:review_list")
    return render(
        request,
        "counterparts/review.html",
        {
            "organization": organization,
            "form": form,
            "people": organization.people.select_related("user").order_by("created_at"),
        },
    )
