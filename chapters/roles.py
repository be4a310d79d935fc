"""What each role group may do with the chapters models (granted by migration and post_migrate)."""

# What a chapter officer may do in the admin (always scoped to their current chapters
# by chapters.admin.ScopedAdminMixin): edit their chapter's presentation, decide join
# requests, run their chapter's events, check participants in.
OFFICER_PERMISSIONS = [
    "view_chapter",
    "change_chapter",
    "view_officer",
    "view_membership",
    "change_membership",
    "add_jornada",
    "change_jornada",
    "delete_jornada",
    "view_jornada",
    "add_agendaitem",
    "change_agendaitem",
    "delete_agendaitem",
    "view_agendaitem",
    "add_speaker",
    "change_speaker",
    "delete_speaker",
    "view_speaker",
    "add_material",
    "change_material",
    "delete_material",
    "view_material",
    "view_registration",
    "change_registration",
    # (Announcements to their chapter's members: announcements.roles.)
]


# What each role group may do with chapters models (core.access.grant_role_permissions).
ROLE_GRANTS = {"IME staff": None, "Chapter officers": OFFICER_PERMISSIONS}
