"""Requests for expertise (issue 20): an organisation's people file and follow them, the
PNCS of the sector triages them and invites members the matching suggests, and each invited
member answers. Every object comes through a scoped queryset: anything else answers 404."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from members.access import member_required
from members.models import public_name

from . import services
from .forms import (
    NOT_VERIFIED,
    ExpertiseRequestForm,
    InvitationAnswerForm,
    InviteMembersForm,
    TriageForm,
)
from .models import ExpertiseRequest, MemberInvitation, Organization
from .querysets import triage_due_on
from .views import PAGE_SIZE, reviewer_required

FILED = _("Enviamos tu solicitud al PNCS del sector. Te avisaremos por correo de cada paso.")
RESUBMITTED = _("Solicitud corregida y enviada de nuevo al PNCS.")
TRIAGED = _("Decisión guardada y enviada por correo a la organización.")
INVITED = _("Invitaciones enviadas: %(count)s.")
ANSWERED_YES = _("Aceptaste la invitación. Ya puedes escribirle a la organización.")
ANSWERED_NO = _("Declinaste la invitación. Gracias por responder.")


def _organization(request, pk):
    return get_object_or_404(Organization.objects.of_person(request.user), pk=pk)


@member_required
def request_list(request, pk):
    """An organisation's requests and their states."""
    organization = _organization(request, pk)
    requests = organization.requests.select_related("sector").order_by("-submitted_at")
    return render(
        request,
        "counterparts/request_list.html",
        {"organization": organization, "requests": requests},
    )


@member_required
def request_create(request, pk):
    """File a request (verified organisations only)."""
    organization = _organization(request, pk)
    if organization.status != Organization.Status.VERIFIED:
        messages.error(request, NOT_VERIFIED)
        return redirect("counterparts:request_list", pk=organization.pk)
    form = ExpertiseRequestForm(
        request.POST or None, initial={"sector": organization.main_sector_id}
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = services.file_request(form=form, organization=organization, user=request.user)
        except services.RequestError as error:
            messages.error(request, error.message)
            return redirect("counterparts:request_list", pk=organization.pk)
        messages.success(request, FILED)
        return redirect("counterparts:request_detail", pk=organization.pk, request_pk=created.pk)
    return render(
        request,
        "counterparts/request_form.html",
        {"organization": organization, "form": form},
    )


@member_required
def request_detail(request, pk, request_pk):
    """A request, its dated history and, once accepted, the members who accepted (nobody
    else's name: an organisation sees a member only after the member accepts)."""
    organization = _organization(request, pk)
    expertise_request = get_object_or_404(
        organization.requests.select_related("sector", "opportunity"), pk=request_pk
    )
    accepted = (
        expertise_request.invitations.filter(status=MemberInvitation.Status.ACCEPTED)
        .select_related("member__profile")
        .order_by("answered_at")
    )
    return render(
        request,
        "counterparts/request_detail.html",
        {
            "organization": organization,
            "request_obj": expertise_request,
            "events": expertise_request.events.all(),
            "accepted": [(public_name(i.member), i.thread_id) for i in accepted],
            "waiting": expertise_request.invitations.filter(
                status=MemberInvitation.Status.PENDING
            ).count(),
        },
    )


@member_required
def request_edit(request, pk, request_pk):
    """Correct a request the PNCS asked changes of; it goes back to the PNCS."""
    organization = _organization(request, pk)
    expertise_request = get_object_or_404(
        organization.requests.filter(status=ExpertiseRequest.Status.CHANGES), pk=request_pk
    )
    form = ExpertiseRequestForm(request.POST or None, instance=expertise_request)
    if request.method == "POST" and form.is_valid():
        try:
            services.resubmit_request(form=form, user=request.user)
        except services.RequestError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, RESUBMITTED)
        return redirect("counterparts:request_detail", pk=organization.pk, request_pk=request_pk)
    return render(
        request,
        "counterparts/request_form.html",
        {"organization": organization, "form": form, "request_obj": expertise_request},
    )


@reviewer_required
def triage_list(request):
    """Requests of the coordinator's sectors, those waiting first (overdue marked)."""
    status = request.GET.get("status") or ExpertiseRequest.Status.SUBMITTED
    if status not in ExpertiseRequest.Status.values:
        status = ExpertiseRequest.Status.SUBMITTED
    requests = (
        ExpertiseRequest.objects.triageable_by(request.user)
        .filter(status=status)
        .select_related("organization", "sector")
        .order_by("submitted_at", "pk")
    )
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = []
    for item in page:
        due = triage_due_on(item.submitted_at)
        rows.append({"request": item, "due": due, "overdue": status == "submitted" and due < today})
    return render(
        request,
        "counterparts/triage_list.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "status_query": f"status={status}",
            "statuses": ExpertiseRequest.Status.choices,
        },
    )


