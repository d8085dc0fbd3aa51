"""Feeds of approved comments: one article's, and the whole site's; Atom and RSS 2.0 each."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from articles.feeds import FEED_LENGTH, xml_safe
from articles.models import Article
from comments.models import Comment


class CommentItems:
    """How a comment is an item of a feed: its text as sanitised at save, the writer's name
    (never their email address), and its permalink."""

    def item_title(self, comment):
        return xml_safe(f"{comment.author_name} on “{comment.article.title}”")

    def item_description(self, comment):
        return xml_safe(comment.body_html)

    def item_author_name(self, comment):
        return xml_safe(comment.author_name)

    def item_pubdate(self, comment):
        return comment.created_at

    def item_updateddate(self, comment):
        return comment.edited_at or comment.created_at

    def item_link(self, comment):
        return comment.get_absolute_url()


class ArticleComments(CommentItems, Feed):
    feed_type = Atom1Feed

    def get_object(self, request, year, month, slug):
        return get_object_or_404(Article.objects.published(), slug=slug)

    def title(self, article):
        return xml_safe(f"Comments on “{article.title}”")

    def description(self, article):
        return self.title(article)

    def link(self, article):
        return article.get_absolute_url()

    def items(self, article):
        return (
            Comment.objects.approved()
            .filter(article=article)
            .select_related("article")
            .order_by("-created_at")[:FEED_LENGTH]
        )


class ArticleCommentsRss(ArticleComments):
    feed_type = Rss201rev2Feed


class LatestComments(CommentItems, Feed):
    feed_type = Atom1Feed

    def title(self):
        return f"{settings.SITE_NAME}: latest comments"

    description = "The latest approved comments on every article."
    link = "/"

    def items(self):
        return (
            Comment.objects.approved()
            .filter(article__in=Article.objects.published())
            .select_related("article")
            .order_by("-created_at")[:FEED_LENGTH]
        )


class LatestCommentsRss(LatestComments):
    feed_type = Rss201rev2Feed
