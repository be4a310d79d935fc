"""Roles and the second-factor rule, shared by every app (access decorators: members.access
adds `member_required`, which asks for the current privacy notice).

Roles are Django groups (created by data migrations). The second-factor rule is one
predicate, `sees_others_personal_data`: an account that can reach other people's personal
data (any staff account, any superuser, anyone in a role group: IME staff, program staff,
chapter officers, PNCS coordinators, and any group added later) needs a TOTP authenticator
before the admin and before every page, file or export showing others' data (SECURITY.md
A5). No exception by role name: a new group is covered the day it is created.
"""

from functools import wraps
from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
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
HAS_MFA_MEMO = "_has_mfa"


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


def remember_loaded_roles(user) -> None:
    """Keep what the authentication backend loaded with the user (members.auth_backends):
    its roles as the memo of `role_names`, and whether it has a TOTP authenticator."""
    setattr(user, ROLE_NAMES_MEMO, frozenset(user.loaded_role_names))
    setattr(user, HAS_MFA_MEMO, user.loaded_has_totp)


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


# The header's link to the workbench (members:workbench), decided at sign-in from
# `sees_others_personal_data` and kept in the session: the header reads no roles on every
# page (members' pages have fixed query counts). Only a link: the page checks the role on
# every request; a role granted later shows the link from the next sign-in (or once the
# workbench is opened).
WORKBENCH_LINK_SESSION_KEY = "workbench_link"


def remember_workbench_link(request, user) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        session[WORKBENCH_LINK_SESSION_KEY] = sees_others_personal_data(user)


def sees_others_personal_data(user) -> bool:
    """Can this account see other people's personal data? The one rule behind the second
    factor (SECURITY.md A5).

    Yes for superusers and staff (the admin holds every model with personal data; what a
    staff account may open there is a matter of permissions that change over time), and
    for anyone in a role group (every group of the project grants access to others' data:
    coordinators search members, officers decide memberships and export participants,
    program staff read applications). Deliberately no list of role names: a group added
    later needs a second factor from its first member on. Costs at most the one query of
    `role_names`."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.is_staff or bool(role_names(user))


def has_mfa(user) -> bool:
    """True when the user has an active TOTP authenticator (checked on every request of the
    pages that need one): loaded with the request's user (members.auth_backends), else
    one query."""
    loaded = getattr(user, HAS_MFA_MEMO, None)
    if loaded is not None:
        return loaded
    return Authenticator.objects.filter(user=user.pk, type=Authenticator.Type.TOTP).exists()


def lacks_second_factor(user) -> bool:
    """True when the account sees others' personal data and has no TOTP authenticator yet:
    such an account is sent to set one up (`mfa_setup_redirect`) instead of the data."""
    return sees_others_personal_data(user) and not has_mfa(user)


def mfa_setup_redirect(request):
    """Send the user to TOTP activation, coming back to where they were going."""
    messages.warning(request, MFA_REQUIRED_MESSAGE)
    url = reverse("mfa_activate_totp")
    return redirect(f"{url}?{urlencode({'next': request.get_full_path()})}")


def second_factor_required(view):
    """Login required; then an account that `sees_others_personal_data` without a second
    factor is sent to set one up, coming back afterwards. Other members pass straight
    through (their own pages show only their own data)."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if lacks_second_factor(request.user):
            return mfa_setup_redirect(request)
        return view(request, *args, **kwargs)

    return wrapper


def role_required(test):
    """A view decorator for a role: signed in (else login), `test(user)` true (else 403),
    then the second-factor rule (`second_factor_required`). The role is checked on every
    request."""

    def decorator(view):
        with_second_factor = second_factor_required(view)

        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not test(request.user):
                raise PermissionDenied
            return with_second_factor(request, *args, **kwargs)

        return wrapper

    return decorator


ime_staff_required = role_required(is_ime_staff)


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
