"""factory_boy factories. Fictitious people only (Faker); never real data.

Each app's factories live in its own section below, so parallel work never touches
the same lines.
"""

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password

from members.models import Profile, ProfileSector, Sector, User

DEFAULT_PASSWORD = "a-long-test-passphrase-2026"
_PASSWORD_HASH = make_password(DEFAULT_PASSWORD)  # hashed once: hashing is slow on purpose


# === members ======================================================================


class UserFactory(factory.django.DjangoModelFactory):
    """A verified, active user (allauth's EmailAddress included) with DEFAULT_PASSWORD."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"persona{n}@example.org")
    password = _PASSWORD_HASH
    email_verified = True

    @factory.post_generation
    def email_address(self, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(
                user=self, email=self.email, verified=self.email_verified, primary=True
            )


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    given_names = factory.Faker("first_name", locale="es_MX")
    paternal_surname = factory.Faker("last_name", locale="es_MX")
    maternal_surname = factory.Faker("last_name", locale="es_MX")
    headline = factory.Faker("job", locale="es_MX")
    country = "US"
    city = "Houston"
    state_of_origin = "JAL"
    education_level = "maestria"

    @factory.post_generation
    def sectors(self, create, extracted, **kwargs):
        """`sectors=[...]` (slugs or Sector rows); the first is primary. Default: tic."""
        if not create:
            return
        chosen = extracted if extracted is not None else ["tic"]
        for n, item in enumerate(chosen):
            sector = item if isinstance(item, Sector) else Sector.objects.get(slug=item)
            ProfileSector.objects.create(profile=self, sector=sector, is_primary=(n == 0))


def member(**profile_fields):
    """A verified member with a profile; returns the User."""
    return ProfileFactory(**profile_fields).user


# === chapters =====================================================================


# === pncs =========================================================================


class PncsFactory(factory.django.DjangoModelFactory):
    """A PNCS of the given sector (slug or row; default tic)."""

    class Meta:
        model = "pncs.Pncs"
        django_get_or_create = ("sector",)
        skip_postgeneration_save = True

    sector = factory.LazyFunction(lambda: Sector.objects.get(slug="tic"))
    host_institution = factory.Sequence(lambda n: f"Instituto Ficticio {n}")
    description_es = "Punto de contacto de prueba."
    description_en = "Test contact point."
    contact_email = factory.Sequence(lambda n: f"pncs{n}@example.org")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        sector = kwargs.get("sector")
        if isinstance(sector, str):
            kwargs["sector"] = Sector.objects.get(slug=sector)
        return super()._create(model_class, *args, **kwargs)


class OpportunityFactory(factory.django.DjangoModelFactory):
    """An open opportunity of a PNCS (its sector follows the PNCS)."""

    class Meta:
        model = "pncs.Opportunity"
        skip_postgeneration_save = True

    pncs = factory.SubFactory(PncsFactory)
    sector = factory.LazyAttribute(lambda o: o.pncs.sector)
    kind = "mentoria"
    title_es = factory.Sequence(lambda n: f"Oportunidad de prueba {n}")
    title_en = factory.Sequence(lambda n: f"Test opportunity {n}")
    description_es = "Descripción de prueba."
    status = "open"
    country = "MX"


def with_totp(user):
    """Give the user a TOTP authenticator; returns the base32 secret."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import generate_totp_secret
    from allauth.mfa.utils import encrypt

    secret = generate_totp_secret()
    Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": encrypt(secret)}
    )
    return secret


def coordinator(sector="tic", *, totp=True, **user_fields):
    """A coordinator of the PNCS of `sector` (created if needed), with TOTP by default."""
    user = UserFactory(**user_fields)
    point = PncsFactory(sector=Sector.objects.get(slug=sector))
    point.coordinators.add(user)
    if totp:
        with_totp(user)
    return user


# === programs =====================================================================
