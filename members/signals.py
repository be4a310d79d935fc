"""Receivers for allauth's account signals (a decoupled concern: keeping a mirror in sync).

`User.email_verified` mirrors "the primary address is verified" so listings filter on
one table; allauth owns the addresses and tells us when they change."""

import logging

from allauth.account import signals as account_signals
from django.contrib.auth import signals as auth_signals

security_log = logging.getLogger("talentnet.security")


def _sync(user=None, email_address=None, **kwargs):
    from .services import sync_email_verified

    user = user or getattr(email_address, "user", None)
    if user is not None and user.pk:
        sync_email_verified(user=user)


def _sync_from_change(request=None, user=None, to_email_address=None, **kwargs):
    _sync(user=user)


def _client_ip(request):
    return request.META.get("REMOTE_ADDR", "-") if request is not None else "-"


def _log_login(sender, request=None, user=None, **kwargs):
    """SECURITY.md D7: login successes are logged (who, from where; never a secret)."""
    security_log.info("login succeeded user=%s ip=%s", user.pk, _client_ip(request))


def _log_login_failure(sender, credentials=None, request=None, **kwargs):
    """Failures are logged without the typed identifier: people type passwords into the
    email field, and an unknown address is personal data we have no reason to keep."""
    security_log.warning("login failed ip=%s", _client_ip(request))


def connect():
    auth_signals.user_logged_in.connect(_log_login, dispatch_uid="members_log_login")
    auth_signals.user_login_failed.connect(
        _log_login_failure, dispatch_uid="members_log_login_failure"
    )
    account_signals.email_confirmed.connect(_sync, dispatch_uid="members_email_confirmed")
    account_signals.email_changed.connect(_sync_from_change, dispatch_uid="members_email_changed")
    account_signals.email_removed.connect(_sync, dispatch_uid="members_email_removed")
    account_signals.user_signed_up.connect(_sync, dispatch_uid="members_user_signed_up")
    account_signals.user_logged_in.connect(_sync, dispatch_uid="members_user_logged_in")
