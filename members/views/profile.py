"""The member's own profile: dashboard, onboarding, edit, preferences; others' profiles."""

import logging

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.access import second_factor_required
from core.storage import STORAGE_UNAVAILABLE, storage_errors

from .. import countries
from .. import messages as msg
from ..access import member_required
from ..forms import PreferencesForm, ProfileForm
from ..models import ExpertiseTag, Profile
from ..plugins import landing_url
from ..profile_page import page_lists, profile_for_page
from ..services import (
    normalise_tag,
    profile_completeness,
    record_profile_view,
    save_profile,
    update_digest_frequency,
    update_preferred_language,
)
from ..services.duplicates import shares_mailbox_with_another_account

logger = logging.getLogger(__name__)


def _own_profile(user):
    profile = Profile.objects.filter(user=user).for_detail().first()
    return profile or Profile(user=user)


def _tag_options():
    return ExpertiseTag.objects.order_by("name").values_list("name", flat=True)[:300]


@never_cache
@member_required
def me(request):
    """My profile and dashboard (other apps add their sections through {% dashboard_sections %})."""
    profile = _own_profile(request.user)
    if profile.pk is None or profile.onboarded_at is None:
        # A student (or another account an app claims) goes to their own page.
        return redirect(landing_url(request.user) or "members:onboarding")
    percent, missing = profile_completeness(profile)
    return render(
        request,
        "members/me.html",
        {"profile": profile, "completeness": percent, "missing": missing, "own": True},
    )


def _profile_form_view(request, *, onboarding):
    profile = _own_profile(request.user)
    if onboarding and profile.onboarded_at is not None:
        return redirect("members:profile_edit")
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, instance=profile)
        if form.is_valid():
            try:
                save_profile(form=form, user=request.user, onboarding=onboarding)
            except storage_errors():
                # The photo could not be stored: the transaction rolled back, nothing saved.
                logger.exception("profile not saved: the file store failed")
                form.add_error("photo", STORAGE_UNAVAILABLE)
                messages.error(request, STORAGE_UNAVAILABLE)
            else:
                messages.success(request, msg.ONBOARDING_DONE if onboarding else msg.PROFILE_SAVED)
                return redirect("members:me")
        else:
            messages.error(request, msg.FIX_ERRORS)
    else:
        form = ProfileForm(instance=profile)
    # Sign-up's warning (issue 26): another account reaches the same mailbox. Shown after
    # the address was verified, on the first page of the new member, never on the sign-up
    # page itself: there it would tell anyone whether a similar address has an account.
    mailbox_warning = (
        msg.MAILBOX_WARNING
        if onboarding and shares_mailbox_with_another_account(user=request.user)
        else None
    )
    return render(
        request,
        "members/profile_form.html",
        {
            "form": form,
            "onboarding": onboarding,
            "tag_options": _tag_options(),
            "mailbox_warning": mailbox_warning,
        },
    )


@never_cache
@member_required
def onboarding(request):
    """The first profile, right after verification."""
    return _profile_form_view(request, onboarding=True)


@never_cache
@member_required
def profile_edit(request):
    """Edit my profile (also the rectification right)."""
    return _profile_form_view(request, onboarding=False)


@never_cache
@member_required
def preferences(request):
    """The language of my emails and how often the news digest comes."""
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            update_preferred_language(
                user=request.user, language=form.cleaned_data["preferred_language"]
            )
            if form.cleaned_data["digest_frequency"]:
                update_digest_frequency(
                    user=request.user, frequency=form.cleaned_data["digest_frequency"]
                )
            messages.success(request, msg.PREFERENCES_SAVED)
            return redirect("members:me")
        messages.error(request, msg.FIX_ERRORS)
    else:
        profile = Profile.objects.filter(user=request.user).only("digest_frequency").first()
        form = PreferencesForm(
            initial={
                "preferred_language": request.user.preferred_language,
                "digest_frequency": profile.digest_frequency if profile else "weekly",
            }
        )
    return render(request, "members/preferences.html", {"form": form})


@never_cache
@member_required
@second_factor_required
def profile_detail(request, pk):
    """A profile, showing each viewer only what its owner allowed; views are capped per day."""
    profile = profile_for_page(viewer=request.user, pk=pk)
    if not record_profile_view(viewer=request.user, profile=profile, seen_today=profile.seen_today):
        return render(
            request, "members/profile_limit.html", {"message": msg.VIEW_CAP_REACHED}, status=429
        )
    own = profile.pk == request.user.pk
    return render(
        request,
        "members/profile_detail.html",
        {
            "profile": profile,
            "lists": page_lists(profile),
            "own": own,
            "show_email": own or profile.show_email,
        },
    )


SUGGESTIONS = 10


@require_GET
@member_required
def expertise_suggestions(request):
    """Autocomplete: up to 10 existing expertise tags (the default `kind`) or country names
    (`kind=country`, in the active language) containing the text `q`."""
    kind = request.GET.get("kind", "expertise")
    if kind not in ("expertise", "country"):
        return JsonResponse({"results": [], "error": "unknown kind"}, status=400)
    term = normalise_tag(request.GET.get("q", ""))
    names = []
    if kind == "country" and term:
        # The search's country field asks from the first letter (static/js/autocomplete.js).
        names = countries.country_suggestions(term, limit=SUGGESTIONS, shortest=1)
    elif len(term) >= 2:
        # Accents aside ("robo" finds "robótica").
        names = list(
            ExpertiseTag.objects.filter(name__unaccent__icontains=term)
            .order_by("name")
            .values_list("name", flat=True)[:SUGGESTIONS]
        )
    return JsonResponse({"results": names})


@require_GET
@member_required
def country_suggestions(request):
    """Autocomplete for the directory's country: up to 10 names in the page's language."""
    return JsonResponse({"results": countries.country_suggestions(request.GET.get("q", "")[:80])})
