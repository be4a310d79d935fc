"""Merging two accounts of one person (issue 26).

A merge starts two ways: IME staff start it from a likely duplicate (both addresses must
then confirm), or a member signed in to one account names the address of the other (that
address must confirm; being signed in is the proof for the first). Each confirmation is a
signed link mailed to the address, valid MERGE_LINK_HOURS, used once, void if the
account's address changed meanwhile. When the last side confirms, `merge_accounts` moves
everything to the kept account in one transaction and closes the other as account deletion
does.

Each app says how its rows move: `<app>.personal_data.merge(*, kept, merged) -> list`
(members.plugins), most often a list of `MergeRule`s applied by `move_rows`. members never
names another app's models. The rule for a conflict (both accounts hold a row where only
one may exist: the same chapter, Jornada, program, opportunity...) is the same everywhere:
the more advanced row stays (the rule's `rank`; the earlier one when equal), the other is
dropped and recorded in the merge's summary. A dropped row of the closing account is left
to that account's deletion (each app's `erase`: a Jornada place freed, a membership ended);
a dropped row of the kept account is deleted.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .mail import queue_email_to_user

logger = logging.getLogger(__name__)

MERGE_SALT = "members.merge.confirm"
KEPT, MERGED = "kept", "merged"


class MergeLinkError(Exception):
    """A confirmation link that cannot be used; `message` says why, for the person."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


LINK_INVALID = _("Este enlace de confirmación no es válido. Copia el enlace completo del correo.")
LINK_EXPIRED = _(
    "Este enlace de confirmación venció. Pide de nuevo la fusión desde «Mis datos» o al "
    "personal del IME."
)
LINK_USED = _("Este enlace ya se usó: esta cuenta ya confirmó la fusión.")
LINK_CLOSED = _("Esta fusión ya no está pendiente: se completó o se canceló.")
LINK_ADDRESS_CHANGED = _(
    "El correo de la cuenta cambió después de enviar este enlace, así que ya no sirve. Pide "
    "de nuevo la fusión."
)


def merge_link_hours() -> int:
    return settings.MERGE_LINK_HOURS


# --- Each app's rows ------------------------------------------------------------------


def _earliest(row):
    return (row.pk,)


@dataclass(frozen=True)
class MergeRule:
    """How the rows of one model move from the closing account to the kept one.

    `field`: the foreign key to the user. `unique_with`: the other fields of a unique
    constraint with `field`; `single`: at most one row per user (a one-to-one); neither:
    every row simply moves. `rank(row)`: a sort key,
    smaller is more advanced (default: the earlier row). `describe(row)`: what the row is
    about, in words the member knows (a chapter's name, a Jornada's title), for the
    summary of what was dropped. `history`: the model keeps a simple_history; its rows
    follow the moved rows."""

    model: type
    field: str
    unique_with: tuple[str, ...] = ()
    rank: Callable = _earliest
    describe: Callable = field(default=lambda row: "")
    history: bool = False
    single: bool = False


def move_rows(rules, *, kept, merged) -> list[dict]:
    """Apply `rules`, in order, from `merged` to `kept`. Returns one entry per rule that
    touched a row: {"model": app_label.model, "moved": n, "dropped": [{"what", "status"}]}."""
    results = []
    for rule in rules:
        manager = rule.model.objects
        theirs = list(manager.filter(**{rule.field: merged.pk}))
        if not theirs:
            continue
        moving, dropped, losers = [], [], []
        if rule.unique_with or rule.single:
            attnames = [rule.model._meta.get_field(name).attname for name in rule.unique_with]

            def key(row, attnames=attnames):
                return tuple(getattr(row, name) for name in attnames)

            mine = {key(row): row for row in manager.filter(**{rule.field: kept.pk})}
            for row in theirs:
                other = mine.get(key(row))
                if other is None:
                    moving.append(row.pk)
                    continue
                if rule.rank(row) < rule.rank(other):
                    loser = other
                    losers.append(other.pk)
                    moving.append(row.pk)
                else:
                    loser = row
                dropped.append({"what": rule.describe(loser), "status": _status(loser)})
        else:
            moving = [row.pk for row in theirs]
        if losers:
            manager.filter(pk__in=losers).delete()
        user_attname = rule.model._meta.get_field(rule.field).attname
        manager.filter(pk__in=moving).update(**{rule.field: kept.pk})
        if rule.history and moving:
            rule.model.history.filter(id__in=moving).update(**{user_attname: kept.pk})
        results.append(
            {"model": rule.model._meta.label_lower, "moved": len(moving), "dropped": dropped}
        )
    return results


def _status(row) -> str:
    status = getattr(row, "status", "")
    display = getattr(row, "get_status_display", None)
    return str(display()) if display and status else str(status or "")


