"""Template tags of the members app.

`{% dashboard_sections %}`: the extension point of the member dashboard (/me/). Every
installed app may provide a template `<app label>/_dashboard.html`; the dashboard renders
each one found, in INSTALLED_APPS order, with the page's context (request, user, ...).
members imports none of the other apps: they plug in by template name only."""

from django import template
from django.apps import apps
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

register = template.Library()


def _section_template_names() -> tuple[str, ...]:
    names = []
    for app_config in apps.get_app_configs():
        if app_config.label == "members":
            continue
        name = f"{app_config.label}/_dashboard.html"
        try:
            get_template(name)
        except TemplateDoesNotExist:
            continue
        names.append(name)
    return tuple(names)


@register.simple_tag(takes_context=True)
def dashboard_sections(context):
    """Render `<app>/_dashboard.html` of every installed app that has one."""
    flat = context.flatten()
    request = context.get("request")
    rendered = [get_template(name).render(flat, request) for name in _section_template_names()]
    # Each part is the output of an autoescaping template, hence already safe HTML.
    return format_html_join("\n", "{}", ((SafeString(part),) for part in rendered))
