"""Scenarios that are a user's path rather than one URL: signing in, the data export after
re-authentication, a registration rush checked in the database, and the search measured
while another page is under load. Each builds a load generator flow (tests/bench/loadgen.py)
or runs load generators itself; all run in the harness with the ORM on the bench database.
"""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

from . import roles
from .generate import BENCH_EMAIL_DOMAIN, BENCH_PASSWORD

# Django's hidden CSRF input, as every form of the site renders it.
CSRF_INPUT = r'name="csrfmiddlewaretoken" value="([^"]+)"'
LOGIN_ACCOUNTS = 500  # distinct bench members signing in, one after another
RUSH_MEMBERS = 100
RUSH_PLACES = 50


def bench_members(k: int, *, richest=False):
    """k generated members (not the role accounts), spread evenly over the id range; with
    `richest`, members with the most to export (applications, registrations, interests)
    among those who have any."""
    from django.db.models import Count, Max, Min

    from chapters.models import Registration
    from members.models import User
    from programs.models import Application

    members = User.objects.filter(
        email__startswith="m",
        email__endswith=f"@{BENCH_EMAIL_DOMAIN}",
        profile__isnull=False,
        is_active=True,
    )
    if richest:
        # A bounded candidate set (no count over every member): those with an application
        # or a registration, then ranked by everything they have.
        candidates = {
            *Application.objects.values_list("user_id", flat=True)[:2_000],
            *Registration.objects.values_list("user_id", flat=True)[:2_000],
        }
        ranked = (
            members.filter(pk__in=candidates)
            .annotate(
                things=Count("program_applications", distinct=True)
                + Count("jornada_registrations", distinct=True)
                + Count("pncs_interests", distinct=True)
            )
            .order_by("-things", "pk")
        )
        chosen = list(ranked[:k])
        if len(chosen) >= k:
            return chosen
        taken = {u.pk for u in chosen}
        return chosen + [u for u in bench_members(k) if u.pk not in taken][: k - len(chosen)]
    bounds = members.aggregate(first=Min("pk"), last=Max("pk"))
    if bounds["first"] is None:
        raise LookupError("no bench member: generate members first")
    step = max(1, (bounds["last"] - bounds["first"] + 1) // max(k, 1))
    wanted = range(bounds["first"], bounds["last"] + 1, step)
    chosen = list(members.filter(pk__in=list(wanted)).order_by("pk")[:k])
    if len(chosen) < k:  # holes in the id range: the first others fill in
        chosen += list(
            members.exclude(pk__in=[u.pk for u in chosen]).order_by("pk")[: k - len(chosen)]
        )
    return chosen


def login_flow(ctx) -> dict:
    """GET the login form (its CSRF token), POST e-mail and password: a real allauth login.
    Each repetition is a new visitor: no cookie, its own loopback address (allauth counts
    login attempts per address: 30 a minute) and the next of LOGIN_ACCOUNTS members."""
    login = ctx.reverse("account_login")
    emails = [user.email for user in bench_members(LOGIN_ACCOUNTS)]
    return {
        "measure": "login POST",
        "flow": {
            "users": [{"vars": {"email": e, "password": BENCH_PASSWORD}} for e in emails],
            "user_per": "repetition",
            "new_address": True,
            "steps": [
                {"label": "login form", "path": login, "extract": {"csrf": CSRF_INPUT}},
                {
                    "label": "login POST",
                    "method": "POST",
                    "path": login,
                    "form": {
                        "csrfmiddlewaretoken": "{csrf}",
                        "login": "{email}",
                        "password": "{password}",
                    },
                    # Signed in: sent on, never back to the login form.
                    "expect_status": [302],
                    "expect_header": {"location": r"^(?!.*/accounts/login)"},
                },
            ],
        },
    }


def arco_export_flow(ctx) -> dict:
    """The "my data" JSON export as a member does it: the page, the export button, the
    re-authentication it asks for (password), then exports while it lasts (5 minutes)."""
    my_data = ctx.reverse("members:my_data")
    export = ctx.reverse("members:export")
    members = bench_members(max(ctx.config.concurrency, 1), richest=True)
    export_form = {"csrfmiddlewaretoken": "{csrf}", "format": "json"}
    return {
        "measure": "export (JSON)",
        "flow": {
            "users": [
                {"cookie": roles.user_session_cookie(user), "vars": {"password": BENCH_PASSWORD}}
                for user in members
            ],
            "setup": [
                {"label": "my data page", "path": my_data, "extract": {"csrf": CSRF_INPUT}},
                {
                    "label": "export (asks to sign in again)",
                    "method": "POST",
                    "path": export,
                    "form": export_form,
                    "expect_status": [302],
                    "expect_header": {"location": "reauthenticate"},
                    "extract_header": {"reauthenticate": "location"},
                },
                {
                    "label": "re-authentication form",
                    "path": "{reauthenticate}",
                    "extract": {"csrf": CSRF_INPUT},
                },
                {
                    "label": "re-authentication POST",
                    "method": "POST",
                    "path": "{reauthenticate}",
                    "form": {"csrfmiddlewaretoken": "{csrf}", "password": "{password}"},
                    # allauth replays the suspended export (200) or sends the member on.
                    "expect_status": [200, 302],
                },
                {"label": "my data page (again)", "path": my_data, "extract": {"csrf": CSRF_INPUT}},
            ],
            "steps": [
                {
                    "label": "export (JSON)",
                    "method": "POST",
                    "path": export,
                    "form": export_form,
                    "expect_header": {"content-type": "application/json"},
                }
            ],
        },
    }


def registration_rush(ctx) -> dict:
    """RUSH_MEMBERS members read a new Jornada of RUSH_PLACES places, then all post their
    registration at once (a barrier in the load generator); the database must then hold
    exactly RUSH_PLACES confirmed and the rest waitlisted. The Jornada is removed after."""
    from django.db.models import Count
    from django.utils import timezone

    from chapters.models import Jornada, Registration

    now = timezone.now()
    jornada = Jornada.objects.create(
        slug=f"bench-rush-{uuid.uuid4().hex[:10]}",
        title_es="Jornada del benchmark (registro simultáneo)",
        title_en="Benchmark Jornada (registration rush)",
        starts_at=now + timedelta(days=40),
        ends_at=now + timedelta(days=40, hours=8),
        city="Ciudad de prueba",
        country="US",
        capacity=RUSH_PLACES,
        registration_opens_at=now - timedelta(days=1),
        registration_closes_at=now + timedelta(days=39),
        registration_mode=Jornada.RegistrationMode.OPEN,
        is_published=True,
    )
    try:
        members = bench_members(RUSH_MEMBERS)
        detail = ctx.reverse("chapters:jornada_detail", slug=jornada.slug)
        register = ctx.reverse("chapters:jornada_register", slug=jornada.slug)
        figures = ctx.loadgen(
            {
                "measure": "registration POST",
                "flow": {
                    "once": True,
                    "users": [{"cookie": roles.user_session_cookie(u)} for u in members],
                    "steps": [
                        {"label": "Jornada page", "path": detail, "extract": {"csrf": CSRF_INPUT}},
                        {
                            "label": "registration POST",
                            "method": "POST",
                            "path": register,
                            "form": {"csrfmiddlewaretoken": "{csrf}", "representing": ""},
                            "expect_status": [302],
                            "barrier": True,
                        },
                    ],
                },
            }
        )
        counts = dict(
            Registration.objects.filter(jornada=jornada)
            .values_list("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        )
    finally:
        Registration.objects.filter(jornada=jornada).delete()
        jornada.delete()
    confirmed = counts.get(Registration.Status.CONFIRMED, 0)
    waitlisted = counts.get(Registration.Status.WAITLISTED, 0)
    expected_waitlist = len(members) - RUSH_PLACES
    figures.update(
        members=len(members),
        places=RUSH_PLACES,
        confirmed=confirmed,
        waitlisted=waitlisted,
        other_statuses={k: v for k, v in counts.items() if k not in ("confirmed", "waitlisted")},
        overbooked=max(0, confirmed - RUSH_PLACES),
        booking_mismatches=abs(confirmed - RUSH_PLACES) + abs(waitlisted - expected_waitlist),
    )
    return figures


def search_under_directory_load(ctx) -> dict:
    """The coordinators' filters-only search with one connection, alone, then again while
    a second load generator keeps --concurrency members on the directory's four pages."""
    from .scenarios import directory_path, search_path

    search = {
        "paths": [search_path(ctx, sector=True, country="US")],
        "cookie": roles.session_cookie(roles.PNCS),
        "concurrency": 1,
    }
    directory = {
        "paths": [
            directory_path(ctx, variant)
            for variant in ("page 1", "deep page", "text", "country + sector")
        ],
        "cookie": roles.session_cookie(roles.MEMBER),
        "concurrency": ctx.config.concurrency,
        # Running before, during and after the search's warm-up and measured time.
        "warmup": 0,
        "seconds": ctx.config.warmup + ctx.config.seconds + 2,
    }
    alone = ctx.loadgen(search)
    with ctx.start_loadgen(directory) as load:
        time.sleep(1)  # the directory requests are under way
        under = ctx.loadgen(search)
    loaded = load.result
    figures = dict(under)
    figures.update(
        alone_p50_ms=alone["p50_ms"],
        alone_p95_ms=alone["p95_ms"],
        p95_ratio_under_load=(
            round(under["p95_ms"] / alone["p95_ms"], 2)
            if under.get("p95_ms") and alone.get("p95_ms")
            else None
        ),
        directory_rps=loaded["rps"],
        directory_p50_ms=loaded["p50_ms"],
        directory_p95_ms=loaded["p95_ms"],
        directory_errors=loaded["errors"],
        errors=alone["errors"] + under["errors"] + loaded["errors"],
        error_samples=(alone["error_samples"] + under["error_samples"] + loaded["error_samples"])[
            :5
        ],
    )
    return figures
