"""Privacy services: the email-verified mirror, the privacy notice and consent, ARCO
requests, access and portability (export), cancellation (account deletion)."""

import logging
import re
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from core.business_days import add_business_days

from .mail import queue_transactional_email
from .profiles import update_preferred_language

logger = logging.getLogger(__name__)


# --- Email verification mirror ------------------------------------------------


def sync_email_verified(*, user) -> bool:
    """Set `User.email_verified` from allauth: is the primary address verified? Returns it."""
    from allauth.account.models import EmailAddress

    from ..models import User

    verified = EmailAddress.objects.filter(user_id=user.pk, primary=True, verified=True).exists()
    changed = (
        User.objects.filter(pk=user.pk)
        .exclude(email_verified=verified)
        .update(email_verified=verified)
    )
    user.email_verified = verified
    if changed:  # saved again so listeners (the PNCS search index) see the change
        user.save(update_fields=["email_verified"])
    return verified


# --- Privacy notice and consent --------------------------------------------------

CONSENT_PURPOSES = (
    "directory_visibility",
    "show_email",
    "pncs_contact",
    "notify_chapter",
    "notify_jornadas",
    "notify_programs",
    "notify_opportunities",
    "notify_digest",
    "notify_surveys",
)


CURRENT_NOTICE_KEY = "members:privacy:current"
NO_NOTICE = 0  # cached when no version is in force
# At most this long: bounds how late a notice published while Redis was unreachable (its
# forgetting lost) is asked for once Redis answers again.
NOTICE_CACHE_SECONDS = 600
ACCEPTED_CACHE_SECONDS = 24 * 3600


def _accepted_key(user_id):
    return f"members:privacy:accepted:{user_id}"


def needs_privacy_acceptance(*, user) -> bool:
    """True when a privacy notice is in force and `user` has not accepted that version.

    Asked on every member page, so answered from the cache when it can: the id of the
    version in force, and the version this member was last found to have accepted. Both
    are forgotten when a notice or an acceptance changes (members.signals); the version in
    force also expires when a scheduled one is due. Otherwise (a miss, a new version, Redis
    away) the database answers, in one query."""
    from django.core.cache import caches
    from django.db.models import Exists, OuterRef

    from ..models import PrivacyAcceptance, PrivacyNotice

    accepted_key = _accepted_key(user.pk)
    found = caches["answers"].get_many([CURRENT_NOTICE_KEY, accepted_key])
    current = found.get(CURRENT_NOTICE_KEY)
    if current == NO_NOTICE or (current is not None and found.get(accepted_key) == current):
        return False
    row = (
        PrivacyNotice.objects.in_force()
        .annotate(
            accepted=Exists(
                PrivacyAcceptance.objects.filter(user_id=user.pk, notice_id=OuterRef("pk"))
            )
        )
        .values_list("pk", "accepted")
        .first()
    )
    notice_id, accepted = row or (NO_NOTICE, False)
    if current is None:
        caches["answers"].set(CURRENT_NOTICE_KEY, notice_id, timeout=_seconds_to_next_notice())
    if accepted:
        caches["answers"].set(accepted_key, notice_id, timeout=ACCEPTED_CACHE_SECONDS)
    return notice_id != NO_NOTICE and not accepted


def _seconds_to_next_notice() -> int:
    """How long the version in force may be cached: until a scheduled one is due,
    NOTICE_CACHE_SECONDS at most."""
    from django.db.models import Min

    from ..models import PrivacyNotice

    now = timezone.now()
    due = PrivacyNotice.objects.filter(published_at__gt=now).aggregate(due=Min("published_at"))
    if due["due"] is None:
        return NOTICE_CACHE_SECONDS
    return max(1, min(NOTICE_CACHE_SECONDS, int((due["due"] - now).total_seconds())))


def forget_privacy_notice_cache(*, user_id=None) -> None:
    """Forget the cached version in force (a notice changed), or one member's cached
    acceptance; now and again after the current transaction commits."""
    from django.core.cache import caches

    key = CURRENT_NOTICE_KEY if user_id is None else _accepted_key(user_id)
    caches["answers"].delete(key)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: caches["answers"].delete(key))


def accept_privacy_notice(*, user, notice) -> None:
    """Record that `user` accepted this version of the privacy notice, now (idempotent)."""
    from ..models import PrivacyAcceptance

    with transaction.atomic():
        PrivacyAcceptance.objects.get_or_create(user=user, notice=notice)


