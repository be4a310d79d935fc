"""What each role group may do with the api's models in the admin (granted after migrate):
IME staff register, revoke and watch partner applications and their webhooks."""

from core.access import IME_STAFF

ROLE_GRANTS = {IME_STAFF: None}
