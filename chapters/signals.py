"""Receivers keeping the cached chapter pages fresh (a decoupled concern: the cache).

Whatever a chapter page shows (chapters/page_cache.py) invalidates the cached pages when it
changes: chapters and their areas, officers, memberships (the member count), Jornadas,
sectors, and the public name of someone who is or was an officer. Writes through
`QuerySet.update()` send no signal: their code calls page_cache.invalidate() itself.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from members.models import Profile, Sector

from . import page_cache

# Profile fields that make up the public name officers are listed under.
NAME_FIELDS = frozenset({"preferred_name", "given_names", "paternal_surname"})


def _changed(sender, **kwargs):
    page_cache.invalidate()


def _profile_saved(sender, instance, update_fields=None, **kwargs):
    from .models import Officer

    if update_fields is not None and not NAME_FIELDS & set(update_fields):
        return
    if Officer.objects.filter(user_id=instance.pk).exists():
        page_cache.invalidate()


def connect():
    from .models import Chapter, Jornada, Membership, Officer

    for model in (Chapter, Officer, Membership, Jornada, Sector):
        uid = f"chapters_page_cache_{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}_saved")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}_deleted")
    m2m_changed.connect(
        _changed, sender=Chapter.sectors.through, dispatch_uid="chapters_page_cache_sectors"
    )
    post_save.connect(_profile_saved, sender=Profile, dispatch_uid="chapters_page_cache_names")
