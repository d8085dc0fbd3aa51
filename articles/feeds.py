"""Feeds of the latest articles, in Atom (at /feed/) and RSS 2.0 (at /feed/rss/)."""

import re

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from articles.models import Article
from core.text import display_name

FEED_LENGTH = 30
# Characters XML 1.0 cannot carry; one of them would make the whole feed unreadable.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text):
    return NOT_XML.sub("", text)


class LatestArticles(Feed):
    feed_type = Atom1Feed
    link = "/"

    def title(self):
        return f"{settings.SITE_NAME}: latest articles"

    def description(self):
        return settings.SITE_DESCRIPTION

    subtitle = description

    def items(self):
        return (
            Article.objects.published()
            .select_related("author")
            .order_by("-published_at")[:FEED_LENGTH]
        )

    def item_title(self, article):
        return xml_safe(article.title)

    def item_description(self, article):
        return xml_safe(article.body_html)  # sanitised when it was saved

    def item_author_name(self, article):
        return xml_safe(display_name(article.author))

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return article.updated_at

    def item_guid(self, article):
        return article.canonical_url()

    item_guid_is_permalink = True


class LatestArticlesRss(LatestArticles):
    feed_type = Rss201rev2Feed


class ArchiveFeed(LatestArticles):
    """The latest articles of an archive page (#28): a category, a tag, an author, a date."""

    def get_object(self, request, **kwargs):
        return self.find(**kwargs)

    def title(self, archive):
        return xml_safe(f"{settings.SITE_NAME}: {archive.title}")

    def link(self, archive):
        return archive.url

    def description(self, archive):
        return xml_safe(archive.description) or settings.SITE_DESCRIPTION

    subtitle = description

    def items(self, archive):
        return archive.articles[:FEED_LENGTH]


def feeds_of(find):
    """The Atom and RSS feeds of the archives ``find`` finds."""
    atom = type(f"{find.__name__}_atom", (ArchiveFeed,), {"find": staticmethod(find)})
    rss = type(f"{find.__name__}_rss", (atom,), {"feed_type": Rss201rev2Feed})
    return atom(), rss()
