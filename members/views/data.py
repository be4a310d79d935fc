"""My data (the ARCO rights): see, correct, export, oppose, delete; the privacy notice."""

import csv
import io
import json

from allauth.account.decorators import reauthentication_required
from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.spreadsheets import csv_response, csv_safe, download

from .. import messages as msg
from ..access import member_required
from ..forms import (
    ArcoRequestForm,
    DeleteAccountForm,
    ExportForm,
    PrivacyAcceptForm,
    PrivacyChoicesForm,
)
from ..models import ArcoRequest, ConsentRecord, PrivacyAcceptance, PrivacyNotice, Profile
from ..services import (
    accept_privacy_notice,
    create_arco_request,
    delete_account,
    export_member_data,
    flatten_for_csv,
    update_consents,
)


def _safe_next(request, default):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@never_cache
@member_required
def my_data(request):
    """Everything stored about me, with the ways to correct, export, oppose and delete."""
    user = request.user
    profile = Profile.objects.filter(user=user).for_detail().first()
    context = {
        "profile": profile,
        "addresses": EmailAddress.objects.filter(user=user).order_by("-primary", "email"),
        "acceptances": PrivacyAcceptance.objects.filter(user=user).select_related("notice"),
        "consents": ConsentRecord.objects.filter(user=user)[:200],
        "arco_requests": ArcoRequest.objects.filter(user=user),
        "export_form": ExportForm(),
        "delete_form": DeleteAccountForm(),
    }
    return render(request, "members/my_data.html", context)


@never_cache
@member_required
def privacy_choices(request):
    """The voluntary purposes (opposition): each one on its own, off as easily as on."""
    profile, _created = Profile.objects.get_or_create(user=request.user)
    if request.method == "POST":
        form = PrivacyChoicesForm(request.POST, instance=Profile.objects.get(pk=profile.pk))
        if form.is_valid():
            changed = update_consents(
                user=request.user,
                choices={name: form.cleaned_data[name] for name in form.Meta.fields},
                source=ConsentRecord.Source.SETTINGS,
            )
            messages.success(request, msg.CHOICES_SAVED if changed else msg.CHOICES_UNCHANGED)
            return redirect("members:my_data")
        messages.error(request, msg.FIX_ERRORS)
    else:
        form = PrivacyChoicesForm(instance=profile)
    return render(request, "members/privacy_choices.html", {"form": form})


@never_cache
@require_POST
@member_required
@reauthentication_required
def export_data(request):
    """Download everything about me as JSON or CSV (after re-authentication, never cached)."""
    form = ExportForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest()
    data = export_member_data(user=request.user)
    stamp = timezone.now().strftime("%Y%m%d")
    if form.cleaned_data["format"] == "json":
        body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        filename = f"mis-datos-{stamp}.json"
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["campo", "valor"])
        for path, value in flatten_for_csv(data):
            writer.writerow([csv_safe(path), csv_safe(value)])
        return csv_response(buffer.getvalue(), filename=f"mis-datos-{stamp}.csv")
    return download(response, filename)


@never_cache
@member_required
def arco_request(request):
    """Ask for what cannot be self-served; staff answer by the legal due date."""
    if request.method == "POST":
        form = ArcoRequestForm(request.POST)
        if form.is_valid():
            create_arco_request(
                user=request.user,
                kind=form.cleaned_data["kind"],
                description=form.cleaned_data["description"],
            )
            messages.success(request, msg.ARCO_FILED)
            return redirect("members:my_data")
        messages.error(request, msg.FIX_ERRORS)
    else:
        form = ArcoRequestForm()
    return render(request, "members/arco_form.html", {"form": form})


def _delete_confirmation(request, form):
    return render(request, "members/delete_account.html", {"form": form})


@never_cache
@member_required
@reauthentication_required(allow_get=True)
def delete_account_view(request):
    """Cancellation: deactivate and anonymise now, log out everywhere (POST, re-authenticated)."""
    if request.method != "POST":
        return _delete_confirmation(request, DeleteAccountForm())
    form = DeleteAccountForm(request.POST)
    if not form.is_valid():
        return _delete_confirmation(request, form)
    delete_account(user=request.user)
    logout(request)
    messages.success(request, msg.ACCOUNT_DELETED)
    return redirect("members:home")


@never_cache
@login_required
def privacy_accept(request):
    """Accept the privacy notice in force (asked at login after a new version is published)."""
    notice = PrivacyNotice.objects.current()
    default_next = "members:me"
    if (
        notice is None
        or PrivacyAcceptance.objects.filter(user=request.user, notice=notice).exists()
    ):
        return redirect(_safe_next(request, default_next))
    if request.method == "POST":
        form = PrivacyAcceptForm(request.POST)
        if form.is_valid() and form.cleaned_data["version"] == notice.version:
            accept_privacy_notice(user=request.user, notice=notice)
            messages.success(request, msg.PRIVACY_ACCEPTED)
            return redirect(_safe_next(request, default_next))
        if form.is_valid():
            form = PrivacyAcceptForm(initial={"version": notice.version})
        messages.error(request, msg.FIX_ERRORS)
    else:
        form = PrivacyAcceptForm(initial={"version": notice.version})
    return render(
        request,
        "members/privacy_accept.html",
        {"form": form, "notice": notice, "next": _safe_next(request, "")},
    )