def _consent_value(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def update_consents(*, user, choices: dict, source: str) -> list[str]:
    """Apply voluntary-purpose choices to the profile and record each change in the history.

    `choices` maps purpose (a Profile field in CONSENT_PURPOSES) to its new value. Returns the
    purposes that changed. The check happens at send time elsewhere: this only stores."""
    from ..models import ConsentRecord, Profile

    unknown = set(choices) - set(CONSENT_PURPOSES)
    if unknown:
        raise ValueError(f"unknown consent purposes: {sorted(unknown)}")
    with transaction.atomic():
        profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
        changed = [
            purpose for purpose, value in choices.items() if getattr(profile, purpose) != value
        ]
        for purpose in changed:
            setattr(profile, purpose, choices[purpose])
        if changed:
            profile.save(update_fields=[*changed, "updated_at"])
        now = timezone.now()
        ConsentRecord.objects.bulk_create(
            ConsentRecord(
                user=user,
                purpose=purpose,
                value=_consent_value(choices[purpose]),
                source=source,
                recorded_at=now,
            )
            for purpose in changed
        )
    return changed


def complete_signup(*, user, notice, choices: dict, language: str | None = None) -> None:
    """After allauth created the account: profile, privacy acceptance and the initial choices.

    Every initial choice is recorded (even "no"), so the history shows what was offered.
    `language` (the language of the sign-up page) becomes the language of the emails."""
    from ..models import ConsentRecord, Profile

    with transaction.atomic():
        if language and language != user.preferred_language:
            update_preferred_language(user=user, language=language)
        Profile.objects.get_or_create(user=user)
        accept_privacy_notice(user=user, notice=notice)
        update_consents(user=user, choices=choices, source=ConsentRecord.Source.SIGNUP)
        now = timezone.now()
        recorded = set(ConsentRecord.objects.filter(user=user).values_list("purpose", flat=True))
        ConsentRecord.objects.bulk_create(
            ConsentRecord(
                user=user,
                purpose=purpose,
                value=_consent_value(value),
                source=ConsentRecord.Source.SIGNUP,
                recorded_at=now,
            )
            for purpose, value in choices.items()
            if purpose not in recorded
        )


# --- ARCO ---------------------------------------------------------------------------

ARCO_BUSINESS_DAYS = 20


def legal_due_date(start, business_days: int = ARCO_BUSINESS_DAYS):
    """`start` plus N Mexican business days (weekends and mandatory rest days excluded,
    core.business_days): the legal deadline to answer (LFPDPPP, 20 días hábiles)."""
    return add_business_days(start, business_days)


def create_arco_request(*, user, kind: str, description: str):
    """File an ARCO request for staff, with its legal due date; the member gets a receipt."""
    from django.utils import translation
    from django.utils.translation import gettext as _

    from ..models import ArcoRequest

    with transaction.atomic(), translation.override(user.preferred_language):
        now = timezone.now()
        arco = ArcoRequest.objects.create(
            user=user,
            kind=kind,
            description=description,
            created_at=now,
            due_on=legal_due_date(timezone.localdate(now)),
        )
        queue_transactional_email(
            to=[user.email],
            subject=_("Recibimos tu solicitud ARCO #%(id)s") % {"id": arco.pk},
            body=_("Recibimos tu solicitud de %(kind)s. Te responderemos a más tardar el %(due)s.")
            % {"kind": arco.get_kind_display().lower(), "due": arco.due_on.isoformat()},
        )
    return arco


# --- Access and portability -------------------------------------------------------------


def _personal_data_modules():
    """`<app>.personal_data`: export(user) adds to the data download, erase(user) runs on
    cancellation."""
    from ..plugins import app_modules

    return app_modules("personal_data")


def _other_apps_personal_data(user) -> dict:
    """Each installed app may provide `<app>.personal_data.export(user) -> dict`."""
    return {label: module.export(user) for label, module in _personal_data_modules()}


def export_member_data(*, user) -> dict:
    """Everything stored about `user`, as JSON-ready data (access and portability rights)."""
    from allauth.account.models import EmailAddress

    from ..models import ArcoRequest, ConsentRecord, PrivacyAcceptance, Profile, ProfileView

    def iso(value):
        return value.isoformat() if value else None

    profile = Profile.objects.filter(user=user).for_detail().first()
    data = {
        "account": {
            "id": user.pk,
            "email": user.email,
            "email_verified": user.email_verified,
            "preferred_language": user.preferred_language,
            "date_joined": iso(user.date_joined),
            "last_login": iso(user.last_login),
        },
        "email_addresses": [
            {"email": e.email, "primary": e.primary, "verified": e.verified}
            for e in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
        ],
        "profile": None,
        "privacy_acceptances": [
            {"version": a.notice.version, "accepted_at": iso(a.accepted_at)}
            for a in PrivacyAcceptance.objects.filter(user=user).select_related("notice")
        ],
        "consent_history": [
            {
                "purpose": c.purpose,
                "value": c.value,
                "source": c.source,
                "recorded_at": iso(c.recorded_at),
            }
            for c in ConsentRecord.objects.filter(user=user)
        ],
        "arco_requests": [
            {
                "id": a.pk,
                "kind": a.kind,
                "description": a.description,
                "status": a.status,
                "created_at": iso(a.created_at),
                "due_on": iso(a.due_on),
            }
            for a in ArcoRequest.objects.filter(user=user)
        ],
        "profiles_viewed": [
            {
                "kind": v.kind,
                "profile_id": v.profile_id,
                "filters": v.filters,
                "members_shown": v.row_count,
                "viewed_on": iso(v.viewed_on),
            }
            for v in ProfileView.objects.filter(viewer=user).order_by("-viewed_on", "-pk")
        ],
    }
    if profile is not None:
        data["profile"] = {
            "given_names": profile.given_names,
            "paternal_surname": profile.paternal_surname,
            "maternal_surname": profile.maternal_surname,
            "preferred_name": profile.preferred_name,
            "photo": profile.photo.name or None,
            "headline": profile.headline,
            "bio": profile.bio,
            "country": str(profile.country.code or ""),
            "city": profile.city,
            "state_of_origin": profile.state_of_origin,
            "education_level": profile.education_level,
            "education_field": profile.education_field,
            "institution": profile.institution,
            "employer": profile.employer,
            "position": profile.position,
            "sectors": [
                {"sector": ps.sector.slug, "primary": ps.is_primary}
                for ps in profile.profile_sectors.all()
            ],
            "expertise": [t.name for t in profile.expertise.all()],
            "languages": [lang.code for lang in profile.languages.all()],
            "contributions": [c.slug for c in profile.contributions.all()],
            "willing_to_travel": profile.willing_to_travel,
            "linkedin_url": profile.linkedin_url,
            "orcid": profile.orcid,
            "website": profile.website,
            "choices": {purpose: getattr(profile, purpose) for purpose in CONSENT_PURPOSES},
            "digest_frequency": profile.digest_frequency,
            "onboarded_at": iso(profile.onboarded_at),
            "created_at": iso(profile.created_at),
            "updated_at": iso(profile.updated_at),
        }
    from .merging import explain_merges

    data["account_merges"] = explain_merges(user=user)
    data.update(_other_apps_personal_data(user))
    return data


def flatten_for_csv(data, prefix: str = ""):
    """(path, value) rows for every leaf of the exported data, e.g. ("profile.city", "Houston")."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from flatten_for_csv(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(data, list):
        if not data:
            yield prefix, ""
        for n, value in enumerate(data):
            yield from flatten_for_csv(value, f"{prefix}[{n}]")
    else:
        yield prefix, "" if data is None else data


# --- Cancellation -----------------------------------------------------------------------

ANONYMISED_PROFILE_FIELDS = {
    "given_names": "",
    "paternal_surname": "",
    "maternal_surname": "",
    "preferred_name": "",
    "headline": "",
    "bio": "",
    "city": "",
    "education_field": "",
    "institution": "",
    "employer": "",
    "position": "",
    "linkedin_url": "",
    "orcid": "",
    "website": "",
    "willing_to_travel": False,
}


def identifying_words(user) -> list[str]:
    """The words that name `user` (names, e-mail address and its local part), read before
    the account is anonymised: searches, exports and reads that used one of them named the
    member, and forget it on cancellation. Words under three letters are too common."""
    from ..models import Profile

    profile = Profile.objects.filter(user_id=user.pk).first()
    texts = [user.first_name, user.last_name, user.email, user.email.partition("@")[0]]
    if profile is not None:
        texts += [
            profile.given_names,
            profile.paternal_surname,
            profile.maternal_surname,
            profile.preferred_name,
        ]
    words = {user.email.casefold()} if user.email else set()
    for text in texts:
        words.update(w.casefold() for w in re.split(r"[\W_]+", text or "") if len(w) >= 3)
    return sorted(words)


SEARCH_TERM_KEY = "q"  # the one free text of every search, export and directory filter


def _names_someone(text, words) -> bool:
    return isinstance(text, str) and any(w in text.casefold() for w in words)


def forget_search_terms(queryset, *, words, query_field: str = "") -> int:
    """Blank, in the rows of `queryset`, the searched text (the `q` of `filters`, and
    `query_field` when given) that holds one of `words`; the rows and their other filters
    stay (who, when, how many). Returns how many rows changed."""
    from django.db.models import Q

    if not words:
        return 0
    match = Q()
    for word in words:
        match |= Q(**{f"filters__{SEARCH_TERM_KEY}__icontains": word})
        if query_field:
            match |= Q(**{f"{query_field}__icontains": word})
    fields = ["filters", *([query_field] if query_field else [])]
    changed = []
    for row in queryset.filter(match).only("pk", *fields):
        if _names_someone(row.filters.get(SEARCH_TERM_KEY), words):
            row.filters = {**row.filters, SEARCH_TERM_KEY: ""}
        if query_field and _names_someone(getattr(row, query_field), words):
            setattr(row, query_field, "")
        changed.append(row)
    queryset.model.objects.bulk_update(changed, fields, batch_size=500)
    return len(changed)


def forget_old_search_terms(queryset, *, date_field: str, cutoff, query_field: str = "") -> int:
    """Blank the search text (the `q` of `filters`, and `query_field` when given) of the
    rows of `queryset` older than `cutoff`; the rows stay (who, when, which other filters,
    how many). Returns how many rows changed. Batches of 1000, each its own statement."""
    from django.db.models import Q

    old = queryset.filter(**{f"{date_field}__lt": cutoff})
    holds_text = Q(filters__has_key=SEARCH_TERM_KEY) & ~Q(**{f"filters__{SEARCH_TERM_KEY}": ""})
    if query_field:
        holds_text |= ~Q(**{query_field: ""})
    fields = ["filters", *([query_field] if query_field else [])]
    changed = 0
    while True:
        rows = list(old.filter(holds_text).order_by("pk").only("pk", *fields)[:1000])
        if not rows:
            return changed
        for row in rows:
            row.filters = {**row.filters, SEARCH_TERM_KEY: ""}
            if query_field:
                setattr(row, query_field, "")
        queryset.model.objects.bulk_update(rows, fields)
        changed += len(rows)


def forget_search_terms_older_than_retention() -> dict:
    """The periodic rule (members.tasks, daily): every app's footprints of searches forget
    their text after settings.SEARCH_TERMS_RETENTION_DAYS. Each app provides
    `<app>.personal_data.forget_search_terms_before(cutoff) -> int`; members' own are the
    directory pages read (ProfileView). Returns rows changed per app."""
    from django.conf import settings

    from ..models import ProfileView
    from ..plugins import app_modules

    cutoff = timezone.now() - timedelta(days=settings.SEARCH_TERMS_RETENTION_DAYS)
    changed = {
        "members": forget_old_search_terms(
            ProfileView.objects.all(), date_field="viewed_at", cutoff=cutoff
        )
    }
    for label, module in app_modules("personal_data"):
        if hasattr(module, "forget_search_terms_before"):
            changed[label] = module.forget_search_terms_before(cutoff)
    logger.info("search terms forgotten: %s", changed)
    return changed


def neutralise_admin_log(queryset) -> int:
    """The admin's log names these objects by their kind and id from now on (Django's
    LogEntry copies str(obj), often a name or an e-mail address, into `object_repr`)."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import F, Value
    from django.db.models.functions import Concat

    model = queryset.model
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    pks = [str(pk) for pk in queryset.values_list("pk", flat=True)]
    changed = 0
    for start in range(0, len(pks), 1000):
        changed += LogEntry.objects.filter(
            content_type=content_type, object_id__in=pks[start : start + 1000]
        ).update(object_repr=Concat(Value(f"{model._meta.verbose_name} #"), F("object_id")))
    return changed


