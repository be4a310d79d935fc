"""What each role group may do with the surveys models (granted after every migrate)."""

from core.access import IME_STAFF

# IME staff build, send and read surveys (results: aggregates only, figures app).
ROLE_GRANTS = {IME_STAFF: None}
