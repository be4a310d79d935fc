"""Demo members and the demo staff account (fictitious people only, never real data).

Their addresses are members.checks' (the deploy check refusing them runs in production,
where this app is absent)."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from faker import Faker

from members.checks import DEMO_MEMBER_DOMAIN, DEMO_STAFF_EMAIL
from members.choices import EducationLevel, MexicanState
from members.models import (
    Contribution,
    ExpertiseTag,
    Language,
    PrivacyAcceptance,
    PrivacyNotice,
    Profile,
    ProfileSector,
    Sector,
    User,
)

DEMO_STAFF_PASSWORD = "demo-ime-staff-2026"  # noqa: S105 - printed by `make run`, DEBUG only
DEMO_MEMBER_PASSWORD = "demo-member-2026"  # noqa: S105 - every demo member shares it
# The demo staff account is a superuser, so it needs a second factor (core.access).
# Fixed, documented demo values (DEBUG only, printed by `make run`): add the TOTP secret
# to an authenticator app, or use a recovery code (re-armed each time seed_demo runs).
DEMO_STAFF_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105
DEMO_STAFF_RECOVERY_SEED = "talentnet-demo-recovery-codes-not-secret"

COUNTRIES = [
    ("US", 60, "en_US"),
    ("CA", 10, "en_US"),
    ("ES", 6, "es_ES"),
    ("DE", 5, "de_DE"),
    ("GB", 5, "en_GB"),
    ("FR", 4, "fr_FR"),
    ("NL", 2, "nl_NL"),
    ("CH", 2, "de_CH"),
    ("JP", 2, "ja_JP"),
    ("AU", 2, "en_AU"),
    ("CL", 1, "es_CL"),
    ("BR", 1, "pt_BR"),
]
EXPERTISE = [
    "machine learning",
    "python",
    "deep learning",
    "ciencia de datos",
    "ciberseguridad",
    "biotecnología",
    "genómica",
    "salud pública",
    "energía solar",
    "hidrógeno verde",
    "baterías",
    "manufactura avanzada",
    "aeronáutica",
    "logística",
    "nanomateriales",
    "agricultura de precisión",
    "acuacultura",
    "cambio climático",
    "economía circular",
    "finanzas",
    "emprendimiento",
    "capital de riesgo",
    "semiconductores",
    "robótica",
    "computación en la nube",
    "política pública",
    "cooperación internacional",
    "vehículos eléctricos",
]
HEADLINES = [
    "Ingeniera de software en {company}",
    "Investigador en {field}",
    "Director de operaciones en {company}",
    "Data scientist at {company}",
    "Profesora de {field}",
    "Consultor en {field}",
    "Senior engineer at {company}",
    "Fundadora de {company}",
]


def _demo_email(i):
    return f"miembro{i:04d}@{DEMO_MEMBER_DOMAIN}"


@transaction.atomic
def seed(*, stdout, rng, members=300, **kwargs):
    """Create the demo staff account and `members` demo members (skips those that exist)."""
    staff, created = User.objects.get_or_create(
        email=DEMO_STAFF_EMAIL,
        defaults={"is_staff": True, "is_superuser": True, "email_verified": True},
    )
    if created:
        staff.set_password(DEMO_STAFF_PASSWORD)
        staff.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=staff, email=DEMO_STAFF_EMAIL, defaults={"verified": True, "primary": True}
    )
    Profile.objects.get_or_create(
        user=staff,
        defaults={
            "given_names": "Equipo",
            "paternal_surname": "IME (demo)",
            "country": "MX",
            "onboarded_at": timezone.now(),
        },
    )
    _seed_staff_second_factor(staff)

    existing = set(
        User.objects.filter(email__endswith=f"@{DEMO_MEMBER_DOMAIN}").values_list(
            "email", flat=True
        )
    )
    sectors = list(Sector.objects.all())
    contributions = list(Contribution.objects.all())
    languages = {lang.code: lang for lang in Language.objects.all()}
    tags = {}
    for name in EXPERTISE:
        tags[name], _ = ExpertiseTag.objects.get_or_create(
            name=name, defaults={"slug": name.replace(" ", "-")}
        )
    password_hash = make_password(DEMO_MEMBER_PASSWORD)
    fakers = {}
    now = timezone.now()
    made = 0
    for i in range(1, members + 1):
        email = _demo_email(i)
        if email in existing:
            continue
        country, _, locale = rng.choices(COUNTRIES, weights=[c[1] for c in COUNTRIES])[0]
        fake = fakers.setdefault(locale, Faker(locale))
        mx = fakers.setdefault("es_MX", Faker("es_MX"))
        fake.seed_instance(i)
        mx.seed_instance(i)
        user = User.objects.create(
            email=email,
            password=password_hash,
            email_verified=True,
            preferred_language=rng.choice(["es-mx", "es-mx", "en"]),
            date_joined=now - timezone.timedelta(days=rng.randint(0, 3 * 365)),
        )
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        field = rng.choice(EXPERTISE)
        profile = Profile.objects.create(
            user=user,
            given_names=mx.first_name(),
            paternal_surname=mx.last_name(),
            maternal_surname=mx.last_name(),
            headline=rng.choice(HEADLINES).format(company=fake.company(), field=field),
            bio=mx.paragraph(nb_sentences=4),
            country=country,
            city=fake.city(),
            state_of_origin=rng.choice(MexicanState.values),
            education_level=rng.choice(EducationLevel.values),
            education_field=field,
            institution=fake.company(),
            employer=fake.company(),
            position=rng.choice(
                ["Ingeniera", "Investigador", "Directora", "Consultor", "Profesor"]
            ),
            willing_to_travel=rng.random() < 0.6,
            directory_visibility=rng.choice(list(Profile.Visibility.values)),
            pncs_contact=rng.random() < 0.7,
            notify_chapter=rng.random() < 0.6,
            notify_jornadas=rng.random() < 0.6,
            notify_programs=rng.random() < 0.4,
            notify_opportunities=rng.random() < 0.5,
            notify_surveys=rng.random() < 0.7,
            onboarded_at=now,
        )
        chosen = rng.sample(sectors, rng.randint(1, 3))
        ProfileSector.objects.bulk_create(
            ProfileSector(profile=profile, sector=s, is_primary=(n == 0))
            for n, s in enumerate(chosen)
        )
        profile.expertise.set([tags[name] for name in rng.sample(EXPERTISE, rng.randint(1, 4))])
        profile.contributions.set(rng.sample(contributions, rng.randint(1, 4)))
        spoken = ["es", "en", *rng.sample(["fr", "de", "pt", "it", "ja", "nah"], rng.randint(0, 1))]
        profile.languages.set([languages[c] for c in spoken if c in languages])
        made += 1
    _accept_current_notice()
    stdout.write(f"members: {made} demo members created ({len(existing)} already there)")


def _seed_staff_second_factor(staff):
    """TOTP with the documented demo secret, and recovery codes re-armed on every run."""
    if not Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists():
        Authenticator.objects.create(
            user=staff,
            type=Authenticator.Type.TOTP,
            data={"secret": encrypt(DEMO_STAFF_TOTP_SECRET)},
        )
    Authenticator.objects.update_or_create(
        user=staff,
        type=Authenticator.Type.RECOVERY_CODES,
        defaults={"data": {"seed": encrypt(DEMO_STAFF_RECOVERY_SEED), "used_mask": 0}},
    )


def demo_staff_recovery_codes():
    """The demo staff account's recovery codes (for documentation and tests)."""
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    instance = Authenticator(
        type=Authenticator.Type.RECOVERY_CODES,
        data={"seed": encrypt(DEMO_STAFF_RECOVERY_SEED), "used_mask": 0},
    )
    return RecoveryCodes(instance).generate_codes()


def _accept_current_notice():
    """Demo people already accepted the privacy notice in force (they are not asked again)."""
    notice = PrivacyNotice.objects.current()
    if notice is None:
        return
    users = User.objects.filter(
        email__in=[DEMO_STAFF_EMAIL],
    ) | User.objects.filter(email__endswith=f"@{DEMO_MEMBER_DOMAIN}")
    done = set(PrivacyAcceptance.objects.filter(notice=notice).values_list("user_id", flat=True))
    PrivacyAcceptance.objects.bulk_create(
        PrivacyAcceptance(user_id=pk, notice=notice)
        for pk in users.values_list("pk", flat=True)
        if pk not in done
    )
