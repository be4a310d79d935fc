"""What each role group may do with the announcements models (granted by migration and
post_migrate)."""

from core.access import CHAPTER_OFFICERS, IME_STAFF

# Chapter officers write and send announcements to their chapter's members and their
# events' registrants (the admin and the services scope them: announcements.audiences).
OFFICER_PERMISSIONS = [
    "add_announcement",
    "change_announcement",
    "delete_announcement",
    "view_announcement",
]

ROLE_GRANTS = {IME_STAFF: None, CHAPTER_OFFICERS: OFFICER_PERMISSIONS}
