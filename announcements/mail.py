"""How an announcement becomes an email: Markdown to sanitised HTML plus plain text, the
recipient's language, absolute links, and the one-click unsubscribe headers (RFC 8058).

Transactional mail (members.services) never goes through here and carries none of
these headers.
"""

import functools
import logging
import secrets
from urllib.parse import urljoin

import markdown
import nh3
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe

from core.emails import clean_subject
from members.models import public_name
from members.plugins import app_modules

logger = logging.getLogger(__name__)

# The salt of the days these modules lived in chapters: links in mail already sent keep working.
UNSUBSCRIBE_SALT = "chapters.announcements.unsubscribe"
ALLOWED_TAGS = {
    "a", "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote", "code",
    "pre", "h2", "h3", "h4", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def site_url(path: str) -> str:
    """An absolute link on the site (emails are read outside it)."""
    return f"{settings.SITE_URL}{path}"


def markdown_to_html(text: str) -> str:
    """Staff Markdown rendered, then sanitised with nh3 (no script, style or event handler)."""
    return _markdown_to_html(text or "", settings.SITE_URL)


@functools.lru_cache(maxsize=64)  # a batch renders the same two bodies again and again
def _markdown_to_html(text: str, base_url: str) -> str:
    def absolute_links(tag, attribute, value):
        # Relative links in the Markdown point to the site (emails are read outside it).
        if (
            tag == "a"
            and attribute == "href"
            and value.startswith("/")
            and not value.startswith("//")
        ):
            return urljoin(base_url + "/", value.lstrip("/"))
        return value

    html = markdown.markdown(text, extensions=["sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        attribute_filter=absolute_links,
    )


def unsubscribe_token(*, user_id: int, kind: str, announcement_id: int | None = None) -> str:
    """A signed, URL-safe token naming the person, the kind of announcement to stop and the
    announcement the link came in (so unsubscribes can be counted per announcement)."""
    data = {"u": user_id, "k": kind}
    if announcement_id is not None:
        data["a"] = announcement_id
    return signing.dumps(data, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str, int | None]:
    """(user_id, kind, announcement_id or None) of a token; raises signing.BadSignature when
    tampered or malformed."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user_id, kind = int(data["u"]), str(data["k"])
        announcement_id = None if data.get("a") is None else int(data["a"])
    except signing.BadSignature:
        raise
    except (TypeError, KeyError, ValueError, AttributeError) as exc:
        raise signing.BadSignature("malformed") from exc
    return user_id, kind, announcement_id


_TOKEN_SLOT = "TOKEN-SLOT"  # noqa: S105 - a placeholder in a URL, not a secret


@functools.lru_cache(maxsize=16)
def _unsubscribe_pattern(language: str, base_url: str) -> str:
    # Reversed once per language (not per message): the token goes into the slot.
    with translation.override(language):
        path = reverse("announcements:unsubscribe", kwargs={"token": _TOKEN_SLOT})
    return f"{base_url}{path}"


def unsubscribe_url(
    *, user_id: int, kind: str, language: str, announcement_id: int | None = None
) -> str:
    token = unsubscribe_token(user_id=user_id, kind=kind, announcement_id=announcement_id)
    return _unsubscribe_pattern(language, settings.SITE_URL).replace(_TOKEN_SLOT, token)


@functools.cache
def _link_hooks() -> tuple:
    return tuple(module for _label, module in app_modules("mail_links"))


def personal_links(announcement):
    """Each recipient's own link, when an installed app gives one for this announcement
    (`<app>.mail_links.personal_links(announcement)`: a survey's invitation, whose link
    lets the recipient answer without signing in): a function (user_id, language) ->
    absolute URL, or None. Asked once per batch, not per message."""
    for module in _link_hooks():
        links = module.personal_links(announcement)
        if links is not None:
            return links
    return None


def language_of(user) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return user.preferred_language if user.preferred_language in codes else settings.LANGUAGE_CODE


def render_announcement(announcement, *, language: str, user=None) -> dict:
    """Subject, plain text and HTML of an announcement in `language`, as `user` sees it."""
    unsubscribe = (
        unsubscribe_url(
            user_id=user.pk,
            kind=announcement.kind,
            language=language,
            announcement_id=announcement.pk,
        )
        if user is not None and user.pk
        else ""
    )
    with translation.override(language):
        name = public_name(user) if user is not None else ""
    links = personal_links(announcement) if user is not None and user.pk else None
    personal = links(user.pk, language) if links is not None else ""
    return _render(
        announcement, language=language, name=name, unsubscribe=unsubscribe, personal=personal
    )


def _render(announcement, *, language: str, name: str, unsubscribe: str, personal="") -> dict:
    english = language.startswith("en")
    subject = announcement.subject_en if english else announcement.subject_es
    body = announcement.body_en if english else announcement.body_es
    subject = clean_subject(subject)  # one header line of plain text (SECURITY.md C8)
    with translation.override(language):
        context = {
            "announcement": announcement,
            "subject": subject,
            "body_text": body,
            # Sanitised by nh3 above: the only markup that reaches the template.
            "body_html": mark_safe(markdown_to_html(body)),  # noqa: S308
            "name": name,
            "unsubscribe_url": unsubscribe,
            "personal_url": personal,
            "site_url": site_url(reverse("members:home")),
            "contact_url": site_url(reverse("members:contact")),
            "kind_label": announcement.get_kind_display(),
        }
        # Plain text is never HTML: a plain str, so a page showing it escapes it.
        text = "".join([render_to_string("announcements/email/announcement.txt", context)])
        html = render_to_string("announcements/email/announcement.html", context)
    return {"subject": subject, "text": text, "html": html, "unsubscribe_url": unsubscribe}


def build_message(announcement, user, *, delivery_id=None) -> EmailMultiAlternatives:
    """The email to one recipient, in their language, with the one-click unsubscribe headers."""
    return AnnouncementMail(announcement).message(user, delivery_id=delivery_id)


class AnnouncementMail:
    """One announcement's email for a whole batch: rendered once per language, not per person.

    Rendering (Markdown, nh3, two templates) is most of the cost of a message, yet only
    the recipient's parts differ: the name in the greeting and the unsubscribe link. The
    templates are rendered once per language with random slots where the name and the
    link go; each message fills the slots (HTML-escaped in the HTML, as the template's
    autoescape would), which gives exactly what `render_announcement` renders for that
    person (a test holds them equal). `message()` builds Django's EmailMultiAlternatives
    from it: Django writes the MIME, any mailer sends it.
    """

    def __init__(self, announcement):
        self.announcement = announcement
        slot = secrets.token_hex(8)  # unguessable: staff text cannot contain it
        self._name_slot = f"NAME{slot}"
        self._url_slot = f"UNSUBSCRIBE{slot}"
        self._link_slot = f"PERSONAL{slot}"
        self._links = personal_links(announcement)
        self._templates = {}
        self._domain = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":")[0]

    def _template(self, language: str, greeting: bool) -> dict:
        key = (language, greeting)
        if key not in self._templates:
            self._templates[key] = _render(
                self.announcement,
                language=language,
                name=self._name_slot if greeting else "",
                unsubscribe=self._url_slot,
                personal=self._link_slot if self._links is not None else "",
            )
        return self._templates[key]

    def render(self, user) -> dict:
        """What `render_announcement` gives for `user` in their language, plus the language."""
        language = language_of(user)
        with translation.override(language):
            name = public_name(user)
        unsubscribe = unsubscribe_url(
            user_id=user.pk,
            kind=self.announcement.kind,
            language=language,
            announcement_id=self.announcement.pk,
        )
        template = self._template(language, bool(name))
        text = template["text"].replace(self._name_slot, name)
        html = template["html"].replace(self._name_slot, escape(name))
        if self._links is not None:
            personal = self._links(user.pk, language)
            text = text.replace(self._link_slot, personal)
            html = html.replace(self._link_slot, escape(personal))
        return {
            "subject": template["subject"],
            "text": text.replace(self._url_slot, unsubscribe),
            "html": html.replace(self._url_slot, escape(unsubscribe)),
            "unsubscribe_url": unsubscribe,
            "language": language,
        }

    def _headers(self, unsubscribe: str, delivery_id) -> dict:
        headers = {
            # RFC 8058 one-click unsubscribe (SECURITY.md E8), the link signed per person.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
        if delivery_id is not None:
            # Stable per delivery: a resend after a crash is recognisable downstream.
            headers["Message-ID"] = (
                f"<announcement-{self.announcement.pk}-{delivery_id}@{self._domain}>"
            )
        return headers

    def message(self, user, *, delivery_id=None) -> EmailMultiAlternatives:
        """The email to `user`: plain text with the HTML alternative, in their language."""
        rendered = self.render(user)
        message = EmailMultiAlternatives(
            subject=rendered["subject"],
            body=rendered["text"],
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[user.email],
            headers=self._headers(rendered["unsubscribe_url"], delivery_id),
        )
        message.attach_alternative(rendered["html"], "text/html")
        return message
