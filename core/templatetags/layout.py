"""Template tags of the site's layout (`{% load layout %}`).

`{% site_urls as urls %}`: the links of the header, the footer and the language switcher,
reversed once per language and process."""

import functools

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

register = template.Library()

# The layout's links: {{ urls.<key> }} in templates/base.html and templates/_partials/.
SITE_URL_NAMES = {
    "home": "members:home",
    "chapters": "chapters:list",
    "jornadas": "chapters:jornada_list",
    "pncs": "pncs:list",
    "opportunities": "pncs:opportunity_list",
    "programs": "programs:list",
    "directory": "members:directory",
    "me": "members:me",
    "admin": "admin:index",
    "login": "account_login",
    "logout": "account_logout",
    "signup": "account_signup",
    "privacy": "members:privacy",
    "figures": "figures",
    "set_language": "set_language",
}


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