def _members_merge(*, kept, merged) -> list[dict]:
    """The members app's own rows: consent history, privacy acceptances, ARCO requests and
    the record of reads move; the kept profile keeps its answers and takes the closing
    one's where it had none, and the union of sectors, expertise, languages and ways to
    contribute. The voluntary choices stay the kept account's (a purpose is never switched
    on by a merge)."""
    from ..models import ArcoRequest, ConsentRecord, PrivacyAcceptance, Profile, ProfileView

    results = move_rows(
        [
            MergeRule(ConsentRecord, "user"),
            MergeRule(
                PrivacyAcceptance,
                "user",
                unique_with=("notice",),
                rank=lambda row: (row.accepted_at, row.pk),
                describe=lambda row: str(row.notice),
            ),
            MergeRule(ArcoRequest, "user"),
            MergeRule(ProfileView, "viewer", unique_with=("kind", "profile", "page", "viewed_on")),
        ],
        kept=kept,
        merged=merged,
    )
    mine = Profile.objects.filter(user=kept).first()
    theirs = Profile.objects.filter(user=merged).first()
    if theirs is None:
        return results
    if mine is None:
        mine = Profile.objects.create(user=kept)
    filled = []
    for name in (
        "given_names",
        "paternal_surname",
        "maternal_surname",
        "preferred_name",
        "headline",
        "bio",
        "country",
        "city",
        "state_of_origin",
        "education_level",
        "education_field",
        "institution",
        "employer",
        "position",
        "linkedin_url",
        "orcid",
        "website",
    ):
        if not getattr(mine, name) and getattr(theirs, name):
            setattr(mine, name, getattr(theirs, name))
            filled.append(name)
    # The photo stays the kept profile's (the closing account's file is deleted with it).
    if filled:
        mine.save(update_fields=[*filled, "updated_at"])
    mine.expertise.add(*theirs.expertise.all())
    mine.languages.add(*theirs.languages.all())
    mine.contributions.add(*theirs.contributions.all())
    have = set(mine.profile_sectors.values_list("sector_id", flat=True))
    for ps in theirs.profile_sectors.exclude(sector_id__in=have):
        mine.profile_sectors.create(sector_id=ps.sector_id, is_primary=False)
    results.append(
        {"model": "members.profile", "moved": len(filled), "dropped": [], "filled": filled}
    )
    return results


# --- Links -------------------------------------------------------------------------------


def make_merge_token(*, merge, side: str) -> str:
    """The signed confirmation link's token for one side of `merge` (KEPT or MERGED)."""
    email = merge.kept_email if side == KEPT else merge.merged_email
    return signing.dumps(
        {"m": merge.pk, "s": side, "e": email.lower()}, salt=MERGE_SALT, compress=True
    )


def read_merge_token(token: str):
    """(merge, side) of a confirmation token, or MergeLinkError saying why not."""
    from ..models import AccountMerge

    try:
        data = signing.loads(token, salt=MERGE_SALT, max_age=timedelta(hours=merge_link_hours()))
        merge_id, side, email = int(data["m"]), data["s"], str(data["e"])
    except signing.SignatureExpired as exc:
        raise MergeLinkError(LINK_EXPIRED) from exc
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise MergeLinkError(LINK_INVALID) from exc
    if side not in (KEPT, MERGED):
        raise MergeLinkError(LINK_INVALID)
    merge = AccountMerge.objects.select_related("kept", "merged").filter(pk=merge_id).first()
    if merge is None:
        raise MergeLinkError(LINK_INVALID)
    check_merge_link(merge=merge, side=side, email=email)
    return merge, side


def check_merge_link(*, merge, side: str, email: str) -> None:
    """MergeLinkError if this side of `merge` can no longer confirm with a link for `email`."""
    from ..models import AccountMerge

    if merge.status != AccountMerge.Status.PENDING:
        raise MergeLinkError(LINK_CLOSED)
    if merge.expires_at <= timezone.now():
        raise MergeLinkError(LINK_EXPIRED)
    confirmed = merge.kept_confirmed_at if side == KEPT else merge.merged_confirmed_at
    if confirmed is not None:
        raise MergeLinkError(LINK_USED)
    user = merge.kept if side == KEPT else merge.merged
    if user.email.lower() != email.lower():
        raise MergeLinkError(LINK_ADDRESS_CHANGED)


def _send_link(*, merge, side: str) -> None:
    user = merge.kept if side == KEPT else merge.merged
    token = make_merge_token(merge=merge, side=side)
    queue_email_to_user(
        user=user,
        subject=lambda: _("Confirma la fusión de tus cuentas en la Red de Talentos"),
        template="members/email/merge_confirm.txt",
        context=lambda: {
            "url": settings.SITE_URL + reverse("members:merge_confirm", args=[token]),
            "keeps": side == KEPT,
            "by_staff": merge.kind == merge.Kind.STAFF,
            "hours": merge_link_hours(),
        },
    )