def end_all_sessions(*, user) -> int:
    """Log `user` out everywhere (allauth.usersessions tracks each session). Returns how many."""
    from allauth.usersessions.models import UserSession

    sessions = UserSession.objects.purge_and_list(user)
    for session in sessions:
        session.end()
    return len(sessions)


def _erase_members_footprint(user) -> None:
    """The members app's own rule of cancellation for what outlives the profile: the ARCO
    requests keep their kind, status and dates but lose their text; merges forget the
    addresses (pending ones are cancelled) and likely-duplicate pairs go; the directory pages
    other members read by the member's name forget that text; the admin's log names the
    account, profile and requests by id."""
    from django.db.models import Q

    from ..models import AccountMerge, ArcoRequest, DuplicateCandidate, Profile, ProfileView, User

    ArcoRequest.objects.filter(user=user).update(description="")
    # The merges into this account name the other address (the member's own); a merge
    # that closed this account stays whole: it is the kept account's record.
    AccountMerge.objects.filter(kept=user).update(kept_email="", merged_email="", summary={})
    AccountMerge.objects.filter(merged=user).exclude(status=AccountMerge.Status.DONE).update(
        kept_email="", merged_email="", status=AccountMerge.Status.CANCELLED
    )
    DuplicateCandidate.objects.filter(Q(first=user) | Q(second=user)).exclude(
        status=DuplicateCandidate.Status.MERGED
    ).delete()
    forget_search_terms(ProfileView.objects.exclude(filters={}), words=identifying_words(user))
    neutralise_admin_log(User.objects.filter(pk=user.pk))
    neutralise_admin_log(Profile.objects.filter(user_id=user.pk))
    neutralise_admin_log(ArcoRequest.objects.filter(user=user))


