"""The columns a listing of members reads instead of the profile's own text.

Three generated columns of `members_profile` (stored, computed by the database from the row
whatever writes it, `GeneratedField`):

- `listing_key`: how the directory orders people, the name as the card shows it, lower-case
  and without accents ("Pérez Ana"), then the id (so the key is unique and pages are read
  after a key: no OFFSET). B-tree indexes on it, partial on the listed rows, give every page
  of the directory in key order from the index alone.
- `card_words`: the words of what a directory card shows (name as shown, headline, city and
  expertise), for the directory's text search (whole words, accents and case ignored); a
  partial GIN index.
- `search_words`: every name part, the headline and the expertise, for staff searching the
  admin; a GIN index.

They call the IMMUTABLE SQL functions `members_listing_key`, `members_card_words` and
`members_search_words` (migration 0007, which also keeps `Profile.expertise_text` up to
date with triggers).
"""

import re
import unicodedata

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db.models import Func, TextField

MAX_WORDS = 6
MAX_WORD_LENGTH = 40
_WORD = re.compile(r"\w+")


class ListingKey(Func):
    """(preferred_name, given_names, paternal_surname, user_id) -> the directory's sort key."""

    function = "members_listing_key"
    output_field = TextField()


class CardWords(Func):
    """(preferred_name, given_names, paternal_surname, headline, city, expertise_text) -> the
    words of a directory card."""

    function = "members_card_words"
    output_field = SearchVectorField()


class SearchWords(Func):
    """(given_names, paternal_surname, maternal_surname, preferred_name, headline,
    expertise_text) -> the words staff search the admin by."""

    function = "members_search_words"
    output_field = SearchVectorField()


def search_terms(text) -> list[str]:
    """The words of a search as the columns hold them: accents removed, lower-case, letters
    and digits only, at most MAX_WORDS words of at most MAX_WORD_LENGTH characters."""
    decomposed = unicodedata.normalize("NFKD", str(text or ""))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    words = []
    for word in _WORD.findall(plain):
        word = word.replace("_", "")[:MAX_WORD_LENGTH]
        if word and word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def words_query(words) -> SearchQuery:
    """Every word required, as a whole word (accents and case ignored), for `card_words` /
    `search_words` on PostgreSQL. The words are letters and digits only (search_terms),
    quoted: nothing the person typed reaches the tsquery syntax.

    Whole words, not prefixes: a prefix (`'hern':*`) is a partial match, which PostgreSQL's
    GIN reads as a bitmap of every matching entry (four times the work for a common word),
    and a window of results must stay cheap for any word."""
    text = " & ".join(f"'{word}'" for word in words)
    return SearchQuery(text, config="simple", search_type="raw")
