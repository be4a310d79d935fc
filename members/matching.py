"""The keys that tell two accounts may be one person (issue 26, duplicates and merges).

Each key is an IMMUTABLE SQL function (created by migration 0013, which holds their SQL; a
change needs a new migration that replaces the function and rebuilds its indexes) so an expression index serves it and
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
