"""Demo partner applications (issue 25): the IA 1000 training centre (results and
credentials of IA 1000, subscribed to credential.issued/revoked), the Houston chapter's web
site (its events and registrations) and a TIC sector database (its consented members). Each
has a fixed, fictitious client id and secret so `make run` users can try the API's curl
examples (README). Runs after the programs', chapters' and members' demos."""

from django.db import transaction
from oauth2_provider.models import Application

from api.models import PartnerApplication, Scope
from chapters.models import Chapter
from members.models import Sector
from programs.models import Program

from .programs import IA1000_SLUG

# (name, client id, client secret, scopes, reach, webhook url, events): fictitious.
PARTNERS = [
    (
        "Centro de formación IA 1000 (demo)",
        "demo-centro-ia1000",
        "demo-secreto-centro-ia1000-no-usar-en-produccion",
        [Scope.PROGRAM_RESULTS],
        {"program": ("programs", IA1000_SLUG)},
        "https://centro-ia.example.org/webhooks/talentos",
        ["credential.issued", "credential.revoked"],
    ),
    (
        "Sitio del capítulo Houston (demo)",
        "demo-capitulo-houston",
        "demo-secreto-capitulo-houston-no-usar-en-produccion",
        [Scope.CHAPTER_EVENTS],
        {"chapter": ("chapters", "houston")},
        "https://houston.example.org/webhooks/talentos",
        ["registration.created", "registration.cancelled", "membership.ended"],
    ),
    (
        "Base de datos del PNCS TIC (demo)",
        "demo-pncs-tic",
        "demo-secreto-pncs-tic-no-usar-en-produccion",
        [Scope.SECTOR_MEMBERS],
        {"sector": ("members", "tic")},
        "",
        [],
    ),
]
MODELS = {"programs": Program, "chapters": Chapter, "members": Sector}


def seed(*, stdout, rng, members=300, **kwargs):
    """Create the demo partner applications once (skipped if their reach is missing)."""
    created = 0
    for name, client_id, secret, scopes, reach, url, events in PARTNERS:
        if PartnerApplication.objects.filter(oauth_application__client_id=client_id).exists():
            continue
        field, (app, slug) = next(iter(reach.items()))
        target = MODELS[app].objects.filter(slug=slug).first()
        if target is None:
            continue
        with transaction.atomic():
            application = Application.objects.create(
                name=name,
                client_id=client_id,
                client_secret=secret,  # hashed on save
                client_type=Application.CLIENT_CONFIDENTIAL,
                authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
                skip_authorization=True,
            )
            PartnerApplication.objects.create(
                name=name,
                oauth_application=application,
                scopes=list(scopes),
                webhook_url=url,
                webhook_events=events,
                **{field: target},
            )
        created += 1
    stdout.write(f"  partner applications: {created} created")