@reviewer_required
def triage(request, pk):
    """Triage a request (accept and publish, ask for changes, decline); once accepted, the
    matching's suggestions with their reasons, and the invitations sent."""
    expertise_request = get_object_or_404(
        ExpertiseRequest.objects.triageable_by(request.user).select_related(
            "organization", "sector", "opportunity"
        ),
        pk=pk,
    )
    form = TriageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.triage_request(
                request_id=expertise_request.pk,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                invite_only=form.cleaned_data["visibility"] != "public",
                by=request.user,
            )
        except services.RequestError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, TRIAGED)
        return redirect("counterparts:triage", pk=expertise_request.pk)
    return _triage_page(request, expertise_request, form=form)


def _triage_page(request, expertise_request, *, form=None, invite_form=None):
    matches = []
    if expertise_request.status == ExpertiseRequest.Status.ACCEPTED:
        matches = services.suggestions(expertise_request)
        if invite_form is None:
            invite_form = InviteMembersForm(
                choices=[(m.obj.user_id, public_name(m.obj.user)) for m in matches]
            )
    return render(
        request,
        "counterparts/triage.html",
        {
            "request_obj": expertise_request,
            "form": form if expertise_request.status == ExpertiseRequest.Status.SUBMITTED else None,
            "due": triage_due_on(expertise_request.submitted_at),
            "events": expertise_request.events.all(),
            "matches": matches,
            "invite_form": invite_form,
            "invitations": expertise_request.invitations.select_related("member__profile").order_by(
                "-created_at"
            ),
        },
    )


@reviewer_required
@require_POST
def triage_invite(request, pk):
    """Invite members chosen among the suggestions."""
    expertise_request = get_object_or_404(
        ExpertiseRequest.objects.triageable_by(request.user)
        .filter(status=ExpertiseRequest.Status.ACCEPTED)
        .select_related("organization", "sector", "opportunity"),
        pk=pk,
    )
    matches = services.suggestions(expertise_request)
    form = InviteMembersForm(
        request.POST, choices=[(m.obj.user_id, public_name(m.obj.user)) for m in matches]
    )
    if not form.is_valid():
        return _triage_page(request, expertise_request, invite_form=form)
    created = services.invite_members(
        expertise_request=expertise_request,
        member_ids=form.cleaned_data["members"],
        by=request.user,
    )
    messages.success(request, INVITED % {"count": len(created)})
    return redirect("counterparts:triage", pk=expertise_request.pk)


@member_required
def member_invitations(request):
    """The invitations a member received, newest first."""
    invitations = (
        MemberInvitation.objects.of_member(request.user)
        .select_related("request__organization")
        .order_by("-created_at")
    )
    return render(request, "counterparts/member_invitations.html", {"invitations": invitations})


@member_required
def member_invitation(request, pk):
    """Who asks, what, and why the member was suggested; accept or decline."""
    invitation = get_object_or_404(
        MemberInvitation.objects.of_member(request.user).select_related(
            "request__organization", "request__sector"
        ),
        pk=pk,
    )
    is_open = (
        invitation.status == MemberInvitation.Status.PENDING
        and invitation.expires_at > timezone.now()
    )
    form = InvitationAnswerForm(request.POST or None)
    if request.method == "POST":
        if not is_open:
            raise Http404
        if form.is_valid():
            accept = form.cleaned_data["answer"] == "accepted"
            try:
                invitation = services.answer_invitation(
                    invitation_id=invitation.pk,
                    user=request.user,
                    accept=accept,
                    reason=form.cleaned_data["reason"],
                )
            except services.RequestError as error:
                messages.error(request, error.message)
                return redirect("counterparts:member_invitation", pk=pk)
            messages.success(request, ANSWERED_YES if accept else ANSWERED_NO)
            if accept:
                return redirect("messaging:thread", pk=invitation.thread_id)
            return redirect("counterparts:member_invitation", pk=pk)
    return render(
        request,
        "counterparts/member_invitation.html",
        {"invitation": invitation, "form": form, "is_open": is_open},
    )
