"""RSS 2.0 and Atom feeds of the news (django.contrib.syndication): the whole network, each
sector's PNCS and each chapter. Published posts only, in the language of the URL (/en/...)."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from announcements.mail import markdown_to_html
from chapters.models import Chapter
from pncs.models import Pncs

from .models import Post

ITEMS = 30


class AtomWithContent(Atom1Feed):
    """Atom 1.0 whose entries carry the whole post (`content`, sanitised HTML) beside the
    summary, so a reader shows the post without leaving it."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content"):
            handler.addQuickElement("content", item["content"], {"type": "html"})


class NetworkFeed(Feed):
    """Every published post of the network."""

    feed_type = Rss201rev2Feed
    author_name = _("Red de Talentos Mexicanos")

    def title(self, obj=None):
        return gettext("Noticias de la Red de Talentos Mexicanos")

    def description(self, obj=None):
        return gettext("Lo más reciente de los capítulos, los PNCS y el IME.")

    def link(self, obj=None):
        return reverse("news:list")

    def posts(self, obj):
        return Post.objects.published()

    def items(self, obj=None):
        return self.posts(obj).for_listing()[:ITEMS]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return max(item.published_at, item.updated_at)

    def item_author_name(self, item):
        return str(item.source_name)

    def item_categories(self, item):
        return [tag.name for tag in item.tags.all()]

    def item_extra_kwargs(self, item):
        # The body as the post's page shows it (Markdown sanitised by nh3, as announcements).
        return {"content": markdown_to_html(item.body)}

    def item_guid(self, item):
        # Stable whatever the language or a later change of title.
        return f"talentnet-news-{item.pk}"

    item_guid_is_permalink = False


class NetworkAtomFeed(NetworkFeed):
    feed_type = AtomWithContent
    subtitle = NetworkFeed.description


class SectorFeed(NetworkFeed):
    """The published posts of one sector (its PNCS must be active)."""

    def get_object(self, request, slug):
        return get_object_or_404(Pncs.objects.active().select_related("sector"), sector__slug=slug)

    def title(self, obj=None):
        return gettext("Noticias del PNCS %(sector)s") % {"sector": obj.sector.name}

    def description(self, obj=None):
        return gettext("Noticias del sector %(sector)s en la Red de Talentos Mexicanos.") % {
            "sector": obj.sector.name
        }

    def link(self, obj=None):
        return reverse("pncs:sector", kwargs={"slug": obj.sector.slug})

    def posts(self, obj):
        return Post.objects.published().filter(scope=Post.Scope.SECTOR, sector_id=obj.sector_id)


class SectorAtomFeed(SectorFeed):
    feed_type = AtomWithContent
    subtitle = SectorFeed.description


class ChapterFeed(NetworkFeed):
    """The published posts of one public chapter."""

    def get_object(self, request, slug):
        return get_object_or_404(Chapter.objects.public(), slug=slug)

    def title(self, obj=None):
        return gettext("Noticias del capítulo %(chapter)s") % {"chapter": obj.name}

    def description(self, obj=None):
        return gettext("Noticias del capítulo %(chapter)s de la Red de Talentos Mexicanos.") % {
            "chapter": obj.name
        }

    def link(self, obj=None):
        return reverse("chapters:detail", kwargs={"slug": obj.slug})

    def posts(self, obj):
        return Post.objects.published().filter(scope=Post.Scope.CHAPTER, chapter_id=obj.pk)


class ChapterAtomFeed(ChapterFeed):
    feed_type = AtomWithContent
    subtitle = ChapterFeed.description
