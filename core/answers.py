"""Whole answers kept in the shared "answers" cache under a generation token.

A family of cached answers (every chapter page, the list of open opportunities...) shares
one generation token, replaced whenever something those answers show changes (the owning
app's signal receivers call `Generation.invalidate()`). Each entry remembers the token it
was rendered under; the token is read before the database, so an answer rendered from data
older than a change carries the old token and is never served after it. The token is
replaced at once and again after commit, so a render that read the database between the
two is discarded as well. Entries also expire on their own after the seconds the caller
gives (a safety net for a change made while Redis was unreachable).

What a read on the read replica gave (a `@replica_reads` view) may predate a write that
already replaced the token: it is kept apart from what the primary gave (a visitor who
just wrote reads the primary's copy) and only REPLICA_SECONDS.

Whatever the cache does (Redis down, evicted keys), the answer is rendered from the
database; nothing is cached when the token cannot be read.
"""

import secrets

from django.core.cache import caches
from django.db import transaction

from core.replica import replica_in_use

REPLICA_SECONDS = 5


def _cache():
    return caches["answers"]


class Generation:
    """The token of one family of cached answers, under the cache key `key`."""

    def __init__(self, key: str):
        self.key = key

    def invalidate(self) -> None:
        """Forget every answer of the family: now, and again once the current transaction
        commits (an answer rendered in between read the data before the change)."""
        self._replace()
        if transaction.get_connection().in_atomic_block:
            transaction.on_commit(self._replace)

    def _replace(self):
        _cache().set(self.key, secrets.token_hex(8), timeout=None)

    def current(self, found: dict):
        """The token read with an entry by `get_many([key, entry])` (`found`), or a new
        one when there was none (first use, eviction). None when the cache does not
        answer: nothing gets cached then."""
        if self.key in found:
            return found[self.key]
        _cache().add(self.key, secrets.token_hex(8), timeout=None)
        return _cache().get(self.key)

    def cached(self, key: str, render, *, seconds: int):
        """The value cached under `key` for the current token, or `render()`'s, then kept
        for `seconds` at most (REPLICA_SECONDS when read on the replica, under a key of
        its own)."""
        source = "primary"
        if replica_in_use():
            source, seconds = "replica", min(seconds, REPLICA_SECONDS)
        key = f"{key}:{source}"
        found = _cache().get_many([self.key, key])
        generation = self.current(found)
        entry = found.get(key)
        if entry is not None and generation is not None and entry["generation"] == generation:
            return entry["value"]
        value = render()
        if generation is not None:
            _cache().set(key, {"generation": generation, "value": value}, timeout=max(1, seconds))
        return value
