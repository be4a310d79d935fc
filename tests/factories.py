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

    @factory.post_generation
    def privacy_accepted(self, create, extracted, **kwargs):
        """An existing member already accepted the privacy notice in force (pass
        `privacy_accepted=False` for someone who has not); otherwise every member page
        would first ask them to accept it."""
        from members.models import PrivacyAcceptance, PrivacyNotice

        if create and extracted is not False:
            notice = PrivacyNotice.objects.current()
            if notice is not None:
                PrivacyAcceptance.objects.get_or_create(user=self, notice=notice)


def _now():
    from django.utils import timezone

    return timezone.now()


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
    onboarded_at = factory.LazyFunction(_now)  # onboarding done (the usual member)

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


# === programs =====================================================================