def delete_account(*, user) -> None:
    """Cancellation (ARCO): deactivate now, kill sessions, anonymise the personal data.

    The user row stays (anonymised, inactive, `deleted_at` set) so aggregate counts and
    foreign keys survive; the email, names, free text, links, photo, expertise, languages,
    addresses, social logins, second factors and the profile's edit history are erased;
    every app's `erase` hook and `_erase_members_footprint` remove the copies of personal
    text in histories, audits and the admin's log (issue 17, item 6).
    Coarse, non-identifying facts used by the network's figures (country, state of origin,
    education level, sectors) are kept. Every voluntary purpose is switched off (and the
    change recorded), so no future mailing, search or export reaches the account."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount

    from ..models import ConsentRecord, Profile, User

    photo_name = ""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.deleted_at is not None:
            return
        off = {
            purpose: (Profile.Visibility.IME if purpose == "directory_visibility" else False)
            for purpose in CONSENT_PURPOSES
        }
        update_consents(user=locked, choices=off, source=ConsentRecord.Source.DELETION)
        # What the other apps hold about the member (memberships, answers, applications,
        # their histories and audits), while the names to forget can still be read.
        for _label, module in _personal_data_modules():
            if hasattr(module, "erase"):
                module.erase(locked)
        _erase_members_footprint(locked)
        profile = Profile.objects.select_for_update().get(user=locked)
        photo_name = profile.photo.name
        for field, value in ANONYMISED_PROFILE_FIELDS.items():
            setattr(profile, field, value)
        profile.photo = ""
        profile.save(update_fields=[*ANONYMISED_PROFILE_FIELDS, "photo", "updated_at"])
        profile.expertise.clear()
        profile.languages.clear()
        profile.contributions.clear()
        # The edit history holds earlier copies of the personal data.
        Profile.history.filter(user_id=locked.pk).delete()
        EmailAddress.objects.filter(user=locked).delete()
        SocialAccount.objects.filter(user=locked).delete()
        Authenticator.objects.filter(user=locked).delete()
        locked.email = f"deleted-{locked.pk}@deleted.invalid"
        locked.first_name = ""
        locked.last_name = ""
        locked.set_unusable_password()
        locked.is_active = False
        locked.is_staff = False
        locked.is_superuser = False
        locked.email_verified = False
        locked.deleted_at = timezone.now()
        locked.save(
            update_fields=[
                "email",
                "first_name",
                "last_name",
                "password",
                "is_active",
                "is_staff",
                "is_superuser",
                "email_verified",
                "deleted_at",
            ]
        )
        locked.groups.clear()
        end_all_sessions(user=locked)
        if photo_name:
            storage = Profile._meta.get_field("photo").storage
            transaction.on_commit(lambda: storage.delete(photo_name))
    logger.info("account deleted user=%s", user.pk)
