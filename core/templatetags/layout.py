"""Template tags of the site's layout (`{% load layout %}`).

`{% workbench_link as show %}`: whether the header shows the workbench's link.

`{% site_urls as urls %}`: the links of the header, the footer and the language switcher,
reversed once per language and process.

`{% plugged "name" %}`: an extension point of a page. Every installed app may provide a
template `<app label>/_<name>.html`; the tag renders each one found, in INSTALLED_APPS
order, with the page's context. The page's app imports none of the others: they plug in by
template name only (the member dashboard's sections, the news of a chapter's page...)."""

import functools

from django import template
from django.apps import apps
from django.conf import settings
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

register = template.Library()

# The layout's links: {{ urls.<key> }} in templates/base.html and templates/_partials/.
SITE_URL_NAMES = {
    "home": "members:home",
    "chapters": "chapters:list",
    "jornadas": "chapters:jornada_list",
    "pncs": "pncs:list",
    "opportunities": "pncs:opportunity_list",
    "programs": "programs:list",
    "news": "news:list",
    "news_atom": "news:feed_atom",
    "news_rss": "news:feed_rss",
    "organizations": "counterparts:list",
    "directory": "members:directory",
    "me": "members:me",
    "messages": "messaging:inbox",
    "admin": "admin:index",
    "login": "account_login",
    "logout": "account_logout",
    "signup": "account_signup",
    "privacy": "members:privacy",
    "contact": "members:contact",
    "figures": "figures",
    "workbench": "members:workbench",
    "set_language": "set_language",
}


@register.simple_tag(takes_context=True)
def workbench_link(context) -> bool:
    """`{% workbench_link as show %}`: whether the header links to the staff workbench:
    staff, and anyone the sign-in found with a role (coordinators of a PNCS who are not
    staff included; core.access.remember_workbench_link). No query."""
    from core.access import WORKBENCH_LINK_SESSION_KEY

    request = context.get("request")
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    session = getattr(request, "session", None)
    return bool(session is not None and session.get(WORKBENCH_LINK_SESSION_KEY))


@register.simple_tag
def site_urls():
    """The layout's links in the active language, None for a page whose app is not
    installed. Every page shows about fifteen; reversing them each time cost more than
    the rest of a cached page's template. URLs do not change while a process runs, so
    they are reversed once per language, script prefix and URLconf."""
    from django.utils.translation import get_language

    return _site_urls(get_language(), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@functools.cache
def _site_urls(language, script_prefix, urlconf):
    urls = {}
    for key, name in SITE_URL_NAMES.items():
        try:
            urls[key] = reverse(name, urlconf=urlconf)
        except NoReverseMatch:
            urls[key] = None
    return urls


def _plugged_template_names(name: str, skip=()) -> tuple[str, ...]:
    names = []
    for app_config in apps.get_app_configs():
        if app_config.label in skip:
            continue
        template_name = f"{app_config.label}/_{name}.html"
        try:
            get_template(template_name)
        except TemplateDoesNotExist:
            continue
        names.append(template_name)
    return tuple(names)


def plugged_sections(context, name: str, *, skip=()):
    """Render `<app>/_<name>.html` of every installed app that has one (but `skip`)."""
    flat = context.flatten()
    request = context.get("request")
    rendered = [
        get_template(template_name).render(flat, request)
        for template_name in _plugged_template_names(name, skip)
    ]
    # Each part is the output of an autoescaping template, hence already safe HTML.
    return format_html_join("\n", "{}", ((SafeString(part),) for part in rendered))


@register.simple_tag(takes_context=True)
def plugged(context, name):
    """`{% plugged "chapter_page" %}`: the sections other apps plug into this page."""
    return plugged_sections(context, name)
