"""Receivers for allauth's account signals (a decoupled concern: keeping a mirror in sync),
and a few forgetting cached answers when what they depend on changes (role names, the
privacy notice in force and acceptances).

`User.email_verified` mirrors "the primary address is verified" so listings filter on
one table; allauth owns the addresses and tells us when they change."""

import logging

from allauth.account import signals as account_signals
from django.contrib.auth import signals as auth_signals

from core.access import ROLE_NAMES_MEMO, remember_workbench_link

from .http import client_ip

security_log = logging.getLogger("talentnet.security")


def _sync(user=None, email_address=None, **kwargs):
    from .services import sync_email_verified

    user = user or getattr(email_address, "user", None)
    if user is not None and user.pk:
        sync_email_verified(user=user)


def _sync_from_change(request=None, user=None, to_email_address=None, **kwargs):
    _sync(user=user)


def _log_login(sender, request=None, user=None, **kwargs):
    """SECURITY.md D7: login successes are logged (who, from where; never a secret)."""
    security_log.info("login succeeded user=%s ip=%s", user.pk, client_ip(request))


def _log_login_failure(sender, credentials=None, request=None, **kwargs):
    """Failures are logged without the typed identifier: people type passwords into the
    email field, and an unknown address is personal data we have no reason to keep."""
    security_log.warning("login failed ip=%s", client_ip(request))


def _forget_role_names(sender, instance, action, reverse, **kwargs):
    """core.access.role_names memoises a user's groups on the object: changing them
    through that object (user.groups.add/remove/set/clear) forgets the memo."""
    if not reverse and action.startswith("post_"):
        instance.__dict__.pop(ROLE_NAMES_MEMO, None)


def _notice_changed(sender, **kwargs):
    from .services import forget_privacy_notice_cache

    forget_privacy_notice_cache()


def _acceptance_deleted(sender, instance, **kwargs):
    from .services import forget_privacy_notice_cache

    forget_privacy_notice_cache(user_id=instance.user_id)


def _remember_workbench_link(sender, request, user, **kwargs):
    remember_workbench_link(request, user)


def connect():
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from .models import PrivacyAcceptance, PrivacyNotice, User

    m2m_changed.connect(
        _forget_role_names, sender=User.groups.through, dispatch_uid="members_role_names"
    )
    # The cached privacy notice in force and acceptances (services.needs_privacy_acceptance).
    post_save.connect(_notice_changed, sender=PrivacyNotice, dispatch_uid="members_notice_saved")
    post_delete.connect(
        _notice_changed, sender=PrivacyNotice, dispatch_uid="members_notice_deleted"
    )
    post_delete.connect(
        _acceptance_deleted, sender=PrivacyAcceptance, dispatch_uid="members_acceptance_deleted"
    )
    auth_signals.user_logged_in.connect(_log_login, dispatch_uid="members_log_login")
    auth_signals.user_logged_in.connect(
        _remember_workbench_link, dispatch_uid="members_workbench_link"
    )
    auth_signals.user_login_failed.connect(
        _log_login_failure, dispatch_uid="members_log_login_failure"
    )
    account_signals.email_confirmed.connect(_sync, dispatch_uid="members_email_confirmed")
    account_signals.email_changed.connect(_sync_from_change, dispatch_uid="members_email_changed")
    account_signals.email_removed.connect(_sync, dispatch_uid="members_email_removed")
    account_signals.user_signed_up.connect(_sync, dispatch_uid="members_user_signed_up")
    account_signals.user_logged_in.connect(_sync, dispatch_uid="members_user_logged_in")
