"""Atom feeds: the latest articles, and the latest comments of one article."""

import re

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed

from comments.models import Comment
from forum.models import Article

FEED_LENGTH = 30
# Characters XML 1.0 cannot carry; one of them would make the whole feed unreadable.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text):
    return NOT_XML.sub("", text)


class LatestArticles(Feed):
    feed_type = Atom1Feed
    title = "Forum: latest articles"
    link = "/"
    subtitle = "Articles and the conversations around them."

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
        return article.author.get_full_name() or article.author.get_username()

    def item_pubdate(self, article):
        return article.published_at


class ArticleComments(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, year, month, slug):
        return get_object_or_404(Article.objects.published(), slug=slug)

    def title(self, article):
        return f"Comments on “{article.title}”"

    def link(self, article):
        return article.get_absolute_url()

    def items(self, article):
        return (
            Comment.objects.approved().filter(article=article).order_by("-created_at")[:FEED_LENGTH]
        )

    def item_title(self, comment):
        return xml_safe(f"Comment by {comment.author_name}")

    def item_description(self, comment):
        return xml_safe(comment.body_html)  # sanitised when it was saved

    def item_author_name(self, comment):
        return xml_safe(comment.author_name)

    def item_pubdate(self, comment):
        return comment.created_at
