"""Reading the pages under test as a visitor would, in the harness (not timed): the links
a page offers and the fields of its forms.

A scenario that walks a list page follows the page's own links (its "next" link, the
page numbers it accepts) instead of guessing its URL scheme, so the same scenario works
on numbered pages (`?page=2`) and on keyset pages (`?after=...`) alike.
"""

from __future__ import annotations

import http.client
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

# The words of a pager's links, in both languages (a link of arrows alone reads "").
ARROWS = "\u00ab\u00bb\u2039\u203a"  # guillemets and single angle quotes around the words
NEXT_WORDS = {"siguiente", "siguientes", "next", "más", "more"}
PREVIOUS_WORDS = {"anterior", "anteriores", "previous", "prev"}


@dataclass
class Link:
    href: str
    rel: set[str] = field(default_factory=set)
    text: str = ""


@dataclass
class Page:
    path: str
    status: int
    headers: dict
    body: str
    links: list[Link] = field(default_factory=list)
    fields: set[str] = field(default_factory=set)  # names of the fields of its GET forms

    def next_link(self) -> str | None:
        """The path of the page's "next" link (rel="next", else a link reading "next")."""
        return self._link(NEXT_WORDS, "next")

    def previous_link(self) -> str | None:
        return self._link(PREVIOUS_WORDS, "prev")

    def _link(self, words, rel) -> str | None:
        for link in self.links:
            if rel in link.rel or (rel == "prev" and "previous" in link.rel):
                return self.absolute(link.href)
        for link in self.links:
            if link.text.strip().strip(ARROWS).strip().lower() in words:
                return self.absolute(link.href)
        return None

    def absolute(self, href: str) -> str:
        parts = urlsplit(urljoin(self.path, href))
        return parts.path + (f"?{parts.query}" if parts.query else "")


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[Link] = []
        self.fields: set[str] = set()
        self._anchor: Link | None = None
        self._form_method: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("a", "link") and attributes.get("href"):
            link = Link(attributes["href"], set((attributes.get("rel") or "").lower().split()))
            self.links.append(link)
            if tag == "a":
                self._anchor = link
        elif tag == "form":
            self._form_method = (attributes.get("method") or "get").lower()
        elif (
            tag in ("input", "select", "textarea")
            and self._form_method == "get"
            and attributes.get("name")
        ):
            self.fields.add(attributes["name"])

    def handle_endtag(self, tag):
        if tag == "a":
            self._anchor = None
        elif tag == "form":
            self._form_method = None

    def handle_data(self, data):
        if self._anchor is not None:
            self._anchor.text += data


def fetch(host: str, port: int, path: str, *, cookie: str = "", timeout: float = 120) -> Page:
    """GET a page (no redirect followed) and read its links and form fields."""
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        headers = {"Accept-Encoding": "identity", "User-Agent": "talentnet-bench"}
        if cookie:
            headers["Cookie"] = cookie
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace")
        status, headers = response.status, {k.lower(): v for k, v in response.getheaders()}
    finally:
        connection.close()
    return parse(path, status, headers, body)


def parse(path: str, status: int, headers: dict, body: str) -> Page:
    """A response as a Page, with the links and form fields of an HTML one."""
    page = Page(path=path, status=status, headers=headers, body=body)
    if "html" in headers.get("content-type", ""):
        reader = _Reader()
        reader.feed(body)
        page.links, page.fields = reader.links, reader.fields
    return page


def with_params(path: str, **params) -> str:
    """The path with these query parameters set (others kept)."""
    parts = urlsplit(path)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update({k: str(v) for k, v in params.items()})
    return parts.path + "?" + urlencode(query)


def query_of(path: str) -> dict:
    return dict(parse_qsl(urlsplit(path).query, keep_blank_values=True))
