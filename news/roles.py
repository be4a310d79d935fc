"""What each role group may do with the news models in the admin (granted after migrate).
Authors write and IME reviews in the site's own pages (news.views); the admin is IME's
place to correct a post, manage tags and the list of trusted authors."""

from core.access import IME_STAFF

ROLE_GRANTS = {IME_STAFF: None}
