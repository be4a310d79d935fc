"""The authentication backends: Django's and allauth's, loading the request's user with
what every page asks of it in the same statement.

Pages ask two things of the signed-in account before anything else: its roles (core.access
role_names: the second-factor rule, the role checks) and, for accounts that see others'
data, whether a TOTP authenticator is active (core.access.has_mfa). Read as separate
queries they cost two round trips on every request; here they come with the user row
(`ArraySubquery` and `Exists`, stock ORM), still read afresh on every request, so a role
granted or revoked counts from the next request on (SECURITY.md B4)."""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, OuterRef

from core.access import remember_loaded_roles


def users_with_roles():
    """Users annotated with `loaded_role_names` (their groups' names) and `loaded_has_totp`."""
    return get_user_model().objects.annotate(
        loaded_role_names=ArraySubquery(Group.objects.filter(user=OuterRef("pk")).values("name")),
        loaded_has_totp=Exists(
            Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
        ),
    )


class LoadsRoles:
    def get_user(self, user_id):
        user = users_with_roles().filter(pk=user_id).first()
        if user is None or not self.user_can_authenticate(user):
            return None
        remember_loaded_roles(user)
        return user


class RolesModelBackend(LoadsRoles, ModelBackend):
    """django.contrib.auth's ModelBackend (the admin's sign-in) with the roles loaded."""


class RolesAllauthBackend(LoadsRoles, AllauthBackend):
    """allauth's backend (sign-in by e-mail) with the roles loaded."""
