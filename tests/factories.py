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


class ChapterFactory(factory.django.DjangoModelFactory):
    """A formalised chapter in North America (fictitious)."""

    class Meta:
        model = "chapters.Chapter"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Capítulo {n}")
    slug = factory.Sequence(lambda n: f"capitulo-{n}")
    city = "Austin"
    country = "US"
    region = "north-america"
    status = "formalized"
    description_es = "Descripción en español."
    description_en = "Description in English."


class OfficerFactory(factory.django.DjangoModelFactory):
    """A current officer (term started a year ago, no end); admin access granted."""

    class Meta:
        model = "chapters.Officer"
        skip_postgeneration_save = True

    chapter = factory.SubFactory(ChapterFactory)
    user = factory.LazyFunction(member)
    role = "president"
    term_start = factory.LazyFunction(lambda: _today() - _timedelta(days=365))
    term_end = None

    @factory.post_generation
    def admin_access(self, create, extracted, **kwargs):
        if create and extracted is not False:
            from chapters.services import grant_officer_access

            grant_officer_access(user=self.user)

    @factory.post_generation
    def second_factor(self, create, extracted, **kwargs):
        """Officers see others' personal data, so they have TOTP (members.access), unless
        `second_factor=False`."""
        if create and extracted is not False:
            from allauth.mfa.models import Authenticator

            if not Authenticator.objects.filter(user=self.user, type="totp").exists():
                with_totp(self.user)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "chapters.Membership"

    chapter = factory.SubFactory(ChapterFactory)
    user = factory.LazyFunction(member)
    status = "approved"


class JornadaFactory(factory.django.DjangoModelFactory):
    """A published, open Jornada a month from now (network-wide unless chapter= is given)."""

    class Meta:
        model = "chapters.Jornada"

    slug = factory.Sequence(lambda n: f"jornada-{n}")
    title_es = factory.Sequence(lambda n: f"Jornada Informativa {n}")
    title_en = factory.Sequence(lambda n: f"Information Day {n}")
    starts_at = factory.LazyFunction(lambda: _now() + _timedelta(days=30))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + _timedelta(hours=8))
    venue = "Centro de Convenciones"
    city = "Ciudad de México"
    country = "MX"
    is_published = True


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "chapters.AgendaItem"

    jornada = factory.SubFactory(JornadaFactory)
    order = factory.Sequence(lambda n: n)
    starts_at = factory.LazyAttribute(lambda o: o.jornada.starts_at)
    title_es = factory.Sequence(lambda n: f"Mesa {n}")
    title_en = factory.Sequence(lambda n: f"Panel {n}")


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "chapters.Speaker"

    agenda_item = factory.SubFactory(AgendaItemFactory)
    name = factory.Faker("name", locale="es_MX")
    affiliation = "Universidad Ficticia"


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "chapters.Registration"

    jornada = factory.SubFactory(JornadaFactory)
    user = factory.LazyFunction(member)
    status = "confirmed"


class AnnouncementFactory(factory.django.DjangoModelFactory):
    """A draft chapter announcement (bilingual Markdown); audience given by the test."""

    class Meta:
        model = "announcements.Announcement"
        skip_postgeneration_save = True

    kind = "chapter"
    subject_es = factory.Sequence(lambda n: f"Aviso {n}")
    subject_en = factory.Sequence(lambda n: f"Notice {n}")
    body_es = "Hola a **todos**. Más en [la Jornada](/jornadas/)."
    body_en = "Hello **everyone**. More at [the Jornada](/jornadas/)."

    @factory.post_generation
    def audience_chapters(self, create, extracted, **kwargs):
        if create and extracted:
            self.audience_chapters.set(extracted)

    @factory.post_generation
    def audience_jornadas(self, create, extracted, **kwargs):
        if create and extracted:
            self.audience_jornadas.set(extracted)


def subscriber(*, chapter=None, jornada=None, language="es-mx", **profile_fields):
    """A verified member opted in to chapter and Jornada announcements (unless told
    otherwise), optionally an approved member of `chapter` or confirmed at `jornada`."""
    from chapters.models import Membership, Registration

    profile_fields.setdefault("notify_chapter", True)
    profile_fields.setdefault("notify_jornadas", True)
    user = member(**profile_fields)
    if language != "es-mx":
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    if chapter is not None:
        Membership.objects.create(chapter=chapter, user=user, status="approved")
    if jornada is not None:
        Registration.objects.create(jornada=jornada, user=user, status="confirmed")
    return user


def _now():
    from django.utils import timezone

    return timezone.now()


def _today():
    from django.utils import timezone

    return timezone.localdate()


def _timedelta(**kwargs):
    import datetime

    return datetime.timedelta(**kwargs)


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


def totp_code(secret: str) -> str:
    """The current code for a base32 TOTP secret, as an authenticator app computes it
    (RFC 6238 with allauth's defaults: SHA-1, 30 seconds, 6 digits)."""
    import base64
    import hashlib
    import hmac
    import struct
    import time

    key = base64.b32decode(secret, casefold=True)
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def coordinator(sector="tic", *, totp=True, **user_fields):
    """A coordinator of the PNCS of `sector` (created if needed), with TOTP by default."""
    user = UserFactory(**user_fields)
    point = PncsFactory(sector=Sector.objects.get(slug=sector))
    point.coordinators.add(user)
    if totp:
        with_totp(user)
    return user