# --- Starting ------------------------------------------------------------------------------


def _live(user) -> bool:
    return user.is_active and user.deleted_at is None


def start_staff_merge(*, candidate_id: int, keep_user_id: int, by):
    """IME staff start the merge of a likely duplicate, keeping `keep_user_id` (one of the
    pair). Both addresses get a confirmation link. Returns the AccountMerge, or None when
    the pair is not open any more, an account is gone, or one is already in a merge."""
    from ..models import AccountMerge, DuplicateCandidate, User

    with transaction.atomic():
        candidate = (
            DuplicateCandidate.objects.select_for_update()
            .filter(pk=candidate_id, status=DuplicateCandidate.Status.OPEN)
            .first()
        )
        if candidate is None or keep_user_id not in (candidate.first_id, candidate.second_id):
            return None
        other_id = candidate.second_id if keep_user_id == candidate.first_id else candidate.first_id
        users = {u.pk: u for u in User.objects.filter(pk__in=[keep_user_id, other_id])}
        kept, merged = users[keep_user_id], users[other_id]
        if not (_live(kept) and _live(merged)) or _in_pending_merge(kept, merged):
            return None
        merge = AccountMerge.objects.create(
            kept=kept,
            merged=merged,
            kind=AccountMerge.Kind.STAFF,
            started_by=by,
            candidate=candidate,
            kept_email=kept.email,
            merged_email=merged.email,
            expires_at=timezone.now() + timedelta(hours=merge_link_hours()),
        )
        candidate.status = DuplicateCandidate.Status.MERGING
        candidate.reviewed_at = timezone.now()
        candidate.reviewed_by = by
        candidate.save(update_fields=["status", "reviewed_at", "reviewed_by"])
        _send_link(merge=merge, side=KEPT)
        _send_link(merge=merge, side=MERGED)
    logger.info("merge %s started by staff %s", merge.pk, getattr(by, "pk", None))
    return merge


def _in_pending_merge(*users) -> bool:
    from ..models import AccountMerge

    ids = [u.pk for u in users]
    return AccountMerge.objects.filter(
        Q(kept_id__in=ids) | Q(merged_id__in=ids), status=AccountMerge.Status.PENDING
    ).exists()


def start_self_merge(*, user, other_email: str):
    """A member signed in to `user` asks to merge the account at `other_email` into it. If
    that address is another live account's, it gets a confirmation link; whatever the
    address, the caller answers the same (no account enumeration). Returns the
    AccountMerge or None."""
    from ..models import AccountMerge, User

    with transaction.atomic():
        other = (
            User.objects.filter(email__iexact=other_email.strip(), is_active=True)
            .exclude(pk=user.pk)
            .filter(deleted_at__isnull=True)
            .first()
        )
        if other is None or not _live(user) or _in_pending_merge(user, other):
            return None
        now = timezone.now()
        merge = AccountMerge.objects.create(
            kept=user,
            merged=other,
            kind=AccountMerge.Kind.SELF,
            started_by=user,
            kept_email=user.email,
            merged_email=other.email,
            kept_confirmed_at=now,  # signed in: the proof for this side
            expires_at=now + timedelta(hours=merge_link_hours()),
        )
        _send_link(merge=merge, side=MERGED)
    logger.info("merge %s asked by member %s", merge.pk, user.pk)
    return merge


def cancel_merge(*, merge_id: int) -> bool:
    """Staff cancel a pending merge; its links stop working. Returns whether it changed."""
    from ..models import AccountMerge, DuplicateCandidate

    with transaction.atomic():
        merge = AccountMerge.objects.select_for_update().filter(pk=merge_id).first()
        if merge is None or merge.status != AccountMerge.Status.PENDING:
            return False
        merge.status = AccountMerge.Status.CANCELLED
        merge.save(update_fields=["status"])
        if merge.candidate_id:
            DuplicateCandidate.objects.filter(
                pk=merge.candidate_id, status=DuplicateCandidate.Status.MERGING
            ).update(status=DuplicateCandidate.Status.OPEN)
    return True


# --- Confirming and merging ------------------------------------------------------------------


def confirm_merge(*, token: str):
    """One side confirms through its link. Returns the merge (DONE when this was the last
    confirmation: the accounts were merged). MergeLinkError when the link cannot be used."""
    from ..models import AccountMerge

    merge, side = read_merge_token(token)
    with transaction.atomic():
        locked = (
            AccountMerge.objects.select_for_update()
            .select_related("kept", "merged")
            .get(pk=merge.pk)
        )
        email = locked.kept_email if side == KEPT else locked.merged_email
        check_merge_link(merge=locked, side=side, email=email)
        stamp = "kept_confirmed_at" if side == KEPT else "merged_confirmed_at"
        setattr(locked, stamp, timezone.now())
        locked.save(update_fields=[stamp])
        if locked.kept_confirmed_at and locked.merged_confirmed_at:
            merge_accounts(merge_id=locked.pk)
            locked.refresh_from_db()
    return locked


