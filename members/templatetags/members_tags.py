"""Template tags of the members app.

`{% dashboard_sections %}`: the extension point of the member dashboard (/me/). Every
installed app may provide a template `<app label>/_dashboard.html`; the dashboard renders
each one found, in INSTALLED_APPS order, with the page's context (request, user, ...).
members imports none of the other apps: they plug in by template name only."""

from django import template
from django.apps import apps
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.html import format_html, format_html_join
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


@register.simple_tag
def field_group(bound_field):
    """What `{{ field.as_field_group }}` renders (Django's field.html: label, help text tied
    by aria-describedby, errors, widget), built in Python: a search form of eleven fields
    spent more on these small templates than on its SQL. Fields drawn in a fieldset
    (radio and checkbox groups) keep Django's template."""
    if bound_field.use_fieldset:
        return bound_field.as_field_group()
    parts = []
    label = str(bound_field.label or "")
    if label:
        suffix = bound_field.field.label_suffix
        suffix = bound_field.form.label_suffix if suffix is None else suffix
        if suffix and label[-1] in ":?.!":  # like BoundField.label_tag
            suffix = ""
        parts.append(
            format_html('<label for="{}">{}{}</label>', bound_field.id_for_label, label, suffix)
        )
    if bound_field.help_text:
        parts.append(
            format_html(
                '<div class="helptext" id="{}_helptext">{}</div>',
                bound_field.auto_id,
                bound_field.help_text,
            )
        )
    if bound_field.errors:
        parts.append(bound_field.errors)
    parts.append(bound_field.as_widget())
    return format_html_join("\n", "{}", ((part,) for part in parts))
