"""Keep the member search index in step with the members app (an index is a cache concern,
the one place where signal receivers are the right tool) and the coordinators' role group
in step with PNCS assignments, and the cached list of open opportunities (pncs.listing)
in step with the opportunities it shows."""

from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from members.models import (
    ExpertiseTag,
    Profile,
    ProfileSector,
    Sector,
)

from . import listing
from .models import Opportunity, Pncs
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


# A reference row's fields copied into index rows (a sector's slug, a tag's name, which is
# searchable text), and the through table listing the profiles that hold it. Exports read
# the names when they are written: a renamed contribution or language changes no row.
REFERENCE_FIELDS = {
    Sector: ("slug",),
    ExpertiseTag: ("name",),
}
HOLDERS = {
    Sector: (ProfileSector, "sector"),
    ExpertiseTag: (Profile.expertise.through, "expertisetag"),
}


def _holders(instance):
    """The ids of the profiles holding this sector or tag."""
    through, field = HOLDERS[type(instance)]
    return through.objects.filter(**{field: instance}).values("profile_id")


def _reference_saving(sender, instance, raw=False, **kwargs):
    if not raw and instance.pk:
        instance._pncs_old = (
            sender.objects.filter(pk=instance.pk).values_list(*REFERENCE_FIELDS[sender]).first()
        )


def _reference_saved(sender, instance, created=False, raw=False, **kwargs):
    """A changed sector slug or tag name rewrites its members' index rows (both are in the
    row). The reference data is saved again, unchanged, after every migrate: nothing is
    rewritten then."""
    old = getattr(instance, "_pncs_old", None)
    fields = REFERENCE_FIELDS[sender]
    if raw or created or old is None:
        return
    if any(getattr(instance, f) != before for f, before in zip(fields, old, strict=True)):
        _reindex(profile_ids=_holders(instance).values_list("profile_id", flat=True))


def _reference_deleting(sender, instance, **kwargs):
    # Deleting a tag empties its rows in the members' lists without a signal per row:
    # the holders are read before, their index rows rewritten after.
    instance._pncs_holders = list(_holders(instance).values_list("profile_id", flat=True))


def _reference_deleted(sender, instance, **kwargs):
    _reindex(profile_ids=getattr(instance, "_pncs_holders", []))


for _model in REFERENCE_FIELDS:
    _name = _model._meta.model_name
    pre_save.connect(_reference_saving, sender=_model, dispatch_uid=f"pncs_{_name}_saving")
    post_save.connect(_reference_saved, sender=_model, dispatch_uid=f"pncs_{_name}_saved")
    pre_delete.connect(_reference_deleting, sender=_model, dispatch_uid=f"pncs_{_name}_deleting")
    post_delete.connect(_reference_deleted, sender=_model, dispatch_uid=f"pncs_{_name}_deleted")


def _list_changed(sender, instance, action, reverse, pk_set, **kwargs):
    # Expertise is copied into the searchable text of the index row. (Contributions and
    # languages are filtered and exported from their own tables: nothing to rewrite.)
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
    _list_changed,
    sender=Profile._meta.get_field("expertise").remote_field.through,
    dispatch_uid="pncs_index_expertise",
)


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


@receiver(post_save, sender=Opportunity, dispatch_uid="pncs_list_opportunity_saved")
@receiver(post_delete, sender=Opportunity, dispatch_uid="pncs_list_opportunity_deleted")
@receiver(post_save, sender=Pncs, dispatch_uid="pncs_list_pncs_saved")
@receiver(post_delete, sender=Pncs, dispatch_uid="pncs_list_pncs_deleted")
@receiver(post_save, sender=Sector, dispatch_uid="pncs_list_sector_saved")
@receiver(post_delete, sender=Sector, dispatch_uid="pncs_list_sector_deleted")
def opportunity_list_changed(sender, **kwargs):
    """The cached list of open opportunities shows these rows (pncs.listing)."""
    listing.invalidate()