# === programs =====================================================================


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "programs.Partner"
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"aliado-{n}")
    name = factory.Sequence(lambda n: f"Centro Aliado {n}")
    kind = "public_centre"


class ProgramFactory(factory.django.DjangoModelFactory):
    """A published program whose call is open now (opened a week ago, closes in a month)."""

    class Meta:
        model = "programs.Program"

    slug = factory.Sequence(lambda n: f"programa-{n}")
    name_es = factory.Sequence(lambda n: f"Programa de prueba {n}")
    name_en = factory.Sequence(lambda n: f"Test program {n}")
    summary_es = "Formación en inteligencia artificial."
    summary_en = "Artificial intelligence training."
    description_es = "Un programa de prueba."
    description_en = "A test program."
    capacity = 1000
    call_opens_at = factory.LazyFunction(lambda: _now() - _days(7))
    call_closes_at = factory.LazyFunction(lambda: _now() + _days(30))
    eligibility_es = "No se exige una formación académica específica."
    eligibility_en = "No specific academic background required."


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "programs.Stage"

    program = factory.SubFactory(ProgramFactory)
    order = factory.Sequence(lambda n: n + 1)
    name_es = factory.LazyAttribute(lambda o: f"Etapa {o.order}")
    name_en = factory.LazyAttribute(lambda o: f"Stage {o.order}")
    mode = "virtual"
    starts_on = factory.LazyFunction(lambda: _now().date())
    ends_on = factory.LazyFunction(lambda: _now().date() + _days(30))


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "programs.Application"

    program = factory.SubFactory(ProgramFactory)
    user = factory.LazyFunction(lambda: member())
    education_level = "licenciatura"
    education_field = "Ingeniería en computación"
    institution = "Universidad de prueba"
    state = "JAL"
    nationality = "MX"
    gender = ""
    motivation = "Quiero aprender inteligencia artificial."


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "programs.Enrolment"

    application = factory.SubFactory(ApplicationFactory, status="accepted")
    stage = factory.SubFactory(StageFactory, program=factory.SelfAttribute("..application.program"))


def _now():
    from django.utils import timezone

    return timezone.now()


def _days(n):
    import datetime

    return datetime.timedelta(days=n)


def program_with_stages(*, seats=None, **program_fields):
    """A program with stage 1 (virtual) and stage 2 (in person, `seats` seats)."""
    program = ProgramFactory(**program_fields)
    stage1 = StageFactory(program=program, order=1, name_es="Etapa 1", name_en="Stage 1")
    stage2 = StageFactory(
        program=program,
        order=2,
        name_es="Etapa 2",
        name_en="Stage 2",
        mode="in_person",
        seats=seats,
    )
    return program, stage1, stage2


def participant(stage, *, score=None, completed=False, certified=False, **application_fields):
    """An accepted applicant enrolled in `stage`, with an optional result."""
    application = ApplicationFactory(program=stage.program, status="accepted", **application_fields)
    return EnrolmentFactory(
        application=application,
        stage=stage,
        score=score,
        completed=completed,
        certified=certified,
        completed_on=_now().date() if completed else None,
    )


def program_staff_user(*, totp=True, **fields):
    """A staff account in the "Program staff" group (not superuser, not IME staff), with a
    second factor unless `totp=False` (members.access)."""
    from django.contrib.auth.models import Group, Permission

    user = member(**fields)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    # Transactional tests flush the tables, data-migration groups included: rebuild it.
    group, created = Group.objects.get_or_create(name="Program staff")
    if created:
        group.permissions.set(Permission.objects.filter(content_type__app_label="programs"))
    user.groups.add(group)
    if totp:
        with_totp(user)
    return user


def modules_and_sessions(stage, *, modules=(("ml", 40), ("dl", 40), ("openai", 20)), sessions=4):
    """Weighted modules (code, weight) and `sessions` virtual sessions for `stage`."""
    from programs.models import Module, Session

    made_modules = [
        Module.objects.create(
            stage=stage,
            order=n,
            code=code,
            name_es=f"Módulo {code}",
            name_en=f"Module {code}",
            weight=weight,
        )
        for n, (code, weight) in enumerate(modules, start=1)
    ]
    made_sessions = [
        Session.objects.create(
            stage=stage,
            code=f"s{n:02d}",
            title_es=f"Sesión {n}",
            title_en=f"Session {n}",
            mode="virtual",
            starts_at=_now() + _days(n),
            link=f"https://aula.example.org/sesion-{n}",
        )
        for n in range(1, sessions + 1)
    ]
    return made_modules, made_sessions


# === news =========================================================================


class PostFactory(factory.django.DjangoModelFactory):
    """A published network-wide post (pass scope/sector/chapter for others)."""

    class Meta:
        model = "news.Post"
        skip_postgeneration_save = True

    scope = "network"
    slug = factory.Sequence(lambda n: f"noticia-{n}")
    title_es = factory.Sequence(lambda n: f"Noticia {n}")
    title_en = factory.Sequence(lambda n: f"News item {n}")
    summary_es = "Resumen de la noticia."
    summary_en = "Summary of the news."
    body_es = "Texto de la **noticia**."
    body_en = "Text of the **news**."
    status = "published"
    published_at = factory.LazyFunction(lambda: _now() - _timedelta(hours=1))
