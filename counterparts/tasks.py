"""Periodic work of counterparts (CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from . import services


@shared_task
def expire_member_invitations_task() -> int:
    """Members' invitations with no reply in COUNTERPARTS_INVITATION_DAYS expire
    (idempotent)."""
    return services.expire_invitations()
