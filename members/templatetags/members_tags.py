"""Template tags of the members app.

`{% dashboard_sections %}`: the extension point of the member dashboard (/me/). Every
installed app may provide a template `<app label>/_dashboard.html`; the dashboard renders
each one found, in INSTALLED_APPS order, with the page's context (request, user, ...).
members imports none of the other apps: they plug in by template name only."""

from django import template

from core.templatetags.layout import plugged_sections

register = template.Library()


@register.simple_tag(takes_context=True)
def dashboard_sections(context):
    """Render `<app>/_dashboard.html` of every installed app that has one."""
    return plugged_sections(context, "dashboard", skip=("members",))
