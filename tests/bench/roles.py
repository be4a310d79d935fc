"""Who a scenario's requests come from: a session cookie per role, made in the database.

Logging in through the form would hit allauth's rate limits and measure the password
hash; the benchmark signs in the way Django's test client does (a session row with the
user id, backend and auth hash). Staff and PNCS coordinators get a TOTP authenticator,
as the second-factor rule of core.access requires.
"""

from __future__ import annotations

from .generate import BENCH_EMAIL_DOMAIN, BENCH_PASSWORD

# Django is imported inside the functions: scenarios.py (imported before django.setup())
# only needs the role names.

ANONYMOUS = "anonymous"
MEMBER = "member"
PNCS = "pncs"
STAFF = "staff"
ROLES = (ANONYMOUS, MEMBER, PNCS, STAFF)

_ROLE_ACCOUNTS = {
    PNCS: (f"coordinador@{BENCH_EMAIL_DOMAIN}", "PNCS_COORDINATORS", False),
    STAFF: (f"ime-staff@{BENCH_EMAIL_DOMAIN}", "IME_STAFF", True),
}


def role_user(role: str):
    """The user of a role: a generated member, or a coordinator / IME staff account
    created (with a verified address, a profile and a TOTP authenticator) on first use."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth.models import Group

    from core import access
    from members.models import PrivacyAcceptance, PrivacyNotice, Profile, Sector, User
    from pncs.models import Pncs

    if role == ANONYMOUS:
        return None
    if role == MEMBER:
        user = (
            User.objects.filter(email__endswith=f"@{BENCH_EMAIL_DOMAIN}", profile__isnull=False)
            .exclude(email__in=[email for email, _, _ in _ROLE_ACCOUNTS.values()])
            .order_by("id")
            .first()
        )
        if user is None:
            raise LookupError("no bench member: generate members first")
        return user
    email, group_constant, is_staff = _ROLE_ACCOUNTS[role]
    group_name = getattr(access, group_constant)
    user, created = User.objects.get_or_create(
        email=email, defaults={"is_staff": is_staff, "email_verified": True}
    )
    if created:
        user.set_password(BENCH_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    Profile.objects.get_or_create(
        user=user, defaults={"given_names": "Bench", "paternal_surname": role.upper()}
    )
    user.groups.add(Group.objects.get(name=group_name))
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
    notice = PrivacyNotice.objects.current()
    if notice is not None:
        PrivacyAcceptance.objects.get_or_create(user=user, notice=notice)
    if role == PNCS:  # a coordinator of an active PNCS (the first sector's)
        sector = Sector.objects.order_by("order", "pk").first()
        pncs, _created = Pncs.objects.get_or_create(
            sector=sector, defaults={"host_institution": "Bench", "is_active": True}
        )
        pncs.coordinators.add(user)
    return user


def session_cookie(role: str) -> str:
    """A `Cookie:` header value signing the role's user in (empty for anonymous)."""
    user = role_user(role)
    return "" if user is None else user_session_cookie(user)


def user_session_cookie(user) -> str:
    """A `Cookie:` header value signing `user` in (a new session row)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    # The configured session engine, as Django's test client does (a database-backed one:
    # the server under test reads the same database, not the harness's cache).
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
