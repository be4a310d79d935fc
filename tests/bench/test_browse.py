"""The bench reaches a list's deep page through the list's own links, whatever its pager:
page numbers (as deep as the list serves) or keyset links (followed)."""

import pytest

from tests.bench.browse import parse, query_of, with_params
from tests.bench.scenarios import DEEP_HOPS, ScenarioError, deep_page


def page(path, body, status=200):
    return parse(path, status, {"content-type": "text/html; charset=utf-8"}, body)


def test_the_next_link_is_the_rel_next_one_or_the_link_reading_next_in_either_language():
    marked = page(
        "/members/?q=x",
        '<a href="/">Inicio</a><a rel="next" href="?q=x&amp;after=abc">→</a>',
    )
    assert marked.next_link() == "/members/?q=x&after=abc"
    worded = page("/en/members/", '<nav><a href="?page=3">Next »</a><a href="?page=1">Previous</a>')
    assert worded.next_link() == "/en/members/?page=3"
    assert worded.previous_link() == "/en/members/?page=1"
    spanish = page(
        "/members/?page=2", '<a href="?page=1">Anterior</a><a href="?page=3">Siguiente</a>'
    )
    assert spanish.next_link() == "/members/?page=3"
    assert page("/members/", "<p>Sin más páginas</p>").next_link() is None


def test_only_the_fields_of_get_forms_are_the_pages_filters():
    filters = page(
        "/members/",
        '<form method="get"><input name="q"><select name="country"></select></form>'
        '<form method="post"><input name="csrfmiddlewaretoken"></form>'
        '<form><textarea name="sector"></textarea><input type="submit"></form>',
    )
    assert filters.fields == {"q", "country", "sector"}


class FakeList:
    """A list of `pages` pages served as the role sees them, numbered or keyset."""

    def __init__(self, pages, *, numbered, clamps=True):
        self.pages, self.numbered, self.clamps = pages, numbered, clamps
        self.fetched = []

    def link(self, n, word):
        href = f"?page={n}" if self.numbered else f"?after=key{n}"
        return f'<a href="{href}">{word}</a>'

    def fetch(self, path, role):
        self.fetched.append(path)
        query = query_of(path)
        if self.numbered:
            n = int(query.get("page", 1))
            if n > self.pages:
                if not self.clamps:
                    return page(path, "not found", status=404)
                n = self.pages
        else:
            n = int(query["after"].removeprefix("key")) if "after" in query else 1
        body = (self.link(n - 1, "Anterior") if n > 1 else "") + (
            self.link(n + 1, "Siguiente") if n < self.pages else ""
        )
        return page(path, body)


def test_numbered_pages_go_to_page_ten_thousand_when_the_list_serves_it():
    pages = FakeList(30_000, numbered=True)
    assert deep_page(pages, pages.fetch("/members/", "member"), role="member") == (
        "/members/?page=10000"
    )


def test_numbered_pages_go_as_deep_as_the_list_serves():
    short = FakeList(40, numbered=True, clamps=False)  # a bounded window: 40 pages, then 404
    path = deep_page(short, short.fetch("/members/?q=x", "member"), role="member")
    assert path == with_params("/members/?q=x", page=39)  # 10,000 halved until it is served
    clamped = FakeList(12, numbered=True)  # Django's get_page: beyond the last, the last
    assert deep_page(clamped, clamped.fetch("/members/", "m"), role="m") == "/members/?page=10000"


def test_keyset_pages_are_followed_through_their_next_links():
    keyset = FakeList(500, numbered=False)
    path = deep_page(keyset, keyset.fetch("/members/", "member"), role="member")
    assert path == f"/members/?after=key{DEEP_HOPS + 1}"
    assert len(keyset.fetched) == DEEP_HOPS  # page 1, then every page followed
    few = FakeList(5, numbered=False)
    assert deep_page(few, few.fetch("/members/", "m"), role="m") == "/members/?after=key5"


def test_a_list_of_one_page_has_no_deep_page():
    single = FakeList(1, numbered=True)
    with pytest.raises(ScenarioError, match="no next page"):
        deep_page(single, single.fetch("/members/", "m"), role="m")
