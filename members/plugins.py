"""How the other apps plug into members without members importing them.

An installed app may provide a module named after an extension point:
`<app>.personal_data` (export(user), erase(user)), `<app>.audiences` (announcements.audiences),
`<app>.member_groups` (the chapter filter of pncs.filters), `<app>.sector_roles` (who
coordinates which sector: coordinated_sector_ids below), `<app>.landing`
(`landing_url(user)`: where an account that is not a member lands instead of the member's
onboarding, e.g. a Mexican student's page); templates plug in by name
(`<app>/_dashboard.html`). (The directory takes no filters from other apps: it filters only
on what its cards show, members.filters.)
"""

import importlib

from django.apps import apps


def app_modules(name: str):
    """(app label, module) for every installed app but members that has `<app>.<name>`,
    in INSTALLED_APPS order."""
    for app_config in apps.get_app_configs():
        if app_config.name == "members":
            continue
        try:
            module = importlib.import_module(f"{app_config.name}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app_config.name}.{name}":
                raise
            continue
        yield app_config.label, module


def coordinated_sector_ids(user) -> set[int]:
    """The sectors whose PNCS `user` coordinates today (not IME staff's every sector):
    the union of every installed app's `<app>.sector_roles.coordinated_sector_ids(user)`
    (pncs provides it). How an app that may not import pncs scopes a coordinator's work
    (chapters: Jornada proposals)."""
    if not user.is_authenticated:
        return set()
    ids: set[int] = set()
    for _label, module in app_modules("sector_roles"):
        ids.update(module.coordinated_sector_ids(user))
    return ids


def landing_url(user) -> str | None:
    """The page of the first installed app whose `<app>.landing.landing_url(user)` claims
    an account without a member's profile (a Mexican student), or None."""
    for _label, module in app_modules("landing"):
        url = module.landing_url(user)
        if url:
            return url
    return None
