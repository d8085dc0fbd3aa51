"""The Atom feed of one article's latest comments."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed

from articles.feeds import FEED_LENGTH, xml_safe
from articles.models import Article
from comments.models import Comment


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
