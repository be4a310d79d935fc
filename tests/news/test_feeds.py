"""The Atom and RSS feeds of the network, a sector and a chapter, read with a real feed
parser (feedparser): valid, published posts only, in the language of the URL."""

from datetime import timedelta

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import Sector
from tests.factories import ChapterFactory, PostFactory, coordinator

pytestmark = pytest.mark.django_db


def _parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return response, feed


@pytest.fixture
def posts():
    coordinator("tic")  # the TIC PNCS is active
    tic = Sector.objects.get(slug="tic")
    chapter = ChapterFactory(slug="houston", name="Houston")
    network = PostFactory(title_es="De la red", title_en="From the network")
    network.tags.create(name="becas", slug="becas")
    sector = PostFactory(scope="sector", sector=tic, title_es="Del PNCS TIC")
    chap = PostFactory(scope="chapter", chapter=chapter, title_es="Del capítulo")
    PostFactory(title_es="Pendiente", status="pending")
    PostFactory(title_es="Futura", published_at=timezone.now() + timedelta(days=1))
    return {"network": network, "sector": sector, "chapter": chap}


def test_the_network_atom_feed_is_valid_and_lists_published_posts_only(client, posts):
    response, feed = _parse(client, reverse("news:feed_atom"))
    assert response["Content-Type"].startswith("application/atom+xml")
    assert feed.version == "atom10"
    titles = [entry.title for entry in feed.entries]
    assert set(titles) == {"De la red", "Del PNCS TIC", "Del capítulo"}
    entry = next(e for e in feed.entries if e.title == "De la red")
    assert entry.link.endswith(posts["network"].get_absolute_url())
    assert entry.summary == posts["network"].summary_es
    assert [t.term for t in entry.tags] == ["becas"]
    assert entry.published_parsed is not None


def test_the_network_rss_feed_is_valid(client, posts):
    response, feed = _parse(client, reverse("news:feed_rss"))
    assert response["Content-Type"].startswith("application/rss+xml")
    assert feed.version == "rss20"
    assert len(feed.entries) == 3


def test_the_feeds_are_in_english_under_en(client, posts):
    _response, feed = _parse(client, "/en" + reverse("news:feed_atom"))
    assert "From the network" in [entry.title for entry in feed.entries]
    assert "/en/news/" in feed.entries[0].link


def test_a_sector_feed_has_its_sectors_posts_only(client, posts):
    for name in ("news:sector_feed", "news:sector_feed_rss"):
        _response, feed = _parse(client, reverse(name, args=["tic"]))
        assert [entry.title for entry in feed.entries] == ["Del PNCS TIC"]
    assert reverse("news:sector_feed", args=["tic"]) == "/pncs/tic/feed/"


def test_a_chapter_feed_has_its_chapters_posts_only(client, posts):
    for name in ("news:chapter_feed", "news:chapter_feed_rss"):
        _response, feed = _parse(client, reverse(name, args=["houston"]))
        assert [entry.title for entry in feed.entries] == ["Del capítulo"]
    assert reverse("news:chapter_feed", args=["houston"]) == "/chapters/houston/feed/"


def test_unknown_or_hidden_sources_have_no_feed(client, posts):
    ChapterFactory(slug="cerrado", status="inactive")
    assert client.get(reverse("news:chapter_feed", args=["cerrado"])).status_code == 404
    assert client.get(reverse("news:chapter_feed", args=["no-existe"])).status_code == 404
    # A sector without an active PNCS has no feed either.
    assert client.get(reverse("news:sector_feed", args=["salud"])).status_code == 404


def test_every_page_links_the_network_feeds(client):
    html = client.get(reverse("members:home")).content.decode()
    assert f'rel="alternate" type="application/atom+xml" href="{reverse("news:feed_atom")}"' in html
    assert f'rel="alternate" type="application/rss+xml" href="{reverse("news:feed_rss")}"' in html


def test_a_withdrawn_post_leaves_the_feed(client, posts):
    from news.services import withdraw_post

    withdraw_post(post_id=posts["network"].pk, by=None)
    _response, feed = _parse(client, reverse("news:feed_atom"))
    assert "De la red" not in [entry.title for entry in feed.entries]


def test_atom_entries_carry_the_whole_post_sanitised(client, posts):
    post = posts["network"]
    post.body_es = "## Becas\n\nConvocatoria **abierta**.<script>alert(1)</script>"
    post.save()
    _response, feed = _parse(client, reverse("news:feed_atom"))
    entry = next(e for e in feed.entries if e.title == "De la red")
    (content,) = entry.content
    assert content.type == "text/html"
    assert "<strong>abierta</strong>" in content.value and "Becas</h2>" in content.value
    assert "<script" not in content.value and "alert(1)" not in content.value
    assert entry.summary == post.summary_es  # the summary stays the summary
