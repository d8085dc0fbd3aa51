"""sitemap.xml (issue #15): published articles, each last modified when it was edited or got its
latest approved comment, so that search engines come back for new comments."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q
from django.db.models.functions import Greatest

from articles.models import Article


class ArticleSitemap(Sitemap):
    limit = 5000

    def items(self):
        latest_comment = Max("comments__created_at", filter=Q(comments__status="approved"))
        return (
            Article.objects.published()
            .annotate(last_comment=latest_comment)
            .annotate(lastmod=Greatest("updated_at", "published_at", "last_comment"))
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, article):
        return article.lastmod
