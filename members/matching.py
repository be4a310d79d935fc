"""The keys that tell two accounts may be one person (issue 26, duplicates and merges).

Each key is an IMMUTABLE SQL function (migration 0013) so an expression index serves it and
the lookups stay index reads at a million members; nothing here reads a table.

- `MailboxKey(email)`: the mailbox an address reaches. Lower-case, a `+tag` dropped, the
  dots of a Gmail local part dropped, and the aliases of one provider folded into one
  domain (googlemail.com -> gmail.com; me.com, mac.com -> icloud.com; pm.me,
  protonmail.com, protonmail.ch -> proton.me). Two addresses with the same key reach the
  same mailbox: the warning a new member sees after verifying their address uses this key
  only, so it tells them nothing about anyone else's mailbox.
- `LocalPartKey(email)`: the local part, letters and digits only, without a `+tag`, for
  staff review ("ana.perez@uni.edu" and "anaperez@gmail.com"); used only when it has at
  least LOCAL_PART_MIN letters (shorter ones, "info", "mail", are too common).
- `NameKey(given, paternal, maternal)`: the full name, lower-case, accents removed, spaces
  folded: equal names and, by trigrams (pg_trgm), similar ones.
- `LinkKey(url)`: a profile link without scheme, `www.`, case or trailing slash.
"""

from django.db.models import Func, TextField

LOCAL_PART_MIN = 6


class MailboxKey(Func):
    """(email) -> the mailbox it reaches (members_mailbox_key)."""

    function = "members_mailbox_key"
    output_field = TextField()


class LocalPartKey(Func):
    """(email) -> its local part, letters and digits only (members_local_part_key)."""

    function = "members_local_part_key"
    output_field = TextField()


class NameKey(Func):
    """(given_names, paternal_surname, maternal_surname) -> the comparable full name."""

    function = "members_name_key"
    output_field = TextField()


class LinkKey(Func):
    """(url) -> the comparable link (members_link_key)."""

    function = "members_link_key"
    output_field = TextField()


# The SQL of the functions, run by migration 0013; a change here needs a new migration that
# runs it again (CREATE OR REPLACE) and rebuilds the indexes that use the changed function.
FUNCTIONS_SQL = [
    """
    CREATE OR REPLACE FUNCTION members_mailbox_key(email text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT CASE WHEN dom = 'gmail.com' THEN replace(l, '.', '') ELSE l END || '@' || dom
    FROM (SELECT l, CASE d WHEN 'googlemail.com' THEN 'gmail.com'
                         WHEN 'me.com' THEN 'icloud.com' WHEN 'mac.com' THEN 'icloud.com'
                         WHEN 'pm.me' THEN 'proton.me' WHEN 'protonmail.com' THEN 'proton.me'
                         WHEN 'protonmail.ch' THEN 'proton.me' ELSE d END AS dom
          FROM (SELECT split_part(split_part(lower(email), '@', 1), '+', 1) AS l,
                       split_part(lower(email), '@', 2) AS d) AS parts) AS folded $$
    """,
    """
    CREATE OR REPLACE FUNCTION members_local_part_key(email text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT regexp_replace(split_part(split_part(lower(email), '@', 1), '+', 1),
                                '[^a-z0-9]', '', 'g') $$
    """,
    """
    CREATE OR REPLACE FUNCTION members_name_key(given text, paternal text, maternal text)
    RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT btrim(regexp_replace(lower(public.members_unaccent(
        concat_ws(' ', given, paternal, maternal))), '\\s+', ' ', 'g')) $$
    """,
    """
    CREATE OR REPLACE FUNCTION members_link_key(url text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT regexp_replace(regexp_replace(lower(btrim(url)), '^https?://(www\\.)?', ''),
                                '[/?#]+$', '') $$
    """,
]

DROP_FUNCTIONS_SQL = [
    "DROP FUNCTION IF EXISTS members_mailbox_key(text)",
    "DROP FUNCTION IF EXISTS members_local_part_key(text)",
    "DROP FUNCTION IF EXISTS members_name_key(text, text, text)",
    "DROP FUNCTION IF EXISTS members_link_key(text)",
]
