"""The model permissions each role group holds on members' models.

Granted by a data migration and again after every `migrate`/test flush (post_migrate),
so the groups never lose them. Other apps grant permissions on their own models."""

ROLE_PERMISSIONS = {
    "IME staff": [
        "view_user",
        "change_user",
        "view_profile",
        "change_profile",
        "view_historicalprofile",
        "view_profilesector",
        "add_profilesector",
        "change_profilesector",
        "delete_profilesector",
        "view_sector",
        "view_contribution",
        "view_language",
        "view_expertisetag",
        "add_expertisetag",
        "change_expertisetag",
        "view_privacynotice",
        "add_privacynotice",
        "change_privacynotice",
        "view_privacyacceptance",
        "view_consentrecord",
        "view_arcorequest",
        "change_arcorequest",
        "view_profileview",
    ],
    "PNCS coordinators": ["view_sector", "view_contribution"],
    "Chapter officers": [],
}


def grant_role_permissions(group_model, permission_model):
    """Add the listed permissions to each group (existing extra permissions are kept)."""
    for group_name, codenames in ROLE_PERMISSIONS.items():
        group, _created = group_model.objects.get_or_create(name=group_name)
        perms = permission_model.objects.filter(
            content_type__app_label="members", codename__in=codenames
        )
        group.permissions.add(*perms)
