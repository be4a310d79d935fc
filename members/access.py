"""Roles and the second-factor rule, shared by every app.

Roles are Django groups (created by a data migration). Staff of IME and PNCS
coordinators can read and export personal data, so they need a second factor
(allauth.mfa TOTP) before the admin, member search or exports (SECURITY.md A5).
"""

from functools import wraps
from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

IME_STAFF = "IME staff"
PNCS_COORDINATORS = "PNCS coordinators"
CHAPTER_OFFICERS = "Chapter officers"
ROLE_GROUPS = (IME_STAFF, PNCS_COORDINATORS, CHAPTER_OFFICERS)

MFA_REQUIRED_MESSAGE = _(
    "Para continuar, activa la verificación en dos pasos (aplicación autenticadora)."
)


ROLE_NAMES_MEMO = "_role_names"


def role_names(user) -> frozenset:
    """The names of the user's groups, read once per user object.

    Pages ask several role questions (second factor? coordinator? IME staff?): one query
    answers them all. The request's user is loaded afresh on every request, so a granted or
    revoked role counts from the next request on (SECURITY.md B4); changing the groups
    through this very object forgets the memo (members.signals)."""
    if not user.is_authenticated:
        return frozenset()
    names = getattr(user, ROLE_NAMES_MEMO, None)
    if names is None:
        from django.contrib.auth.models import Group

        names = frozenset(Group.objects.filter(user=user.pk).values_list("name", flat=True))
        setattr(user, ROLE_NAMES_MEMO, names)
    return names


def in_group(user, name) -> bool:
    """True when the user belongs to the named role group."""
    return name in role_names(user)


def is_ime_staff(user) -> bool:
    """IME staff: superusers and members of the "IME staff" group (who must also be is_staff)."""
    return (
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or (user.is_staff and in_group(user, IME_STAFF)))
    )


def needs_mfa(user) -> bool:
    """Whoever can read or export personal data in bulk needs a second factor."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or not role_names(user).isdisjoint({IME_STAFF, PNCS_COORDINATORS})


def has_mfa(user) -> bool:
    """True when the user has an active TOTP authenticator (checked on every request of the
    pages that need one)."""
    return Authenticator.objects.filter(user=user.pk, type=Authenticator.Type.TOTP).exists()


def mfa_setup_redirect(request):
    """Send the user to TOTP activation, coming back to where they were going."""
    messages.warning(request, MFA_REQUIRED_MESSAGE)
    url = reverse("mfa_activate_totp")
    return redirect(f"{url}?{urlencode({'next': request.get_full_path()})}")


def mfa_required(view):
    """Login required, and a TOTP authenticator set up (else: go set one up)."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not has_mfa(request.user):
            return mfa_setup_redirect(request)
        return view(request, *args, **kwargs)

    return wrapper


def grant_role_permissions(app_label, grants, *, apps=None):
    """Give role groups the model permissions of one app (idempotent).

    `grants` maps a group name to permission codenames, or to None for all of the app's.
    Used by data migrations (pass their historical `apps`) and by post_migrate receivers,
    which put the grants back after a test flush empties the group-permission table.
    """
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    registry = apps or global_apps
    app_config = registry.get_app_config(app_label)
    if apps is not None and getattr(app_config, "models_module", None) is None:
        # Permissions are created after migrate; a data migration needs them now.
        app_config.models_module = True
        create_permissions(app_config, apps=registry, verbosity=0)
        app_config.models_module = None
    else:
        create_permissions(app_config, apps=registry, verbosity=0)
    group_model = registry.get_model("auth", "Group")
    permission_model = registry.get_model("auth", "Permission")
    permissions = permission_model.objects.filter(content_type__app_label=app_label)
    for name, codenames in grants.items():
        group, _created = group_model.objects.get_or_create(name=name)
        chosen = permissions if codenames is None else permissions.filter(codename__in=codenames)
        group.permissions.add(*chosen)


def connect_role_permissions(app_config, grants):
    """Re-apply an app's grants after every migrate or test flush (call from ready())."""
    from django.db.models.signals import post_migrate

    def receiver(sender, **kwargs):
        grant_role_permissions(app_config.label, grants)

    post_migrate.connect(receiver, sender=app_config, weak=False)


def member_required(view):
    """A signed-in member with a verified address who accepted the current privacy notice.

    Someone who has not accepted the version in force is asked to, then comes back."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        from .services import needs_privacy_acceptance

        if not request.user.email_verified:
            return redirect("account_email")
        if needs_privacy_acceptance(user=request.user):
            url = reverse("members:privacy_accept")
            return redirect(f"{url}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapper


def mfa_if_privileged(view):
    """Whoever `needs_mfa` (IME staff, PNCS coordinators, superusers) must have a second
    factor before member search and profiles; other members pass straight through."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if needs_mfa(request.user) and not has_mfa(request.user):
            return mfa_setup_redirect(request)
        return view(request, *args, **kwargs)

    return wrapper
