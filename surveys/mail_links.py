"""Each recipient's own link to answer a survey, put into the survey's invitation by the
announcements outbox (announcements.mail discovers `<app>.mail_links`; it never imports
surveys).

The link carries a signed token naming the survey and the person: whoever holds it answers
as that person, once, without signing in (like the one-click unsubscribe, the signature is
what authorises it). It names nothing else and cannot be altered to name someone else.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation

from announcements.models import Announcement

from .models import Survey

ANSWER_SALT = "surveys.answer"


def answer_token(*, survey_id: int, user_id: int) -> str:
    return signing.dumps({"s": survey_id, "u": user_id}, salt=ANSWER_SALT, compress=True)


def read_answer_token(token: str) -> tuple[int, int]:
    """(survey_id, user_id) of a token; raises signing.BadSignature when tampered or
    malformed."""
    try:
        data = signing.loads(token, salt=ANSWER_SALT)
        return int(data["s"]), int(data["u"])
    except signing.BadSignature:
        raise
    except (TypeError, KeyError, ValueError, AttributeError) as exc:
        raise signing.BadSignature("malformed") from exc


def answer_url(*, survey_id: int, user_id: int, language: str) -> str:
    token = answer_token(survey_id=survey_id, user_id=user_id)
    with translation.override(language):
        path = reverse("surveys:answer_link", kwargs={"token": token})
    return f"{settings.SITE_URL}{path}"


def personal_links(announcement):
    """For a survey's invitation: (user_id, language) -> that person's link; else None.
    One query per batch (the survey of the announcement), none for other kinds."""
    if announcement.kind != Announcement.Kind.SURVEY:
        return None
    survey_id = (
        Survey.objects.filter(invitation_id=announcement.pk).values_list("pk", flat=True).first()
    )
    if survey_id is None:
        return None
    return lambda user_id, language: answer_url(
        survey_id=survey_id, user_id=user_id, language=language
    )
