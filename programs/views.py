"""Pages of the programs app: list, detail, apply, my programs, certificates, figures."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.access import second_factor_required
from members.files import file_response

from . import openbadges
from .access import is_program_staff
from .certificates import certificate_pdf_response
from .forms import ApplicationForm, CredentialLookupForm, DeclineSeatForm, TravelDetailsForm
from .models import Application, Certificate, Enrolment, Partner, Program
from .services import (
    ALREADY_APPLIED_MESSAGE,
    ProgramError,
    apply_to_program,
    confirm_seat,
    decline_seat,
    save_travel_details,
    withdraw_application,
)

APPLICATION_SENT_MESSAGE = _("Recibimos tu solicitud. Te avisaremos por correo la decisión.")
WITHDRAWN_MESSAGE = _("Retiraste tu solicitud.")
UNKNOWN_CODE_MESSAGE = _("Ninguna credencial tiene este código.")
PROGRAM_FULL_MESSAGE = _(
    "El cupo del programa ya está completo: tu solicitud quedó en lista de espera y te "
    "avisaremos si se libera un lugar."
)


def program_list(request):
    """Published programs with their call status."""
    programs = Program.objects.visible_to(request.user).for_listing()
    return render(request, "programs/program_list.html", {"programs": programs})


def program_detail(request, slug):
    """A program: partners, call, stages, and the visitor's own application if any."""
    program = get_object_or_404(
        Program.objects.visible_to(request.user).prefetch_related("stages", "partners"), slug=slug
    )
    application = None
    if request.user.is_authenticated:
        application = Application.objects.filter(program=program, user=request.user).first()
    return render(
        request,
        "programs/program_detail.html",
        {
            "program": program,
            "application": application,
            "staff_viewer": is_program_staff(request.user),
        },
    )


@login_required
def program_apply(request, slug):
    """Apply to a program while its call is open (once)."""
    program = get_object_or_404(Program.objects.visible_to(request.user), slug=slug)
    if Application.objects.filter(program=program, user=request.user).exists():
        messages.info(request, str(ALREADY_APPLIED_MESSAGE))
        return redirect("programs:mine")
    if not program.call_is_open():
        return render(
            request, "programs/program_apply.html", {"program": program, "closed": True}, status=403
        )
    initial = {}
    profile = getattr(request.user, "profile", None)
    if profile is not None:
        initial = {
            "education_level": profile.education_level,
            "education_field": profile.education_field,
            "institution": profile.institution,
        }
    form = ApplicationForm(request.POST or None, initial=initial, program=program)
    if request.method == "POST" and form.is_valid():
        try:
            application = apply_to_program(
                program=program, user=request.user, data=form.cleaned_data
            )
        except ProgramError as exc:
            messages.error(request, str(exc))
            return redirect(program.get_absolute_url())
        if application.status == Application.Status.WAITLISTED:
            messages.warning(request, str(PROGRAM_FULL_MESSAGE))
        else:
            messages.success(request, str(APPLICATION_SENT_MESSAGE))
        return redirect("programs:mine")
    return render(request, "programs/program_apply.html", {"program": program, "form": form})


@never_cache
@login_required
def my_programs(request):
    """The member's dashboard: applications, stage results, seat offers and certificates."""
    applications = (
        Application.objects.visible_to(request.user)
        .filter(user=request.user)
        .for_dashboard()
        .order_by("-created_at")
    )
    return render(
        request,
        "programs/my_programs.html",
        {"applications": applications, "decline_form": DeclineSeatForm()},
    )


SEAT_CONFIRMED_MESSAGE = _("Confirmaste tu lugar. ¡Te esperamos!")
SEAT_DECLINED_MESSAGE = _("Declinaste tu lugar; lo ofreceremos a la siguiente persona.")
TRAVEL_SAVED_MESSAGE = _("Guardamos tus datos de viaje.")
NO_TRAVEL_DATA_MESSAGE = _("Esta etapa no pide datos de viaje, o todavía no confirmas tu lugar.")


@require_POST
@login_required
def seat_confirm(request, pk):
    """The selected participant confirms their seat (their own enrolment only: else 404)."""
    enrolment = get_object_or_404(_own_enrolments(request.user), pk=pk)
    try:
        confirm_seat(enrolment_id=enrolment.pk, user=request.user)
    except ProgramError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, str(SEAT_CONFIRMED_MESSAGE))
    return redirect("programs:mine")


@require_POST
@login_required
def seat_decline(request, pk):
    """The participant declines their seat, with an optional reason."""
    enrolment = get_object_or_404(_own_enrolments(request.user), pk=pk)
    form = DeclineSeatForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["reason"]))
        return redirect("programs:mine")
    try:
        decline_seat(
            enrolment_id=enrolment.pk, user=request.user, reason=form.cleaned_data["reason"]
        )
    except ProgramError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, str(SEAT_DECLINED_MESSAGE))
    return redirect("programs:mine")