def merge_accounts(*, merge_id: int):
    """Move everything of the closing account to the kept one, in one transaction: every
    app's `personal_data.merge` hook, then members' own rows; then the closing account is
    deleted as a member's cancellation deletes it (deactivated, personal data erased). The
    summary of what moved and what was dropped is kept on the merge (its audit, and the
    explanation in the member's data export). Only a pending merge both sides confirmed."""
    from ..models import AccountMerge, DuplicateCandidate, User
    from ..plugins import app_modules
    from .privacy import delete_account

    with transaction.atomic():
        merge = AccountMerge.objects.select_for_update().get(pk=merge_id)
        if (
            merge.status != AccountMerge.Status.PENDING
            or not merge.kept_confirmed_at
            or not merge.merged_confirmed_at
        ):
            return merge
        users = {
            u.pk: u
            for u in User.objects.select_for_update()
            .filter(pk__in=[merge.kept_id, merge.merged_id])
            .order_by("pk")
        }
        kept, merged = users[merge.kept_id], users[merge.merged_id]
        if not (_live(kept) and _live(merged)):
            merge.status = AccountMerge.Status.CANCELLED
            merge.save(update_fields=["status"])
            return merge
        summary = {}
        for label, module in app_modules("personal_data"):
            if hasattr(module, "merge"):
                moved = module.merge(kept=kept, merged=merged)
                if moved:
                    summary[label] = moved
        summary["members"] = _members_merge(kept=kept, merged=merged)
        merge.summary = summary
        merge.status = AccountMerge.Status.DONE
        merge.completed_at = timezone.now()
        merge.save(update_fields=["summary", "status", "completed_at"])
        if merge.candidate_id:
            DuplicateCandidate.objects.filter(pk=merge.candidate_id).update(
                status=DuplicateCandidate.Status.MERGED
            )
        # Any other pair naming the closing account is settled by the merge too.
        DuplicateCandidate.objects.filter(
            Q(first=merged) | Q(second=merged), status=DuplicateCandidate.Status.OPEN
        ).update(status=DuplicateCandidate.Status.MERGED)
        delete_account(user=merged)
    logger.info("merge %s done: user %s into %s", merge.pk, merge.merged_id, merge.kept_id)
    return merge


# --- Explaining ---------------------------------------------------------------------------


def explain_merges(*, user) -> list[dict]:
    """The merges into `user`'s account, for their data export, with a sentence in the
    active language that says what happened."""
    from django.apps import apps
    from django.utils.formats import date_format
    from django.utils.translation import gettext

    from ..models import AccountMerge

    explained = []
    for merge in AccountMerge.objects.filter(kept=user, status=AccountMerge.Status.DONE).order_by(
        "completed_at"
    ):
        moved, dropped = [], []
        for entries in merge.summary.values():
            for entry in entries:
                try:
                    model = apps.get_model(entry["model"])
                    name = str(model._meta.verbose_name_plural)
                except (LookupError, ValueError):
                    name = entry["model"]
                if entry.get("moved"):
                    moved.append(f"{name}: {entry['moved']}")
                for item in entry.get("dropped", []):
                    dropped.append(
                        {"kind": name, "what": item.get("what", ""), "status": item["status"]}
                    )
        who = (
            gettext("a petición tuya, confirmada desde los dos correos")
            if merge.kind == AccountMerge.Kind.SELF
            else gettext("a propuesta del personal del IME, confirmada desde los dos correos")
        )
        sentence = gettext(
            "El %(date)s la cuenta %(email)s se fusionó con esta %(who)s. Lo que tenía pasó "
            "a esta cuenta; donde las dos tenían lo mismo (un capítulo, una Jornada, un "
            "programa...) se conservó lo más avanzado o, si era igual, lo más antiguo, y lo "
            "otro se descartó. Después, la otra cuenta se cerró y sus datos personales se "
            "borraron como en una baja."
        ) % {
            "date": date_format(timezone.localtime(merge.completed_at), "DATE_FORMAT"),
            "email": merge.merged_email,
            "who": who,
        }
        explained.append(
            {
                "merged_account": merge.merged_email,
                "completed_at": merge.completed_at.isoformat(),
                "kind": merge.kind,
                "explanation": sentence,
                "moved": moved,
                "dropped": dropped,
            }
        )
    return explained
