"""Keep the member search index in step with the members app (an index is a cache concern,
the one place where signal receivers are the right tool) and the coordinators' role group
in step with PNCS assignments."""

from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from chapters.models import Chapter
from members.models import (
    Contribution,
    ExpertiseTag,
    Language,
    Profile,
    ProfileSector,
    Sector,
)

from .filters import forget_reference_choices
from .models import Pncs
from .search import reindex_profiles
from .services import sync_coordinator_groups

SEARCHABLE_USER_FIELDS = {"is_active", "email_verified", "deleted_at"}


def _reindex(*, profile_ids):
    ids = list(profile_ids)
    reindex_profiles(profile_ids=ids)
    if connection.in_atomic_block:
        # The same transaction may still write the member's sectors or tags after the
        # profile row (bulk_create sends no signal): the row is written again from the
        # committed state.
        transaction.on_commit(partial(reindex_profiles, profile_ids=ids))


@receiver(post_save, sender=Profile, dispatch_uid="pncs_index_profile_saved")
def profile_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _reindex(profile_ids=[instance.pk])


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="pncs_index_user_saved")
def user_saved(sender, instance, raw=False, created=False, update_fields=None, **kwargs):
    # Activation, verification and deletion change whether a member is searchable;
    # a login (update_fields={"last_login"}) changes nothing the index holds.
    if update_fields is not None and not set(update_fields) & SEARCHABLE_USER_FIELDS:
        return
    if not raw and not created:
        _reindex(profile_ids=Profile.objects.filter(user=instance).values_list("pk", flat=True))


@receiver(post_save, sender=ProfileSector, dispatch_uid="pncs_index_sector_saved")
@receiver(post_delete, sender=ProfileSector, dispatch_uid="pncs_index_sector_deleted")
def profile_sector_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        _reindex(profile_ids=[instance.profile_id])


@receiver(pre_save, sender=Sector, dispatch_uid="pncs_index_sector_saving")
def sector_saving(sender, instance, raw=False, **kwargs):
    if not raw and instance.pk:
        instance._pncs_old_slug = (
            Sector.objects.filter(pk=instance.pk).values_list("slug", flat=True).first()
        )


@receiver(post_save, sender=Sector, dispatch_uid="pncs_index_sector_renamed")
def sector_saved(sender, instance, created=False, raw=False, **kwargs):
    # Index rows hold sector slugs: only a changed slug rewrites its members' rows (the
    # reference data is saved again after every migrate).
    old = getattr(instance, "_pncs_old_slug", None)
    if not raw and not created and old is not None and old != instance.slug:
        _reindex(
            profile_ids=ProfileSector.objects.filter(sector=instance).values_list(
                "profile_id", flat=True
            )
        )


def _expertise_changed(sender, instance, action, reverse, pk_set, **kwargs):
    # Languages and contributions are filtered through the members' own tables; expertise
    # is copied into the searchable text (and sectors into the row, above).
    if reverse and action == "pre_clear":
        instance._pncs_profiles = list(instance.profiles.values_list("pk", flat=True))
    elif action in ("post_add", "post_remove", "post_clear"):
        if not reverse:
            _reindex(profile_ids=[instance.pk])
        elif action == "post_clear":
            _reindex(profile_ids=getattr(instance, "_pncs_profiles", []))
        else:
            _reindex(profile_ids=pk_set or [])


m2m_changed.connect(
    _expertise_changed, sender=Profile.expertise.through, dispatch_uid="pncs_index_expertise"
)


@receiver(post_save, sender=ExpertiseTag, dispatch_uid="pncs_index_tag_saved")
def tag_saved(sender, instance, created=False, raw=False, **kwargs):
    if not raw and not created:
        _reindex(profile_ids=instance.profiles.values_list("pk", flat=True))


@receiver(m2m_changed, sender=Pncs.coordinators.through, dispatch_uid="pncs_coordinators")
def coordinators_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Adding or removing a coordinator keeps the "PNCS coordinators" group (and so the
    second-factor rule) in step."""
    if action == "pre_clear":
        if reverse:
            instance._pncs_cleared_users = [instance.pk]
        else:
            instance._pncs_cleared_users = list(instance.coordinators.values_list("pk", flat=True))
        return
    if action == "post_clear":
        sync_coordinator_groups(user_ids=getattr(instance, "_pncs_cleared_users", []))
    elif action in ("post_add", "post_remove"):
        sync_coordinator_groups(user_ids=[instance.pk] if reverse else list(pk_set or []))


@receiver(pre_delete, sender=Pncs, dispatch_uid="pncs_deleting")
def pncs_deleting(sender, instance, **kwargs):
    instance._pncs_cleared_users = list(instance.coordinators.values_list("pk", flat=True))


@receiver(post_delete, sender=Pncs, dispatch_uid="pncs_deleted")
def pncs_deleted(sender, instance, **kwargs):
    sync_coordinator_groups(user_ids=getattr(instance, "_pncs_cleared_users", []))


@receiver(post_save, sender=Pncs, dispatch_uid="pncs_saved")
def pncs_saved(sender, instance, created=False, raw=False, **kwargs):
    # Deactivating a PNCS takes its coordinators' role away (and back on reactivation).
    if not raw and not created:
        sync_coordinator_groups(user_ids=list(instance.coordinators.values_list("pk", flat=True)))


def _forget_choices(kind):
    def receiver(sender, raw=False, **kwargs):
        if not raw:
            forget_reference_choices(kind)

    return receiver


# The search's cached choice lists (pncs.filters.reference_choices) follow their tables.
for _model, _kind in (
    (Sector, "sector"),
    (Contribution, "contribution"),
    (Language, "language"),
    (ExpertiseTag, "expertise"),
    (Chapter, "chapter"),
):
    for _signal in (post_save, post_delete):
        _signal.connect(
            _forget_choices(_kind), sender=_model, weak=False, dispatch_uid=f"pncs_choices_{_kind}"
        )