@never_cache
@login_required
def travel_details(request, pk):
    """The confirmed participant's travel data for a stage that asks for it."""
    enrolment = get_object_or_404(
        _own_enrolments(request.user).select_related("stage__program", "travel"), pk=pk
    )
    if not enrolment.travels:
        messages.error(request, str(NO_TRAVEL_DATA_MESSAGE))
        return redirect("programs:mine")
    instance = getattr(enrolment, "travel", None)
    form = TravelDetailsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        save_travel_details(
            enrolment=enrolment,
            data={name: form.cleaned_data[name] for name in TravelDetailsForm.Meta.fields},
            sensitive_consent=form.cleaned_data["sensitive_consent"],
        )
        messages.success(request, str(TRAVEL_SAVED_MESSAGE))
        return redirect("programs:mine")
    return render(request, "programs/travel_details.html", {"enrolment": enrolment, "form": form})


def _own_enrolments(user):
    return Enrolment.objects.filter(
        application__in=Application.objects.visible_to(user).filter(user=user)
    )


@require_POST
@login_required
def application_withdraw(request, pk):
    """The applicant withdraws a pending application."""
    application = get_object_or_404(
        Application.objects.visible_to(request.user).filter(user=request.user), pk=pk
    )
    try:
        withdraw_application(application=application)
    except ProgramError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, str(WITHDRAWN_MESSAGE))
    return redirect("programs:mine")


@never_cache
@second_factor_required
def certificate_pdf(request, code):
    """The certificate as a PDF in the page's language (holder or program staff only; staff
    and other privileged accounts with a second factor, members.access)."""
    certificate = get_object_or_404(
        Certificate.objects.visible_to(request.user).with_document(), code=code
    )
    language = "en" if (get_language() or "").startswith("en") else "es-mx"
    return certificate_pdf_response(certificate, language)


VERIFY_FIELDS = (
    "code",
    "kind",
    "title",
    "issuer_name",
    "external_id",
    "holder_name",
    "issued_on",
    "revoked_at",
    "enrolment_id",
    "enrolment__stage__name_es",
    "enrolment__stage__name_en",
    "enrolment__stage__program__name_es",
    "enrolment__stage__program__name_en",
    "enrolment__stage__program__slug",
)


def certificate_lookup(request):
    """The public verification form: type a code, see its credential (GET, no login)."""
    form = CredentialLookupForm(request.GET or None)
    if form.is_valid():
        code = form.cleaned_data["code"]
        if Certificate.objects.filter(code=code).exists():
            return redirect("programs:certificate_verify", code=code)
        return _unknown_code(request, form)
    return render(request, "programs/certificate_verify.html", {"form": form})


def certificate_verify(request, code):
    """Public verification of one credential: name, program, stage, issuer, date and
    valid/revoked (with the date), and the other credentials of the same participation
    (issuer, name, status; never their codes). Nothing else about the person."""
    certificate = Certificate.objects.only(*VERIFY_FIELDS).filter(code=code).first()
    if certificate is None:
        return _unknown_code(request, CredentialLookupForm(initial={"code": code[:64]}))
    others = (
        Certificate.objects.filter(enrolment_id=certificate.enrolment_id)
        .exclude(pk=certificate.pk)
        .only("kind", "title", "issuer_name", "issued_on", "revoked_at")
        .order_by("kind")
    )
    return render(
        request,
        "programs/certificate_verify.html",
        {"certificate": certificate, "others": others, "form": CredentialLookupForm()},
    )


def _unknown_code(request, form):
    return render(
        request,
        "programs/certificate_verify.html",
        {"form": form, "unknown": True, "unknown_message": UNKNOWN_CODE_MESSAGE},
        status=404,
    )


# --- Open Badges 3.0 (programs/openbadges.py) ----------------------------------------------

# Verifiers fetch these from anywhere (a wallet, another site's page): public, cached for a
# few minutes (a revocation shows within that time), readable cross-origin.
OPEN_BADGES_MAX_AGE = 300


def _json_ld(document: dict, *, content_type: str = "application/ld+json") -> HttpResponse:
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2), content_type=content_type
    )
    response["Access-Control-Allow-Origin"] = "*"
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, public=True, max_age=OPEN_BADGES_MAX_AGE)
    return response


def _issuer(slug):
    if slug is None:
        return None
    return get_object_or_404(Partner, slug=slug)


def openbadges_issuer_profile(request, slug=None):
    """The issuer's Open Badges profile (JSON-LD), named by its did:web."""
    return _json_ld(openbadges.issuer_profile_document(_issuer(slug)))


def openbadges_issuer_did(request, slug=None):
    """The issuer's DID document (did:web): its public key as a Multikey."""
    return _json_ld(openbadges.did_document(_issuer(slug)), content_type="application/did+ld+json")


def openbadges_status_list(request, slug=None):
    """The issuer's revocation list (Bitstring Status List), signed by the issuer."""
    return _json_ld(openbadges.status_list_credential(_issuer(slug)))


@never_cache
@second_factor_required
def certificate_json(request, code):
    """The credential as a signed Open Badges 3.0 credential, for the holder's wallet
    (holder or program staff, as the PDF)."""
    certificate = get_object_or_404(
        Certificate.objects.visible_to(request.user).with_document(), code=code
    )
    content = json.dumps(openbadges.signed_credential(certificate), ensure_ascii=False, indent=2)
    response = file_response(
        content.encode(),
        filename=f"credencial-{certificate.code}.json",
        attachment=True,
        private=True,
    )
    response["Content-Type"] = "application/ld+json"
    return response
